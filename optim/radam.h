#pragma once
// RAdam (Liu et al.) as PyTorch 1.13 computes it:
//   g ← ∇ + weight_decay·θ
//   m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²,  m̂ = m / (1 − β₁ᵗ)
//   ρ∞ = 2/(1 − β₂) − 1,  ρ_t = ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ)
//   ρ_t > 5: r = √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t)),
//            θ ← θ − m̂·lr·(√(1 − β₂ᵗ)/(√v + ε))·r
//   else:    θ ← θ − m̂·lr   (the variance is not yet tractable: plain momentum)
#include <array>
#include <tuple>

#include "optim/adam.h"  // detail::Betas
#include "optim/optimizer_with.h"
#include "optim/options.h"

namespace xg::optim {

#define XG_RADAM_OPTIONS(option)                                                         \
  option(double, lr, 0, rule::nonneg)                                                    \
  option(detail::Betas, betas, (detail::Betas{0.9, 0.999}), rule::PairInUnitInterval{"beta1", "beta2"}) \
  option(double, eps, 1e-8, rule::positive)                                              \
  option(double, weight_decay, 0, rule::nonneg)

struct RAdamOptions : public OptimizerOptionsFor<RAdamOptions> {
  static constexpr const char* kOptimizerName = "RAdam";
  RAdamOptions(double lr = 1e-3);  // NOLINT: implicit, as LibTorch
  XG_OPTIONS(RAdamOptions, XG_RADAM_OPTIONS)
};

class RAdam : public OptimizerWith<RAdam, RAdamOptions> {
 public:
  using OptimizerWith::OptimizerWith;
  static constexpr std::array kBufferNames{"exp_avg", "exp_avg_sq"};
  static void update_param(Tensor& p, const Tensor& grad, ParamState& state, const RAdamOptions& o);
};

}  // namespace xg::optim
