#pragma once
// Stochastic gradient descent with PyTorch's momentum, dampening, Nesterov and weight decay:
//   g ← ∇ + weight_decay·θ
//   b ← g on the first step, else momentum·b + (1 − dampening)·g
//   g ← g + momentum·b (nesterov) or b
//   θ ← θ − lr·g
#include "optim/optimizer.h"

namespace xg::optim {

struct SGDOptions : public OptimizerCloneableOptions<SGDOptions> {
  SGDOptions(double lr);  // NOLINT: implicit, as LibTorch
  const char* optimizer_name() const override { return "SGD"; }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  void validate() const override;
  void save(StateDict& dict, const std::string& prefix) const override;
  void load(const StateDict& dict, const std::string& prefix) override;

  XG_OPTIM_ARG(double, lr);
  XG_OPTIM_ARG(double, momentum) = 0;
  XG_OPTIM_ARG(double, dampening) = 0;
  XG_OPTIM_ARG(double, weight_decay) = 0;
  XG_OPTIM_ARG(bool, nesterov) = false;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, SGDOptions defaults);
  SGD(std::vector<OptimizerParamGroup> param_groups, SGDOptions defaults);

 protected:
  void update(Tensor& p, const Tensor& grad, ParamState& state, const OptimizerOptions& options) override;
  std::vector<std::string> buffer_names() const override { return {"momentum_buffer"}; }
};

}  // namespace xg::optim
