#pragma once
// Adam (Kingma & Ba) as PyTorch computes it, with bias correction:
//   g ← ∇ + weight_decay·θ
//   m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²,   (amsgrad: v_max ← max(v_max, v), used for v)
//   θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
// eps_inside_sqrt(true) gives the lecture's form θ ← θ − lr·m̂ / √(v̂ + ε) with m̂ = m/(1 − β₁ᵗ),
// v̂ = v/(1 − β₂ᵗ).
#include <array>
#include <tuple>

#include "optim/optimizer_with.h"
#include "optim/options.h"

namespace xg::optim {

namespace detail {
// The options of Adam and AdamW (optim/adamw.h): the same options, keys and rules. Derived is the
// options type, which the chained setters return.
using Betas = std::tuple<double, double>;
#define XG_ADAM_OPTIONS(option)                                                               \
  option(double, lr, 0, rule::nonneg)                                                         \
  option(Betas, betas, (Betas{0.9, 0.999}), rule::PairInUnitInterval{"beta1", "beta2"})       \
  option(double, eps, 1e-8, rule::positive)                                                   \
  option(double, weight_decay, 0, rule::nonneg)                                               \
  option(bool, amsgrad, false)                                                                \
  option(bool, eps_inside_sqrt, false)

template <class Derived> class AdamFamilyOptions : public OptimizerOptionsFor<Derived> {
  XG_OPTIONS(Derived, XG_ADAM_OPTIONS)

 protected:
  AdamFamilyOptions(double lr, double weight_decay) : lr_(lr), weight_decay_(weight_decay) {}
};

// Where weight decay goes: into the gradient (Adam, L2) or shrinking θ before the step (AdamW).
enum class WeightDecay { l2, decoupled };

struct AdamStep {
  double lr, beta1, beta2, eps;
  double l2;         // added to the gradient (Adam's weight_decay)
  double decoupled;  // θ ← θ·(1 − lr·decoupled) first (AdamW's weight_decay)
  bool amsgrad, eps_inside_sqrt;
};
void adam_update(Tensor& p, const Tensor& grad, ParamState& state, const AdamStep& s);

// The step for a group's options: Adam's and AdamW's differ only in where the weight decay goes.
template <class Options> AdamStep adam_step(const Options& o, WeightDecay decay) {
  const double wd = o.weight_decay();
  const bool l2 = decay == WeightDecay::l2;
  return {.lr = o.lr(), .beta1 = std::get<0>(o.betas()), .beta2 = std::get<1>(o.betas()), .eps = o.eps(),
          .l2 = l2 ? wd : 0.0, .decoupled = l2 ? 0.0 : wd, .amsgrad = o.amsgrad(), .eps_inside_sqrt = o.eps_inside_sqrt()};
}
}  // namespace detail

struct AdamOptions : public detail::AdamFamilyOptions<AdamOptions> {
  static constexpr const char* kOptimizerName = "Adam";
  AdamOptions(double lr = 1e-3) : AdamFamilyOptions(lr, /*weight_decay=*/0) {}  // NOLINT: implicit, as LibTorch
};

class Adam : public OptimizerWith<Adam, AdamOptions> {
 public:
  using OptimizerWith::OptimizerWith;
  static constexpr std::array kBufferNames{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
  static void update_param(Tensor& p, const Tensor& grad, ParamState& state, const AdamOptions& o);
};

}  // namespace xg::optim
