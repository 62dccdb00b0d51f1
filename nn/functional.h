#pragma once
// xg::nn::functional: the stateless forms of the layers and the losses, written with autodiff
// ops only (no backward code here: gradients come from the graph).
#include <optional>
#include <string>

#include "autodiff/ops.h"
#include "tensor/random.h"
#include "tensor/tensor.h"

namespace xg::nn::functional {

using xg::elu;
using xg::gelu;
using xg::silu;
using xg::leaky_relu;
using xg::linear;
using xg::log_softmax;
using xg::relu;
using xg::sigmoid;
using xg::softmax;
using xg::softplus;
using xg::tanh;

enum class Reduction { None, Mean, Sum };

// p = probability of dropping an element (PyTorch's meaning; the lecture's keep probability is
// 1 - p). Training: zero with probability p and scale the rest by 1/(1-p); eval: identity.
Tensor dropout(const Tensor& x, double p = 0.5, bool training = true, Generator* gen = nullptr);

// Batch normalization over dim 1 of [N, C] or [N, C, L] input. Training (or without running
// stats) normalizes with the batch's biased variance and, when running stats are given, updates
// them in place: running = (1 - momentum) running + momentum batch, with the unbiased variance.
// momentum = nullopt uses a cumulative average (needs num_batches_tracked).
Tensor batch_norm(const Tensor& x, Tensor running_mean, Tensor running_var, const Tensor& weight, const Tensor& bias,
                  bool training, std::optional<double> momentum = 0.1, double eps = 1e-5,
                  Tensor num_batches_tracked = {});

// ----- losses -----
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
// input: probabilities in [0, 1] (ValueError otherwise); logs are clamped at -100 as PyTorch.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                            Reduction reduction = Reduction::Mean);
// Stable: max(x,0) - x·y + log(1 + e^-|x|); pos_weight multiplies the positive term.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                                        const Tensor& pos_weight = {}, Reduction reduction = Reduction::Mean);

struct CrossEntropyOptions {
  Tensor weight{};               // per-class weights [C]
  std::int64_t ignore_index = -100;
  double label_smoothing = 0;
  Reduction reduction = Reduction::Mean;
};
// input: log-probabilities [N, C] (or [C]); target: int64 class indices [N] (or []).
// 'mean' divides by the summed weights of the non-ignored targets, as PyTorch.
Tensor nll_loss(const Tensor& input, const Tensor& target, const CrossEntropyOptions& opt = {});
// input: logits [N, C]; log_softmax + nll_loss, with label smoothing as PyTorch.
Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyOptions& opt = {});

}  // namespace xg::nn::functional
