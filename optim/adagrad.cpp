#include "optim/adagrad.h"

#include <cmath>

#include "optim/loop_flags.h"

namespace xg::optim {

AdagradOptions::AdagradOptions(double lr) : lr_(lr) {}

void Adagrad::update_param(Tensor& p, const Tensor& grad, ParamState& state, const AdagradOptions& o) {
  Tensor sum = detail::buffer(state, "sum", p, o.initial_accumulator_value());
  Tensor next = p;  // updated in place: each element reads only its own old value first
  const double t = static_cast<double>(++state.step);
  const double clr = o.lr() / (1 + (t - 1) * o.lr_decay());
  dispatch_float(p.dtype(), [&](auto zero) {
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
