#pragma once
// The lecture's L2-regularized cost:
//   J(θ) = (1/m) Σ_i L(ŷ_i, y_i) + (λ / 2m) Σ_k ‖W_k‖²_F
// built on the graph as
//   xg::Tensor J = xg::nn::functional::cross_entropy(model(x), y)     // mean over the batch
//                + xg::nn::l2_penalty(model, lambda, m);
// Its gradient adds (λ/m) W to ∂L/∂W, so one plain gradient step is the lecture's weight decay
// W ← W − (αλ/m) W − α ∂L/∂W. Here m is the number of examples the data term averages over.
#include "nn/module.h"

namespace xg::nn {

// (λ / 2m) Σ ‖W‖²_F over weight matrices (parameters with 2 or more dims); biases and other
// 1-D parameters (batch norm's γ, β) only when include_biases. Frozen parameters are included:
// they add to the value but get no gradient.
Tensor l2_penalty(const Module& model, double lambda, double m, bool include_biases = false);
Tensor l2_penalty(const NamedTensors& params, double lambda, double m, bool include_biases = false);

}  // namespace xg::nn
