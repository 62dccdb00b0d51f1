#pragma once
// Adam (Kingma & Ba) as PyTorch computes it, with bias correction:
//   g ← ∇ + weight_decay·θ
//   m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²,   (amsgrad: v_max ← max(v_max, v), used for v)
//   θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
// eps_inside_sqrt(true) gives the lecture's form θ ← θ − lr·m̂ / √(v̂ + ε) with m̂ = m/(1 − β₁ᵗ),
// v̂ = v/(1 − β₂ᵗ).
#include <tuple>

#include "optim/optimizer.h"

namespace xg::optim {

struct AdamOptions : public OptimizerCloneableOptions<AdamOptions> {
  AdamOptions(double lr = 1e-3);  // NOLINT: implicit, as LibTorch
  const char* optimizer_name() const override { return "Adam"; }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  void validate() const override;
  void save(StateDict& dict, const std::string& prefix) const override;
  void load(const StateDict& dict, const std::string& prefix) override;

  XG_OPTIM_ARG(double, lr);
  XG_OPTIM_ARG(std::tuple<double XG_COMMA double>, betas) = std::make_tuple(0.9, 0.999);
  XG_OPTIM_ARG(double, eps) = 1e-8;
  XG_OPTIM_ARG(double, weight_decay) = 0;
  XG_OPTIM_ARG(bool, amsgrad) = false;
  XG_OPTIM_ARG(bool, eps_inside_sqrt) = false;
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, AdamOptions defaults = {});
  Adam(std::vector<OptimizerParamGroup> param_groups, AdamOptions defaults = {});

 protected:
  void update(Tensor& p, const Tensor& grad, ParamState& state, const OptimizerOptions& options) override;
  std::vector<std::string> buffer_names() const override { return {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}; }
};

namespace detail {
struct AdamStep {
  double lr, beta1, beta2, eps;
  double l2;         // added to the gradient (Adam's weight_decay)
  double decoupled;  // θ ← θ·(1 − lr·decoupled) first (AdamW's weight_decay)
  bool amsgrad, eps_inside_sqrt;
};
void adam_update(Tensor& p, const Tensor& grad, ParamState& state, const AdamStep& s);
void validate_adam(const char* who, double lr, const std::tuple<double, double>& betas, double eps, double wd);
}  // namespace detail

}  // namespace xg::optim
