#pragma once
// Internal: what the fused update loops share. Each runs over a parameter's data in place (every
// element reads only its own old value before writing it) and takes its loop-invariant choices
// at compile time, so each loop is a straight vectorizable stream.
#include <type_traits>

#include "optim/optimizer.h"

namespace xg::optim::detail {

// Calls body(x, g, n): x = p's data (float* or double*, updated in place), g = grad's, n elements;
// then records the write in p's version counter.
template <class Body> void update_in_place(Tensor& p, const Tensor& grad, Body&& body) {
  dispatch_float(p.dtype(), [&](auto zero) {
    using T = decltype(zero);
    body(p.data_ptr<T>(), grad.data_ptr<T>(), p.numel());
  });
  mark_updated(p);
}

// The Adam family's two moment estimates, m ← β1·m + (1−β1)·g and v ← β2·v + (1−β2)·g², over a
// parameter's "exp_avg" and "exp_avg_sq" buffers, with the constants cast once to T.
template <class T> struct Moments {
  T* m;
  T* v;
  T b1, b2, one_b1, one_b2;
  Moments(Tensor& m_buf, Tensor& v_buf, double beta1, double beta2)
      : m(m_buf.data_ptr<T>()), v(v_buf.data_ptr<T>()), b1(static_cast<T>(beta1)), b2(static_cast<T>(beta2)),
        one_b1(static_cast<T>(1 - beta1)), one_b2(static_cast<T>(1 - beta2)) {}
  void update(std::int64_t i, T g) {
    m[i] = m[i] * b1 + one_b1 * g;
    v[i] = v[i] * b2 + one_b2 * g * g;
  }
};

// Calls f(std::bool_constant<a>{}, std::bool_constant<b>{}, std::bool_constant<c>{}).
template <class F>
void with_flags(bool a, bool b, bool c, F&& f) {
  auto pick_c = [&](auto ca, auto cb) {
    if (c) f(ca, cb, std::true_type{});
    else f(ca, cb, std::false_type{});
  };
  auto pick_b = [&](auto ca) {
    if (b) pick_c(ca, std::true_type{});
    else pick_c(ca, std::false_type{});
  };
  if (a) pick_b(std::true_type{});
  else pick_b(std::false_type{});
}

}  // namespace xg::optim::detail
