#pragma once
// Adagrad as PyTorch computes it:
//   g ← ∇ + weight_decay·θ
//   clr ← lr / (1 + (t − 1)·lr_decay)
//   s ← s + g²          (s starts at initial_accumulator_value)
//   θ ← θ − clr·g / (√s + ε)
#include <array>

#include "optim/optimizer_with.h"
#include "optim/options.h"

namespace xg::optim {

#define XG_ADAGRAD_OPTIONS(option)                           \
  option(double, lr, 0, rule::nonneg)                        \
  option(double, lr_decay, 0, rule::nonneg)                  \
  option(double, weight_decay, 0, rule::nonneg)              \
  option(double, initial_accumulator_value, 0, rule::nonneg) \
  option(double, eps, 1e-10, rule::positive)

struct AdagradOptions : public OptimizerOptionsFor<AdagradOptions> {
  static constexpr const char* kOptimizerName = "Adagrad";
  AdagradOptions(double lr = 1e-2);  // NOLINT: implicit, as LibTorch
  XG_OPTIONS(AdagradOptions, XG_ADAGRAD_OPTIONS)
};

class Adagrad : public OptimizerWith<Adagrad, AdagradOptions> {
 public:
  using OptimizerWith::OptimizerWith;
  static constexpr std::array kBufferNames{"sum"};
  static void update_param(Tensor& p, const Tensor& grad, ParamState& state, const AdagradOptions& o);
};

}  // namespace xg::optim
