#pragma once
#include <memory>

#include <xgrad.h>

#include "config.h"

namespace xg::train {

// in -> [Linear -> (BatchNorm1d) -> activation -> (Dropout)] per hidden size -> Linear -> logits:
// shared/mlp.h's MLP with the config's sizes and layers, each Linear initialized by --init as it
// is built (kaiming: He for the hidden layers, LeCun for the output layer).
std::shared_ptr<nn::SequentialImpl> make_mlp(const Config& c, std::int64_t in_features, std::int64_t classes);

// --model cnn: flat square images -> Unflatten to [1, s, s] -> [Conv2d 3x3 (padding 1) -> (BatchNorm2d)
// -> activation -> MaxPool2d 2] per --channels -> Flatten -> the MLP above on the features.
// Convolutions keep PyTorch's default init. ValueError if in_features is not a square.
std::shared_ptr<nn::SequentialImpl> make_cnn(const Config& c, std::int64_t in_features, std::int64_t classes);

// The model --model names.
std::shared_ptr<nn::SequentialImpl> make_model(const Config& c, std::int64_t in_features, std::int64_t classes);

}  // namespace xg::train
