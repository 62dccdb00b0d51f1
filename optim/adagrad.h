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

struct AdagradOptions : public OptimizerOptionsFor<AdagradOptions> {
  static constexpr const char* kOptimizerName = "Adagrad";
  AdagradOptions(double lr = 1e-2);  // NOLINT: implicit, as LibTorch

  XG_OPTIM_ARG(double, lr);
  XG_OPTIM_ARG(double, lr_decay) = 0;
  XG_OPTIM_ARG(double, weight_decay) = 0;
  XG_OPTIM_ARG(double, initial_accumulator_value) = 0;
  XG_OPTIM_ARG(double, eps) = 1e-10;

 public:
  static void for_each_option(auto& self, auto&& option) {
    option("lr", self.lr_, rule::nonneg);
    option("lr_decay", self.lr_decay_, rule::nonneg);
    option("weight_decay", self.weight_decay_, rule::nonneg);
    option("initial_accumulator_value", self.initial_accumulator_value_, rule::nonneg);
    option("eps", self.eps_, rule::positive);
  }
};

class Adagrad : public OptimizerWith<Adagrad, AdagradOptions> {
 public:
  using OptimizerWith::OptimizerWith;
  static constexpr std::array kBufferNames{"sum"};
  static void update_param(Tensor& p, const Tensor& grad, ParamState& state, const AdagradOptions& o);
};

}  // namespace xg::optim
