#include "optim/adagrad.h"

#include <cmath>

#include "optim/checks.h"
#include "optim/state_io.h"

namespace xg::optim {

AdagradOptions::AdagradOptions(double lr) : lr_(lr) {}

void AdagradOptions::validate() const {
  detail::check_nonneg("Adagrad", "lr", lr_);
  detail::check_nonneg("Adagrad", "lr_decay", lr_decay_);
  detail::check_nonneg("Adagrad", "weight_decay", weight_decay_);
  detail::check_nonneg("Adagrad", "initial_accumulator_value", initial_accumulator_value_);
  detail::check_positive("Adagrad", "eps", eps_);
}

void AdagradOptions::save(StateDict& dict, const std::string& prefix) const {
  detail::put_double(dict, prefix + "lr", lr_);
  detail::put_double(dict, prefix + "lr_decay", lr_decay_);
  detail::put_double(dict, prefix + "weight_decay", weight_decay_);
  detail::put_double(dict, prefix + "initial_accumulator_value", initial_accumulator_value_);
  detail::put_double(dict, prefix + "eps", eps_);
}

void AdagradOptions::load(const StateDict& dict, const std::string& prefix) {
  const char* who = "Adagrad.load_state_dict";
  lr_ = detail::get_double(dict, prefix + "lr", who);
  lr_decay_ = detail::get_double(dict, prefix + "lr_decay", who);
  weight_decay_ = detail::get_double(dict, prefix + "weight_decay", who);
  initial_accumulator_value_ = detail::get_double(dict, prefix + "initial_accumulator_value", who);
  eps_ = detail::get_double(dict, prefix + "eps", who);
}

Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions defaults)
    : Adagrad(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}
Adagrad::Adagrad(std::vector<OptimizerParamGroup> param_groups, AdagradOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdagradOptions>(std::move(defaults))) {}

void Adagrad::update(Tensor& p, const Tensor& grad, ParamState& state, const OptimizerOptions& options) {
  const auto& o = static_cast<const AdagradOptions&>(options);
  Tensor sum = detail::buffer(state, "sum", p, o.initial_accumulator_value());
  Tensor next = p;  // updated in place: each element reads only its own old value first
  const double t = static_cast<double>(++state.step);
  const double clr = o.lr() / (1 + (t - 1) * o.lr_decay());
  detail::dispatch_float(p.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* x = p.data_ptr<T>();
    const T* gr = grad.data_ptr<T>();
    T* s = sum.data_ptr<T>();
    T* out = next.data_ptr<T>();
    const T wd = static_cast<T>(o.weight_decay()), eps = static_cast<T>(o.eps());
    const T neg_clr = static_cast<T>(-clr);
    const bool decay = o.weight_decay() != 0;
    const std::int64_t n = p.numel();
    detail::with_flags(decay, false, false, [&](auto decay_c, auto, auto) {
      for (std::int64_t i = 0; i < n; ++i) {
        T g = gr[i];
        if constexpr (decltype(decay_c)::value) g = g + wd * x[i];
        s[i] = s[i] + g * g;
        out[i] = x[i] + neg_clr * g / (std::sqrt(s[i]) + eps);
      }
    });
  });
  detail::assign(p, next);
}

}  // namespace xg::optim
