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

#define XG_SGD_OPTIONS(option)                \
  option(double, lr, 0, rule::nonneg)           \
  option(double, momentum, 0, rule::nonneg)     \
  option(double, dampening, 0, rule::finite)    \
  option(double, weight_decay, 0, rule::nonneg) \
  option(bool, nesterov, false)

struct SGDOptions : public OptimizerOptionsFor<SGDOptions> {
  static constexpr const char* kOptimizerName = "SGD";
  SGDOptions(double lr);  // NOLINT: implicit, as LibTorch
  void validate() const override;  // the option list's rules, then Nesterov's needs
  XG_OPTIONS(SGDOptions, XG_SGD_OPTIONS)
};

class SGD : public OptimizerWith<SGD, SGDOptions> {
 public:
  using OptimizerWith::OptimizerWith;
  static constexpr std::array kBufferNames{"momentum_buffer"};
  static void update_param(Tensor& p, const Tensor& grad, ParamState& state, const SGDOptions& o);
};

}  // namespace xg::optim
