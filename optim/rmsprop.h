#pragma once
// RMSprop as PyTorch computes it (the lecture's RMSProp with β = alpha, plus ε, weight decay,
// momentum and the centered variant):
//   g ← ∇ + weight_decay·θ
//   s ← α·s + (1 − α)·g²
//   centered: ḡ ← α·ḡ + (1 − α)·g,  d ← √(s − ḡ²) + ε;  else d ← √s + ε
//   momentum > 0: b ← momentum·b + g/d, θ ← θ − lr·b;  else θ ← θ − lr·g/d
// The lecture writes θ ← θ − α·∇/√S (no ε); PyTorch adds ε outside the root.
#include <array>

#include "optim/optimizer_with.h"
#include "optim/options.h"

namespace xg::optim {

#define XG_RMSPROP_OPTIONS(option)              \
  option(double, lr, 0, rule::nonneg)           \
  option(double, alpha, 0.99, rule::unit)       \
  option(double, eps, 1e-8, rule::positive)     \
  option(double, weight_decay, 0, rule::nonneg) \
  option(double, momentum, 0, rule::nonneg)     \
  option(bool, centered, false)

struct RMSpropOptions : public OptimizerOptionsFor<RMSpropOptions> {
  static constexpr const char* kOptimizerName = "RMSprop";
  RMSpropOptions(double lr = 1e-2);  // NOLINT: implicit, as LibTorch
  XG_OPTIONS(RMSpropOptions, XG_RMSPROP_OPTIONS)
};

class RMSprop : public OptimizerWith<RMSprop, RMSpropOptions> {
 public:
  using OptimizerWith::OptimizerWith;
  static constexpr std::array kBufferNames{"square_avg", "momentum_buffer", "grad_avg"};
  static void update_param(Tensor& p, const Tensor& grad, ParamState& state, const RMSpropOptions& o);
};

}  // namespace xg::optim
