#include "optim/adamax.h"

#include <algorithm>
#include <cmath>

#include "optim/update_loop.h"

namespace xg::optim {

AdamaxOptions::AdamaxOptions(double lr) : lr_(lr) {}

void Adamax::update_param(Tensor& p, const Tensor& grad, ParamState& state, const AdamaxOptions& o) {
  Tensor m = detail::buffer(state, "exp_avg", p);
  Tensor u = detail::buffer(state, "exp_inf", p);
  const double t = static_cast<double>(++state.step);
  const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
  const double clr = o.lr() / (1 - std::pow(beta1, t));
  detail::update_in_place(p, grad, [&](auto* x, const auto* gr, std::int64_t n) {
    using T = std::remove_pointer_t<decltype(x)>;
    T* mp = m.data_ptr<T>();
    T* up = u.data_ptr<T>();
    const T b1 = static_cast<T>(beta1), b2 = static_cast<T>(beta2), wd = static_cast<T>(o.weight_decay());
    const T one_b1 = static_cast<T>(1 - beta1), eps = static_cast<T>(o.eps()), neg_clr = static_cast<T>(-clr);
    for (std::int64_t i = 0; i < n; ++i) {
      T g = gr[i];
      if (wd != 0) g = g + wd * x[i];
      mp[i] = mp[i] * b1 + one_b1 * g;
      up[i] = std::max(up[i] * b2, std::abs(g) + eps);
      x[i] = x[i] + neg_clr * mp[i] / up[i];
    }
  });
}

}  // namespace xg::optim
