#pragma once
// Adamax (Kingma & Ba, the infinity-norm Adam) as PyTorch 1.13 computes it:
//   g ← ∇ + weight_decay·θ
//   m ← β₁·m + (1 − β₁)·g,  u ← max(β₂·u, |g| + ε)
//   θ ← θ − (lr / (1 − β₁ᵗ))·m / u
#include <array>
#include <tuple>

#include "optim/adam.h"  // detail::Betas
#include "optim/optimizer_with.h"
#include "optim/options.h"

namespace xg::optim {

#define XG_ADAMAX_OPTIONS(option)                                                        \
  option(double, lr, 0, rule::nonneg)                                                    \
  option(detail::Betas, betas, (detail::Betas{0.9, 0.999}), rule::PairInUnitInterval{"beta1", "beta2"}) \
  option(double, eps, 1e-8, rule::positive)                                              \
  option(double, weight_decay, 0, rule::nonneg)

struct AdamaxOptions : public OptimizerOptionsFor<AdamaxOptions> {
  static constexpr const char* kOptimizerName = "Adamax";
  AdamaxOptions(double lr = 2e-3);  // NOLINT: implicit, as LibTorch
  XG_OPTIONS(AdamaxOptions, XG_ADAMAX_OPTIONS)
};

class Adamax : public OptimizerWith<Adamax, AdamaxOptions> {
 public:
  using OptimizerWith::OptimizerWith;
  static constexpr std::array kBufferNames{"exp_avg", "exp_inf"};
  static void update_param(Tensor& p, const Tensor& grad, ParamState& state, const AdamaxOptions& o);
};

}  // namespace xg::optim
