#include "optim/nadam.h"

#include <cmath>

#include "optim/update_loop.h"

namespace xg::optim {

NAdamOptions::NAdamOptions(double lr) : lr_(lr) {}

void NAdam::update_param(Tensor& p, const Tensor& grad, ParamState& state, const NAdamOptions& o) {
  Tensor m = detail::buffer(state, "exp_avg", p);
  Tensor v = detail::buffer(state, "exp_avg_sq", p);
  Tensor mu_product = detail::buffer(state, "mu_product", p, 1.0);
  const double t = static_cast<double>(++state.step);
  const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
  // Scalars in double, as PyTorch computes them in Python.
  const double bias_correction2 = 1 - std::pow(beta2, t);
  const double mu = beta1 * (1. - 0.5 * std::pow(0.96, t * o.momentum_decay()));
  const double mu_next = beta1 * (1. - 0.5 * std::pow(0.96, (t + 1) * o.momentum_decay()));
  const double prod = (p.numel() > 0 ? mu_product.to_vector<double>()[0] : 1.0) * mu;
  const double prod_next = prod * mu * mu_next;  // as 1.13
  const double grad_step = -o.lr() * (1. - mu) / (1. - prod);
  const double avg_step = -o.lr() * mu_next / (1. - prod_next);
  mu_product.fill_(prod);
  detail::update_in_place(p, grad, [&](auto* x, const auto* gr, std::int64_t n) {
    using T = std::remove_pointer_t<decltype(x)>;
    detail::Moments<T> mo(m, v, beta1, beta2);
    const T wd = static_cast<T>(o.weight_decay());
    const T bc2 = static_cast<T>(bias_correction2), eps = static_cast<T>(o.eps());
    const T gs = static_cast<T>(grad_step), as = static_cast<T>(avg_step);
    for (std::int64_t i = 0; i < n; ++i) {
      T g = gr[i];
      if (wd != 0) g = g + wd * x[i];
      mo.update(i, g);
      const T denom = std::sqrt(mo.v[i] / bc2) + eps;
      const T xi = x[i] + gs * g / denom;
      x[i] = xi + as * mo.m[i] / denom;
    }
  });
}

}  // namespace xg::optim
