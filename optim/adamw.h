#pragma once
// AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, as PyTorch:
//   θ ← θ·(1 − lr·weight_decay), then the Adam step without weight decay in the gradient.
// Default weight_decay 1e-2, as PyTorch.
#include "optim/adam.h"

namespace xg::optim {

struct AdamWOptions : public OptimizerCloneableOptions<AdamWOptions> {
  AdamWOptions(double lr = 1e-3);  // NOLINT: implicit, as LibTorch
  const char* optimizer_name() const override { return "AdamW"; }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  void validate() const override;
  void save(StateDict& dict, const std::string& prefix) const override;
  void load(const StateDict& dict, const std::string& prefix) override;

  XG_OPTIM_ARG(double, lr);
  XG_OPTIM_ARG(std::tuple<double XG_COMMA double>, betas) = std::make_tuple(0.9, 0.999);
  XG_OPTIM_ARG(double, eps) = 1e-8;
  XG_OPTIM_ARG(double, weight_decay) = 1e-2;
  XG_OPTIM_ARG(bool, amsgrad) = false;
  XG_OPTIM_ARG(bool, eps_inside_sqrt) = false;
};

class AdamW : public Optimizer {
 public:
  AdamW(std::vector<Tensor> params, AdamWOptions defaults = {});
  AdamW(std::vector<OptimizerParamGroup> param_groups, AdamWOptions defaults = {});

 protected:
  void update(Tensor& p, const Tensor& grad, ParamState& state, const OptimizerOptions& options) override;
  std::vector<std::string> buffer_names() const override { return {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}; }
};

}  // namespace xg::optim
