#pragma once
// Adagrad as PyTorch computes it:
//   g ← ∇ + weight_decay·θ
//   clr ← lr / (1 + (t − 1)·lr_decay)
//   s ← s + g²          (s starts at initial_accumulator_value)
//   θ ← θ − clr·g / (√s + ε)
#include "optim/optimizer.h"

namespace xg::optim {

struct AdagradOptions : public OptimizerCloneableOptions<AdagradOptions> {
  AdagradOptions(double lr = 1e-2);  // NOLINT: implicit, as LibTorch
  const char* optimizer_name() const override { return "Adagrad"; }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  void validate() const override;
  void save(StateDict& dict, const std::string& prefix) const override;
  void load(const StateDict& dict, const std::string& prefix) override;

  XG_OPTIM_ARG(double, lr);
  XG_OPTIM_ARG(double, lr_decay) = 0;
  XG_OPTIM_ARG(double, weight_decay) = 0;
  XG_OPTIM_ARG(double, initial_accumulator_value) = 0;
  XG_OPTIM_ARG(double, eps) = 1e-10;
};

class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<Tensor> params, AdagradOptions defaults = {});
  Adagrad(std::vector<OptimizerParamGroup> param_groups, AdagradOptions defaults = {});

 protected:
  void update(Tensor& p, const Tensor& grad, ParamState& state, const OptimizerOptions& options) override;
  std::vector<std::string> buffer_names() const override { return {"sum"}; }
};

}  // namespace xg::optim
