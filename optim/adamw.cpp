#include "optim/adamw.h"

#include "optim/checks.h"
#include "optim/state_io.h"

namespace xg::optim {

AdamWOptions::AdamWOptions(double lr) : lr_(lr) {}

void AdamWOptions::validate() const { detail::validate_adam("AdamW", lr_, betas_, eps_, weight_decay_); }

void AdamWOptions::save(StateDict& dict, const std::string& prefix) const {
  detail::put_double(dict, prefix + "lr", lr_);
  detail::put_doubles(dict, prefix + "betas", {std::get<0>(betas_), std::get<1>(betas_)});
  detail::put_double(dict, prefix + "eps", eps_);
  detail::put_double(dict, prefix + "weight_decay", weight_decay_);
  detail::put_bool(dict, prefix + "amsgrad", amsgrad_);
  detail::put_bool(dict, prefix + "eps_inside_sqrt", eps_inside_sqrt_);
}

void AdamWOptions::load(const StateDict& dict, const std::string& prefix) {
  const char* who = "AdamW.load_state_dict";
  lr_ = detail::get_double(dict, prefix + "lr", who);
  const auto b = detail::get_doubles(dict, prefix + "betas", who);
  if (b.size() != 2) throw ValueError(fmt::format("{}: '{}betas' must hold 2 values, got {}", who, prefix, b.size()));
  betas_ = {b[0], b[1]};
  eps_ = detail::get_double(dict, prefix + "eps", who);
  weight_decay_ = detail::get_double(dict, prefix + "weight_decay", who);
  amsgrad_ = detail::get_bool(dict, prefix + "amsgrad", who);
  eps_inside_sqrt_ = detail::get_bool(dict, prefix + "eps_inside_sqrt", who);
}

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions defaults)
    : AdamW(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}
AdamW::AdamW(std::vector<OptimizerParamGroup> param_groups, AdamWOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdamWOptions>(std::move(defaults))) {}

void AdamW::update(Tensor& p, const Tensor& grad, ParamState& state, const OptimizerOptions& options) {
  const auto& o = static_cast<const AdamWOptions&>(options);
  detail::adam_update(p, grad, state,
                      {o.lr(), std::get<0>(o.betas()), std::get<1>(o.betas()), o.eps(), 0.0, o.weight_decay(),
                       o.amsgrad(), o.eps_inside_sqrt()});
}

}  // namespace xg::optim
