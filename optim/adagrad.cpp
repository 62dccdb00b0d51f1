#include "optim/adagrad.h"

#include <cmath>

#include "optim/update_loop.h"

namespace xg::optim {

AdagradOptions::AdagradOptions(double lr) : lr_(lr) {}

void Adagrad::update_param(Tensor& p, const Tensor& grad, ParamState& state, const AdagradOptions& o) {
  Tensor sum = detail::buffer(state, "sum", p, o.initial_accumulator_value());
  const double t = static_cast<double>(++state.step);
  const double clr = o.lr() / (1 + (t - 1) * o.lr_decay());
  detail::update_in_place(p, grad, [&](auto* x, const auto* gr, std::int64_t n) {
    using T = std::remove_pointer_t<decltype(x)>;
    T* s = sum.data_ptr<T>();
    const T wd = static_cast<T>(o.weight_decay()), eps = static_cast<T>(o.eps());
    const T neg_clr = static_cast<T>(-clr);
    const bool decay = o.weight_decay() != 0;
    detail::with_flags(decay, false, false, [&](auto decay_c, auto, auto) {
      for (std::int64_t i = 0; i < n; ++i) {
        T g = gr[i];
        if constexpr (decltype(decay_c)::value) g = g + wd * x[i];
        s[i] = s[i] + g * g;
        x[i] = x[i] + neg_clr * g / (std::sqrt(s[i]) + eps);
      }
    });
  });
}

}  // namespace xg::optim
