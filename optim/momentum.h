#pragma once
// The lecture's momentum: an exponentially weighted moving average of the gradients,
//   v ← β·v + (1 − β)·∇        (v starts at 0)
//   θ ← θ − lr·v̂,  v̂ = v / (1 − β^t) with bias_correction, else v
// How it relates to PyTorch's SGD(momentum = β, dampening = 0), whose buffer is b ← β·b + ∇:
// v = (1 − β)·b exactly, so EMAMomentum(lr) without bias correction takes the same steps as
// SGD(lr·(1 − β), momentum β). The lecture's form keeps the step size independent of β.
#include "optim/optimizer.h"

namespace xg::optim {

struct MomentumOptions : public OptimizerCloneableOptions<MomentumOptions> {
  MomentumOptions(double lr);  // NOLINT: implicit, as the other options
  const char* optimizer_name() const override { return "EMAMomentum"; }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  void validate() const override;
  void save(StateDict& dict, const std::string& prefix) const override;
  void load(const StateDict& dict, const std::string& prefix) override;

  XG_OPTIM_ARG(double, lr);
  XG_OPTIM_ARG(double, beta) = 0.9;
  XG_OPTIM_ARG(bool, bias_correction) = false;
  XG_OPTIM_ARG(double, weight_decay) = 0;  // adds weight_decay·θ to the gradient, as SGD
};

class EMAMomentum : public Optimizer {
 public:
  EMAMomentum(std::vector<Tensor> params, MomentumOptions defaults);
  EMAMomentum(std::vector<OptimizerParamGroup> param_groups, MomentumOptions defaults);

 protected:
  void update(Tensor& p, const Tensor& grad, ParamState& state, const OptimizerOptions& options) override;
  std::vector<std::string> buffer_names() const override { return {"velocity"}; }
};

}  // namespace xg::optim
