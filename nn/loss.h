#pragma once
// Loss modules: thin wrappers over nn::functional that keep their options.
//   xg::nn::CrossEntropyLoss ce;  auto loss = ce(logits, labels);
#include "nn/functional.h"

namespace xg::nn {

using functional::CrossEntropyOptions;
using functional::Reduction;

struct MSELoss {
  Reduction reduction = Reduction::Mean;
  Tensor operator()(const Tensor& input, const Tensor& target) const { return functional::mse_loss(input, target, reduction); }
};
struct L1Loss {
  Reduction reduction = Reduction::Mean;
  Tensor operator()(const Tensor& input, const Tensor& target) const { return functional::l1_loss(input, target, reduction); }
};
struct BCELoss {
  Tensor weight;
  Reduction reduction = Reduction::Mean;
  Tensor operator()(const Tensor& input, const Tensor& target) const {
    return functional::binary_cross_entropy(input, target, weight, reduction);
  }
};
struct BCEWithLogitsLoss {
  Tensor weight, pos_weight;
  Reduction reduction = Reduction::Mean;
  Tensor operator()(const Tensor& input, const Tensor& target) const {
    return functional::binary_cross_entropy_with_logits(input, target, weight, pos_weight, reduction);
  }
};
struct CrossEntropyLoss {
  CrossEntropyOptions options;
  Tensor operator()(const Tensor& input, const Tensor& target) const { return functional::cross_entropy(input, target, options); }
};
struct NLLLoss {
  CrossEntropyOptions options;
  Tensor operator()(const Tensor& input, const Tensor& target) const { return functional::nll_loss(input, target, options); }
};

}  // namespace xg::nn
