#pragma once
// NAdam (Dozat) as PyTorch 1.13 computes it, with its momentum schedule:
//   g ← ∇ + weight_decay·θ
//   μ_t = β₁·(1 − ½·0.96^(t·momentum_decay)),  μ_{t+1} likewise
//   Π ← Π·μ_t,  Π_next ← Π·μ_t·μ_{t+1}   (1.13 multiplies μ_t in twice here; later releases once)
//   m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²,  denom ← √(v / (1 − β₂ᵗ)) + ε
//   θ ← θ − lr·(1 − μ_t)/(1 − Π)·g/denom − lr·μ_{t+1}/(1 − Π_next)·m/denom
// Π (PyTorch's scalar mu_product) is kept as a buffer of the parameter's shape, all entries equal,
// so that state_dict checks it like the other buffers.
#include <array>
#include <tuple>

#include "optim/adam.h"  // detail::Betas
#include "optim/optimizer_with.h"
#include "optim/options.h"

namespace xg::optim {

#define XG_NADAM_OPTIONS(option)                                                         \
  option(double, lr, 0, rule::nonneg)                                                    \
  option(detail::Betas, betas, (detail::Betas{0.9, 0.999}), rule::PairInUnitInterval{"beta1", "beta2"}) \
  option(double, eps, 1e-8, rule::positive)                                              \
  option(double, weight_decay, 0, rule::nonneg)                                          \
  option(double, momentum_decay, 4e-3, rule::nonneg)

struct NAdamOptions : public OptimizerOptionsFor<NAdamOptions> {
  static constexpr const char* kOptimizerName = "NAdam";
  NAdamOptions(double lr = 2e-3);  // NOLINT: implicit, as LibTorch
  XG_OPTIONS(NAdamOptions, XG_NADAM_OPTIONS)
};

class NAdam : public OptimizerWith<NAdam, NAdamOptions> {
 public:
  using OptimizerWith::OptimizerWith;
  static constexpr std::array kBufferNames{"exp_avg", "exp_avg_sq", "mu_product"};
  static void update_param(Tensor& p, const Tensor& grad, ParamState& state, const NAdamOptions& o);
};

}  // namespace xg::optim
