#include "optim/adam.h"

#include <algorithm>
#include <cmath>

#include "optim/update_loop.h"

namespace xg::optim {

namespace detail {

void adam_update(Tensor& p, const Tensor& grad, ParamState& state, const AdamStep& s) {
  Tensor m = buffer(state, "exp_avg", p);
  Tensor v = buffer(state, "exp_avg_sq", p);
  Tensor vmax = s.amsgrad ? buffer(state, "max_exp_avg_sq", p) : Tensor();
  const double t = static_cast<double>(++state.step);
  // Scalars in double, as PyTorch computes them in Python before the tensor ops.
  const double bias_correction1 = 1 - std::pow(s.beta1, t);
  const double bias_correction2 = 1 - std::pow(s.beta2, t);
  const double step_size = s.lr / bias_correction1;
  const double bias_correction2_sqrt = std::sqrt(bias_correction2);
  update_in_place(p, grad, [&](auto* x, const auto* gr, std::int64_t n) {
    using T = std::remove_pointer_t<decltype(x)>;
    Moments<T> mo(m, v, s.beta1, s.beta2);
    T* vm = s.amsgrad ? vmax.data_ptr<T>() : nullptr;
    const T l2 = static_cast<T>(s.l2), shrink = static_cast<T>(1 - s.lr * s.decoupled);
    const T eps = static_cast<T>(s.eps), bc2 = static_cast<T>(bias_correction2);
    const T bc2_sqrt = static_cast<T>(bias_correction2_sqrt), neg_step = static_cast<T>(-step_size);
    const T neg_lr = static_cast<T>(-s.lr), bc1 = static_cast<T>(bias_correction1);
    const bool use_l2 = s.l2 != 0, decoupled = s.decoupled != 0, inside = s.eps_inside_sqrt;
    auto loop = [&](auto decoupled_c, auto l2_c, auto ams_c, auto inside_c) {
      for (std::int64_t i = 0; i < n; ++i) {
        T xi = x[i];
        if constexpr (decltype(decoupled_c)::value) xi = xi * shrink;
        T g = gr[i];
        if constexpr (decltype(l2_c)::value) g = g + l2 * xi;
        mo.update(i, g);
        T second = mo.v[i];
        if constexpr (decltype(ams_c)::value) second = vm[i] = std::max(vm[i], mo.v[i]);
        if constexpr (decltype(inside_c)::value) {
          // θ ← θ − lr·m̂ / √(v̂ + ε)
          const T denom = std::sqrt(second / bc2 + eps);
          x[i] = xi + neg_lr * (mo.m[i] / bc1) / denom;
        } else {
          const T denom = std::sqrt(second) / bc2_sqrt + eps;
          x[i] = xi + neg_step * mo.m[i] / denom;
        }
      }
    };
    with_flags(decoupled, use_l2, vm != nullptr, [&](auto a, auto b, auto c) {
      if (inside) loop(a, b, c, std::true_type{});
      else loop(a, b, c, std::false_type{});
    });
  });
}

}  // namespace detail

void Adam::update_param(Tensor& p, const Tensor& grad, ParamState& state, const AdamOptions& o) {
  detail::adam_update(p, grad, state, detail::adam_step(o, detail::WeightDecay::l2));
}

}  // namespace xg::optim
