#include "optim/momentum.h"

#include <cmath>

#include "optim/checks.h"
#include "optim/state_io.h"

namespace xg::optim {

MomentumOptions::MomentumOptions(double lr) : lr_(lr) {}

void MomentumOptions::validate() const {
  detail::check_nonneg("EMAMomentum", "lr", lr_);
  detail::check_unit("EMAMomentum", "beta", beta_);
  detail::check_nonneg("EMAMomentum", "weight_decay", weight_decay_);
}

void MomentumOptions::save(StateDict& dict, const std::string& prefix) const {
  detail::put_double(dict, prefix + "lr", lr_);
  detail::put_double(dict, prefix + "beta", beta_);
  detail::put_bool(dict, prefix + "bias_correction", bias_correction_);
  detail::put_double(dict, prefix + "weight_decay", weight_decay_);
}

void MomentumOptions::load(const StateDict& dict, const std::string& prefix) {
  const char* who = "EMAMomentum.load_state_dict";
  lr_ = detail::get_double(dict, prefix + "lr", who);
  beta_ = detail::get_double(dict, prefix + "beta", who);
  bias_correction_ = detail::get_bool(dict, prefix + "bias_correction", who);
  weight_decay_ = detail::get_double(dict, prefix + "weight_decay", who);
}

EMAMomentum::EMAMomentum(std::vector<Tensor> params, MomentumOptions defaults)
    : EMAMomentum(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}
EMAMomentum::EMAMomentum(std::vector<OptimizerParamGroup> param_groups, MomentumOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<MomentumOptions>(std::move(defaults))) {}

void EMAMomentum::update(Tensor& p, const Tensor& grad, ParamState& state, const OptimizerOptions& options) {
  const auto& o = static_cast<const MomentumOptions&>(options);
  Tensor v = detail::buffer(state, "velocity", p);
  Tensor next = p;  // updated in place: each element reads only its own old value first
  const std::int64_t t = ++state.step;
  const double correction = o.bias_correction() ? 1 - std::pow(o.beta(), static_cast<double>(t)) : 1.0;
  detail::dispatch_float(p.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* x = p.data_ptr<T>();
    const T* gr = grad.data_ptr<T>();
    T* vel = v.data_ptr<T>();
    T* out = next.data_ptr<T>();
    const T beta = static_cast<T>(o.beta()), one_minus = static_cast<T>(1 - o.beta());
    const T wd = static_cast<T>(o.weight_decay()), corr = static_cast<T>(correction);
    const T neg_lr = static_cast<T>(-o.lr());
    const bool decay = o.weight_decay() != 0, correct = o.bias_correction();
    const std::int64_t n = p.numel();
    detail::with_flags(decay, correct, false, [&](auto decay_c, auto correct_c, auto) {
      for (std::int64_t i = 0; i < n; ++i) {
        T g = gr[i];
        if constexpr (decltype(decay_c)::value) g = g + wd * x[i];
        vel[i] = beta * vel[i] + one_minus * g;
        if constexpr (decltype(correct_c)::value) out[i] = x[i] + neg_lr * (vel[i] / corr);
        else out[i] = x[i] + neg_lr * vel[i];
      }
    });
  });
  detail::assign(p, next);
}

}  // namespace xg::optim
