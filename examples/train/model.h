#pragma once
#include <memory>

#include <xgrad.h>

#include "config.h"

namespace xg::train {

// in -> [Linear -> (BatchNorm1d) -> activation -> (Dropout)] per hidden size -> Linear -> logits:
// shared/mlp.h's MLP with the config's sizes and layers, each Linear initialized by --init as it
// is built (kaiming: He for the hidden layers, LeCun for the output layer).
std::shared_ptr<nn::Sequential> make_mlp(const Config& c, std::int64_t in_features, std::int64_t classes);

}  // namespace xg::train
