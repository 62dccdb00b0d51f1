#include "optim/radam.h"

#include <cmath>

#include "optim/update_loop.h"

namespace xg::optim {

RAdamOptions::RAdamOptions(double lr) : lr_(lr) {}

void RAdam::update_param(Tensor& p, const Tensor& grad, ParamState& state, const RAdamOptions& o) {
  Tensor m = detail::buffer(state, "exp_avg", p);
  Tensor v = detail::buffer(state, "exp_avg_sq", p);
  const double t = static_cast<double>(++state.step);
  const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
  const double bias_correction1 = 1 - std::pow(beta1, t);
  const double bias_correction2 = 1 - std::pow(beta2, t);
  const double rho_inf = 2 / (1 - beta2) - 1;
  const double rho_t = rho_inf - 2 * t * std::pow(beta2, t) / bias_correction2;
  const bool rectified = rho_t > 5.;
  const double rect =
      rectified ? std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) : 0;
  const double sqrt_bc2 = std::sqrt(bias_correction2);
  detail::update_in_place(p, grad, [&](auto* x, const auto* gr, std::int64_t n) {
    using T = std::remove_pointer_t<decltype(x)>;
    detail::Moments<T> mo(m, v, beta1, beta2);
    const T wd = static_cast<T>(o.weight_decay());
    const T bc1 = static_cast<T>(bias_correction1), lr = static_cast<T>(o.lr()), eps = static_cast<T>(o.eps());
    const T r = static_cast<T>(rect), sbc2 = static_cast<T>(sqrt_bc2);
    for (std::int64_t i = 0; i < n; ++i) {
      T g = gr[i];
      if (wd != 0) g = g + wd * x[i];
      mo.update(i, g);
      const T corrected = mo.m[i] / bc1;
      if (rectified) {
        const T adaptive = sbc2 / (std::sqrt(mo.v[i]) + eps);
        x[i] = x[i] + T(-1) * (corrected * lr * adaptive * r);
      } else {
        x[i] = x[i] + T(-1) * (corrected * lr);
      }
    }
  });
}

}  // namespace xg::optim
