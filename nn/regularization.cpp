#include "nn/regularization.h"

#include <fmt/format.h>

#include "autodiff/ops.h"

namespace xg::nn {

Tensor l2_penalty(const NamedTensors& params, double lambda, double m, bool include_biases) {
  if (!(lambda >= 0)) throw ValueError(fmt::format("l2_penalty: lambda must be non-negative, got {}", lambda));
  if (!(m > 0)) throw ValueError(fmt::format("l2_penalty: m (number of examples) must be positive, got {}", m));
  Tensor total;
  for (const auto& [name, p] : params) {
    if (p.dim() < 2 && !include_biases) continue;
    const Tensor sq = sum(square(p));
    total = total.defined() ? total + sq : sq;
  }
  if (!total.defined()) return scalar_tensor(0);
  return total * (lambda / (2 * m));
}

Tensor l2_penalty(const Module& model, double lambda, double m, bool include_biases) {
  return l2_penalty(model.named_parameters(), lambda, m, include_biases);
}

}  // namespace xg::nn
