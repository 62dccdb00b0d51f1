#include "optim/momentum.h"

#include <cmath>

#include "optim/update_loop.h"

namespace xg::optim {

MomentumOptions::MomentumOptions(double lr) : lr_(lr) {}

void EMAMomentum::update_param(Tensor& p, const Tensor& grad, ParamState& state, const MomentumOptions& o) {
  Tensor v = detail::buffer(state, "velocity", p);
  const std::int64_t t = ++state.step;
  const double correction = o.bias_correction() ? 1 - std::pow(o.beta(), static_cast<double>(t)) : 1.0;
  detail::update_in_place(p, grad, [&](auto* x, const auto* gr, std::int64_t n) {
    using T = std::remove_pointer_t<decltype(x)>;
    T* vel = v.data_ptr<T>();
    const T beta = static_cast<T>(o.beta()), one_minus = static_cast<T>(1 - o.beta());
    const T wd = static_cast<T>(o.weight_decay()), corr = static_cast<T>(correction);
    const T neg_lr = static_cast<T>(-o.lr());
    const bool decay = o.weight_decay() != 0, correct = o.bias_correction();
    detail::with_flags(decay, correct, false, [&](auto decay_c, auto correct_c, auto) {
      for (std::int64_t i = 0; i < n; ++i) {
        T g = gr[i];
        if constexpr (decltype(decay_c)::value) g = g + wd * x[i];
        vel[i] = beta * vel[i] + one_minus * g;
        if constexpr (decltype(correct_c)::value) x[i] = x[i] + neg_lr * (vel[i] / corr);
        else x[i] = x[i] + neg_lr * vel[i];
      }
    });
  });
}

}  // namespace xg::optim
