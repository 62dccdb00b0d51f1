#pragma once
#include <memory>

#include <xgrad.h>

#include "config.h"

namespace xg::train {

// in -> [Linear -> (BatchNorm1d) -> activation -> (Dropout)] per hidden size -> Linear -> logits.
std::shared_ptr<nn::Sequential> make_mlp(const Config& c, std::int64_t in_features, std::int64_t classes);

}  // namespace xg::train
