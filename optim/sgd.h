#pragma once
// Stochastic gradient descent with PyTorch's momentum, dampening, Nesterov and weight decay:
//   g ← ∇ + weight_decay·θ
//   b ← g on the first step, else momentum·b + (1 − dampening)·g
//   g ← g + momentum·b (nesterov) or b
//   θ ← θ − lr·g
#include <array>

#include "optim/optimizer_with.h"
#include "optim/options.h"

namespace xg::optim {

struct SGDOptions : public OptimizerOptionsFor<SGDOptions> {
  static constexpr const char* kOptimizerName = "SGD";
  SGDOptions(double lr);  // NOLINT: implicit, as LibTorch
  void validate() const override;  // the option list's rules, then Nesterov's needs

  XG_OPTIM_ARG(double, lr);
  XG_OPTIM_ARG(double, momentum) = 0;
  XG_OPTIM_ARG(double, dampening) = 0;
  XG_OPTIM_ARG(double, weight_decay) = 0;
  XG_OPTIM_ARG(bool, nesterov) = false;

 public:
  static void for_each_option(auto& self, auto&& option) {
    option("lr", self.lr_, rule::nonneg);
    option("momentum", self.momentum_, rule::nonneg);
    option("dampening", self.dampening_, rule::finite);
    option("weight_decay", self.weight_decay_, rule::nonneg);
    option("nesterov", self.nesterov_);
  }
};

class SGD : public OptimizerWith<SGD, SGDOptions> {
 public:
  using OptimizerWith::OptimizerWith;
  static constexpr std::array kBufferNames{"momentum_buffer"};
  static void update_param(Tensor& p, const Tensor& grad, ParamState& state, const SGDOptions& o);
};

}  // namespace xg::optim
