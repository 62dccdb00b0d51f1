#pragma once
// RMSprop as PyTorch computes it (the lecture's RMSProp with β = alpha, plus ε, weight decay,
// momentum and the centered variant):
//   g ← ∇ + weight_decay·θ
//   s ← α·s + (1 − α)·g²
//   centered: ḡ ← α·ḡ + (1 − α)·g,  d ← √(s − ḡ²) + ε;  else d ← √s + ε
//   momentum > 0: b ← momentum·b + g/d, θ ← θ − lr·b;  else θ ← θ − lr·g/d
// The lecture writes θ ← θ − α·∇/√S (no ε); PyTorch adds ε outside the root.
#include "optim/optimizer.h"

namespace xg::optim {

struct RMSpropOptions : public OptimizerCloneableOptions<RMSpropOptions> {
  RMSpropOptions(double lr = 1e-2);  // NOLINT: implicit, as LibTorch
  const char* optimizer_name() const override { return "RMSprop"; }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  void validate() const override;
  void save(StateDict& dict, const std::string& prefix) const override;
  void load(const StateDict& dict, const std::string& prefix) override;

  XG_OPTIM_ARG(double, lr);
  XG_OPTIM_ARG(double, alpha) = 0.99;
  XG_OPTIM_ARG(double, eps) = 1e-8;
  XG_OPTIM_ARG(double, weight_decay) = 0;
  XG_OPTIM_ARG(double, momentum) = 0;
  XG_OPTIM_ARG(bool, centered) = false;
};

class RMSprop : public Optimizer {
 public:
  RMSprop(std::vector<Tensor> params, RMSpropOptions defaults = {});
  RMSprop(std::vector<OptimizerParamGroup> param_groups, RMSpropOptions defaults = {});

 protected:
  void update(Tensor& p, const Tensor& grad, ParamState& state, const OptimizerOptions& options) override;
  std::vector<std::string> buffer_names() const override { return {"square_avg", "momentum_buffer", "grad_avg"}; }
};

}  // namespace xg::optim
