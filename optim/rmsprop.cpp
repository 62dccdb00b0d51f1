#include "optim/rmsprop.h"

#include <cmath>

#include "optim/update_loop.h"

namespace xg::optim {

RMSpropOptions::RMSpropOptions(double lr) : lr_(lr) {}

void RMSprop::update_param(Tensor& p, const Tensor& grad, ParamState& state, const RMSpropOptions& o) {
  Tensor sq = detail::buffer(state, "square_avg", p);
  Tensor buf = o.momentum() > 0 ? detail::buffer(state, "momentum_buffer", p) : Tensor();
  Tensor gavg = o.centered() ? detail::buffer(state, "grad_avg", p) : Tensor();
  ++state.step;
  detail::update_in_place(p, grad, [&](auto* x, const auto* gr, std::int64_t n) {
    using T = std::remove_pointer_t<decltype(x)>;
    T* s = sq.data_ptr<T>();
    T* b = buf.defined() ? buf.data_ptr<T>() : nullptr;
    T* ga = gavg.defined() ? gavg.data_ptr<T>() : nullptr;
    const T alpha = static_cast<T>(o.alpha()), one_alpha = static_cast<T>(1 - o.alpha());
    const T eps = static_cast<T>(o.eps()), wd = static_cast<T>(o.weight_decay());
    const T mom = static_cast<T>(o.momentum()), neg_lr = static_cast<T>(-o.lr());
    const bool decay = o.weight_decay() != 0;
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
          x[i] = x[i] + neg_lr * b[i];
        } else {
          x[i] = x[i] + neg_lr * g / avg;
        }
      }
    });
  });
}

}  // namespace xg::optim
