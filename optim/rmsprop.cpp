#include "optim/rmsprop.h"

#include <cmath>

#include "optim/checks.h"
#include "optim/state_io.h"

namespace xg::optim {

RMSpropOptions::RMSpropOptions(double lr) : lr_(lr) {}

void RMSpropOptions::validate() const {
  detail::check_nonneg("RMSprop", "lr", lr_);
  detail::check_unit("RMSprop", "alpha", alpha_);
  detail::check_positive("RMSprop", "eps", eps_);
  detail::check_nonneg("RMSprop", "weight_decay", weight_decay_);
  detail::check_nonneg("RMSprop", "momentum", momentum_);
}

void RMSpropOptions::save(StateDict& dict, const std::string& prefix) const {
  detail::put_double(dict, prefix + "lr", lr_);
  detail::put_double(dict, prefix + "alpha", alpha_);
  detail::put_double(dict, prefix + "eps", eps_);
  detail::put_double(dict, prefix + "weight_decay", weight_decay_);
  detail::put_double(dict, prefix + "momentum", momentum_);
  detail::put_bool(dict, prefix + "centered", centered_);
}

void RMSpropOptions::load(const StateDict& dict, const std::string& prefix) {
  const char* who = "RMSprop.load_state_dict";
  lr_ = detail::get_double(dict, prefix + "lr", who);
  alpha_ = detail::get_double(dict, prefix + "alpha", who);
  eps_ = detail::get_double(dict, prefix + "eps", who);
  weight_decay_ = detail::get_double(dict, prefix + "weight_decay", who);
  momentum_ = detail::get_double(dict, prefix + "momentum", who);
  centered_ = detail::get_bool(dict, prefix + "centered", who);
}

RMSprop::RMSprop(std::vector<Tensor> params, RMSpropOptions defaults)
    : RMSprop(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}
RMSprop::RMSprop(std::vector<OptimizerParamGroup> param_groups, RMSpropOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<RMSpropOptions>(std::move(defaults))) {}

void RMSprop::update(Tensor& p, const Tensor& grad, ParamState& state, const OptimizerOptions& options) {
  const auto& o = static_cast<const RMSpropOptions&>(options);
  Tensor sq = detail::buffer(state, "square_avg", p);
  Tensor buf = o.momentum() > 0 ? detail::buffer(state, "momentum_buffer", p) : Tensor();
  Tensor gavg = o.centered() ? detail::buffer(state, "grad_avg", p) : Tensor();
  Tensor next = p;  // updated in place: each element reads only its own old value first
  ++state.step;
  detail::dispatch_float(p.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* x = p.data_ptr<T>();
    const T* gr = grad.data_ptr<T>();
    T* s = sq.data_ptr<T>();
    T* b = buf.defined() ? buf.data_ptr<T>() : nullptr;
    T* ga = gavg.defined() ? gavg.data_ptr<T>() : nullptr;
    T* out = next.data_ptr<T>();
    const T alpha = static_cast<T>(o.alpha()), one_alpha = static_cast<T>(1 - o.alpha());
    const T eps = static_cast<T>(o.eps()), wd = static_cast<T>(o.weight_decay());
    const T mom = static_cast<T>(o.momentum()), neg_lr = static_cast<T>(-o.lr());
    const bool decay = o.weight_decay() != 0;
    const std::int64_t n = p.numel();
    detail::with_flags(decay, ga != nullptr, b != nullptr, [&](auto decay_c, auto centered_c, auto momentum_c) {
      for (std::int64_t i = 0; i < n; ++i) {
        T g = gr[i];
        if constexpr (decltype(decay_c)::value) g = g + wd * x[i];
        s[i] = s[i] * alpha + one_alpha * g * g;
        T avg;
        if constexpr (decltype(centered_c)::value) {
          ga[i] = ga[i] * alpha + one_alpha * g;
          avg = std::sqrt(s[i] + T(-1) * ga[i] * ga[i]);
        } else {
          avg = std::sqrt(s[i]);
        }
        avg = avg + eps;
        if constexpr (decltype(momentum_c)::value) {
          b[i] = b[i] * mom + g / avg;
          out[i] = x[i] + neg_lr * b[i];
        } else {
          out[i] = x[i] + neg_lr * g / avg;
        }
      }
    });
  });
  detail::assign(p, next);
}

}  // namespace xg::optim
