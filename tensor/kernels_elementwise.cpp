// The element-wise kernels that are not instantiated per op: fill, where, cast, copy.
#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "tensor/detail/kernels.h"

namespace xg::kernel {

void fill(Tensor& self, double v) {
  dispatch_all(self.dtype(), [&](auto t) {
    using T = decltype(t);
    T* p = data_of<T>(self);
    const T tv = static_cast<T>(v);
    for (std::int64_t i = 0, n = self.numel(); i < n; ++i) p[i] = tv;
  });
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  const Shape os = broadcast_shapes("where", broadcast_shapes("where", cond.shape(), a.shape()), b.shape());
  const Tensor c = cond.shape() == os ? cond : expand(cond, os);
  const Tensor ea = a.shape() == os ? a : expand(a, os);
  const Tensor eb = b.shape() == os ? b : expand(b, os);
  Tensor out = make_tensor(os, a.dtype());
  dispatch_all(c.dtype(), [&](auto ct) {
    using C = decltype(ct);
    const C* pc = data_of<C>(c);
    dispatch_all(a.dtype(), [&](auto t) {
      using T = decltype(t);
      const T* pa = data_of<T>(ea);
      const T* pb = data_of<T>(eb);
      T* po = data_of<T>(out);
      for (std::int64_t i = 0, n = out.numel(); i < n; ++i) po[i] = pc[i] != 0 ? pa[i] : pb[i];
    });
  });
  return out;
}

Tensor cast(const Tensor& x, DType d, const char* op) {
  // Float to an integer dtype: every value must fit (NaN, inf or out of range is a ValueError).
  // Integer to a narrower integer wraps, as PyTorch's conversions do.
  if (!is_floating(d) && d != kBool && is_floating(x.dtype()))
    dispatch_float(x.dtype(), [&](auto st) {
      using S = decltype(st);
      const S* ps = data_of<S>(x);
      dispatch_all(d, [&](auto dt) {
        using D = decltype(dt);
        for (std::int64_t i = 0, n = x.numel(); i < n; ++i)
          if (!fits<D>(ps[i]))
            throw ValueError(fmt::format("{}: value {} at flat index {} cannot be converted to {} (it is NaN, infinite or "
                                         "out of range)", op, ps[i], i, dtype_name(d)));
      });
    });
  Tensor out = make_tensor(x.shape(), d, op);
  dispatch_all(x.dtype(), [&](auto st) {
    using S = decltype(st);
    const S* ps = data_of<S>(x);
    dispatch_all(d, [&](auto dt) {
      using D = decltype(dt);
      D* pd = data_of<D>(out);
      for (std::int64_t i = 0, n = x.numel(); i < n; ++i) pd[i] = static_cast<D>(ps[i]);
    });
  });
  return out;
}

Tensor copy(const Tensor& x) {
  Tensor out = make_tensor(x.shape(), x.dtype());
  if (x.numel() > 0) std::memcpy(out.raw_data(), x.raw_data(), static_cast<std::size_t>(x.numel()) * dtype_size(x.dtype()));
  return out;
}

bool has_nonfinite(const Tensor& x) {
  if (!is_floating(x.dtype())) return false;
  return dispatch_float(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* p = data_of<T>(x);
    bool bad = false;
    for (std::int64_t i = 0, n = x.numel(); i < n; ++i) bad |= !std::isfinite(p[i]);
    return bad;
  });
}

}  // namespace xg::kernel
