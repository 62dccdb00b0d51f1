#pragma once
// xg::nn::functional: the stateless forms of the layers and the losses, written with autodiff
// ops only (no backward code here: gradients come from the graph).
#include <optional>
#include <string>

#include "autodiff/ops.h"
#include "optim/option_list.h"
#include "optim/option_rules.h"
#include "tensor/random.h"
#include "tensor/tensor.h"

namespace xg {
// How a loss reduces over the batch; torch::kMean, torch::kSum and torch::kNone as in LibTorch.
enum class Reduction { None, Mean, Sum };
inline constexpr Reduction kNone = Reduction::None;
inline constexpr Reduction kMean = Reduction::Mean;
inline constexpr Reduction kSum = Reduction::Sum;
}  // namespace xg

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

using xg::Reduction;

// Options as LibTorch's (F::DropoutFuncOptions().p(0.2)); each list is one option a line.
#define XG_DROPOUT_FUNC_OPTIONS(option) \
  option(double, p, 0.5)                \
  option(bool, training, true)
struct DropoutFuncOptions {
  XG_OPTIONS(DropoutFuncOptions, XG_DROPOUT_FUNC_OPTIONS)
};
#define XG_BATCH_NORM_FUNC_OPTIONS(option)      \
  option(Tensor, weight, {})                    \
  option(Tensor, bias, {})                      \
  option(std::optional<double>, momentum, 0.1)  \
  option(double, eps, 1e-5)                     \
  option(bool, training, false)
struct BatchNormFuncOptions {
  XG_OPTIONS(BatchNormFuncOptions, XG_BATCH_NORM_FUNC_OPTIONS)
};
#define XG_REDUCTION_OPTIONS(option) option(Reduction, reduction, Reduction::Mean)
struct MSELossFuncOptions {
  MSELossFuncOptions(Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
  XG_OPTIONS(MSELossFuncOptions, XG_REDUCTION_OPTIONS)
};
struct L1LossFuncOptions {
  L1LossFuncOptions(Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
  XG_OPTIONS(L1LossFuncOptions, XG_REDUCTION_OPTIONS)
};
#define XG_SMOOTH_L1_OPTIONS(option)            \
  option(Reduction, reduction, Reduction::Mean) \
  option(double, beta, 1.0, ::xg::optim::rule::nonneg)
struct SmoothL1LossFuncOptions {
  SmoothL1LossFuncOptions(Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
  XG_OPTIONS(SmoothL1LossFuncOptions, XG_SMOOTH_L1_OPTIONS)
};
#define XG_HUBER_OPTIONS(option)                \
  option(Reduction, reduction, Reduction::Mean) \
  option(double, delta, 1.0, ::xg::optim::rule::positive)
struct HuberLossFuncOptions {
  HuberLossFuncOptions(Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
  XG_OPTIONS(HuberLossFuncOptions, XG_HUBER_OPTIONS)
};
#define XG_BCE_OPTIONS(option) \
  option(Tensor, weight, {})   \
  option(Reduction, reduction, Reduction::Mean)
struct BinaryCrossEntropyFuncOptions {
  XG_OPTIONS(BinaryCrossEntropyFuncOptions, XG_BCE_OPTIONS)
};
#define XG_BCE_LOGITS_OPTIONS(option)            \
  option(Tensor, weight, {})                     \
  option(Reduction, reduction, Reduction::Mean)  \
  option(Tensor, pos_weight, {})
struct BinaryCrossEntropyWithLogitsFuncOptions {
  XG_OPTIONS(BinaryCrossEntropyWithLogitsFuncOptions, XG_BCE_LOGITS_OPTIONS)
};
#define XG_NLL_OPTIONS(option)              \
  option(Tensor, weight, {}) /* per class [C] */ \
  option(std::int64_t, ignore_index, -100)  \
  option(Reduction, reduction, Reduction::Mean)
struct NLLLossFuncOptions {
  XG_OPTIONS(NLLLossFuncOptions, XG_NLL_OPTIONS)
};
#define XG_CROSS_ENTROPY_OPTIONS(option)          \
  option(Tensor, weight, {}) /* per class [C] */  \
  option(std::int64_t, ignore_index, -100)        \
  option(Reduction, reduction, Reduction::Mean)   \
  option(double, label_smoothing, 0.0)
struct CrossEntropyFuncOptions {
  XG_OPTIONS(CrossEntropyFuncOptions, XG_CROSS_ENTROPY_OPTIONS)
};
using CrossEntropyOptions = CrossEntropyFuncOptions;

// p = probability of dropping an element (PyTorch's meaning; the lecture's keep probability is
// 1 - p). Training: zero with probability p and scale the rest by 1/(1-p); eval: identity.
Tensor dropout(const Tensor& x, double p = 0.5, bool training = true, Generator* gen = nullptr);
inline Tensor dropout(const Tensor& x, const DropoutFuncOptions& o) { return dropout(x, o.p(), o.training()); }

// Batch normalization over dim 1 of [N, C] or [N, C, L] input. Training (or without running
// stats) normalizes with the batch's biased variance and, when running stats are given, updates
// them in place: running = (1 - momentum) running + momentum batch, with the unbiased variance.
// momentum = nullopt uses a cumulative average (needs num_batches_tracked).
Tensor batch_norm(const Tensor& x, Tensor running_mean, Tensor running_var, const Tensor& weight, const Tensor& bias,
                  bool training, std::optional<double> momentum = 0.1, double eps = 1e-5,
                  Tensor num_batches_tracked = {});
inline Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const BatchNormFuncOptions& o) {
  return batch_norm(x, running_mean, running_var, o.weight(), o.bias(), o.training(), o.momentum(), o.eps());
}

// ----- losses -----
Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossFuncOptions& options = {});
Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& options = {});
// PyTorch's: with d = input − target, 0.5·d²/β where |d| < β, else |d| − 0.5·β (β = 0: l1_loss).
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& options = {});
// PyTorch's: 0.5·d² where |d| < δ, else δ·(|d| − 0.5·δ) (δ times smooth_l1_loss with β = δ).
Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossFuncOptions& options = {});
// input: probabilities in [0, 1] (ValueError otherwise); logs are clamped at -100 as PyTorch.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                            Reduction reduction = Reduction::Mean);
inline Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const BinaryCrossEntropyFuncOptions& o) {
  return binary_cross_entropy(input, target, o.weight(), o.reduction());
}
// Stable: max(x,0) - x·y + log(1 + e^-|x|); pos_weight multiplies the positive term.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                                        const Tensor& pos_weight = {}, Reduction reduction = Reduction::Mean);
inline Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                               const BinaryCrossEntropyWithLogitsFuncOptions& o) {
  return binary_cross_entropy_with_logits(input, target, o.weight(), o.pos_weight(), o.reduction());
}

// input: log-probabilities [N, C] (or [C]); target: int64 class indices [N] (or []).
// 'mean' divides by the summed weights of the non-ignored targets, as PyTorch.
Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& opt = {});
// input: logits [N, C]; log_softmax + nll_loss, with label smoothing as PyTorch.
Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& opt = {});

}  // namespace xg::nn::functional

namespace xg {
// LibTorch's top-level spellings: torch::dropout(x, p, train), torch::smooth_l1_loss(input, target).
inline Tensor dropout(const Tensor& x, double p, bool train) { return nn::functional::dropout(x, p, train); }
inline Tensor smooth_l1_loss(const Tensor& input, const Tensor& target,
                             const nn::functional::SmoothL1LossFuncOptions& options = {}) {
  return nn::functional::smooth_l1_loss(input, target, options);
}
}  // namespace xg
