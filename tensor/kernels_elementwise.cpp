// Element-wise kernels: transcendental maps through xsimd, simple ones as plain loops that the
// compiler vectorizes, and a strided loop for broadcasting binary ops.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
// GCC 12 reports false -Wmaybe-uninitialized inside its own AVX-512 intrinsics when xsimd inlines them.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <xsimd/xsimd.hpp>

#include "tensor/kernels.h"

namespace xg::kernel {

namespace {

template <class T, class F>
void map_simd(const T* in, T* out, std::int64_t n, F f) {
  using B = xsimd::batch<T>;
  constexpr std::int64_t W = B::size;
  std::int64_t i = 0;
  for (; i + W <= n; i += W) f(B::load_unaligned(in + i)).store_unaligned(out + i);
  for (; i < n; ++i) out[i] = f(in[i]);
}

template <class T, class F>
void map_plain(const T* in, T* out, std::int64_t n, F f) {
  for (std::int64_t i = 0; i < n; ++i) out[i] = f(in[i]);
}

template <class T>
void unary_typed(Unary op, const T* x, T* y, std::int64_t n) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case Unary::Exp: return map_simd(x, y, n, [](auto v) { return xsimd::exp(v); });
      case Unary::Log: return map_simd(x, y, n, [](auto v) { return xsimd::log(v); });
      case Unary::Log1p: return map_simd(x, y, n, [](auto v) { return xsimd::log1p(v); });
      case Unary::Sqrt: return map_simd(x, y, n, [](auto v) { return xsimd::sqrt(v); });
      case Unary::Rsqrt: return map_simd(x, y, n, [](auto v) { return decltype(v)(1) / xsimd::sqrt(v); });
      case Unary::Sin: return map_simd(x, y, n, [](auto v) { return xsimd::sin(v); });
      case Unary::Cos: return map_simd(x, y, n, [](auto v) { return xsimd::cos(v); });
      case Unary::Tanh: return map_simd(x, y, n, [](auto v) { return xsimd::tanh(v); });
      case Unary::Erf: return map_simd(x, y, n, [](auto v) { return xsimd::erf(v); });
      case Unary::Sigmoid:
        return map_simd(x, y, n, [](auto v) { return decltype(v)(1) / (decltype(v)(1) + xsimd::exp(-v)); });
      case Unary::Reciprocal: return map_plain(x, y, n, [](T v) { return T(1) / v; });
      default: break;
    }
  }
  switch (op) {
    case Unary::Neg: return map_plain(x, y, n, [](T v) { return -v; });
    case Unary::Abs: return map_plain(x, y, n, [](T v) { return v < 0 ? -v : v; });
    case Unary::Sign: return map_plain(x, y, n, [](T v) { return v > 0 ? T(1) : (v < 0 ? T(-1) : T(0)); });
    case Unary::Relu: return map_plain(x, y, n, [](T v) { return v > 0 ? v : T(0); });
    case Unary::Square: return map_plain(x, y, n, [](T v) { return v * v; });
    case Unary::Heaviside: return map_plain(x, y, n, [](T v) { return v > 0 ? T(1) : T(0); });
    default: break;
  }
}

template <class T>
void unary_param_typed(UnaryParam op, const T* x, T* y, std::int64_t n, double a, double b) {
  const T ta = static_cast<T>(a), tb = static_cast<T>(b);
  switch (op) {
    case UnaryParam::PowScalar:
      if (a == 2) return map_plain(x, y, n, [](T v) { return v * v; });
      if (a == 1) return map_plain(x, y, n, [](T v) { return v; });
      return map_plain(x, y, n, [ta](T v) { return static_cast<T>(std::pow(v, ta)); });
    case UnaryParam::LeakyRelu: return map_plain(x, y, n, [ta](T v) { return v > 0 ? v : ta * v; });
    case UnaryParam::LeakySlope: return map_plain(x, y, n, [ta](T v) { return v > 0 ? T(1) : ta; });
    case UnaryParam::Elu: return map_plain(x, y, n, [ta](T v) { return v > 0 ? v : ta * std::expm1(v); });
    case UnaryParam::Softplus:
      // log(1 + exp(beta x)) / beta, linear above the threshold as in PyTorch.
      return map_plain(x, y, n, [ta, tb](T v) {
        const T z = ta * v;
        return z > tb ? v : static_cast<T>(std::log1p(std::exp(z)) / ta);
      });
    case UnaryParam::Gelu:
      return map_plain(x, y, n, [](T v) { return static_cast<T>(0.5 * v * (1.0 + std::erf(v * 0.70710678118654752440))); });
    case UnaryParam::Clamp:
      return map_plain(x, y, n, [a, b, ta, tb](T v) {
        if (!std::isnan(a) && v < ta) v = ta;
        if (!std::isnan(b) && v > tb) v = tb;
        return v;
      });
    case UnaryParam::ClampMask:
      return map_plain(x, y, n, [a, b, ta, tb](T v) {
        return ((std::isnan(a) || v >= ta) && (std::isnan(b) || v <= tb)) ? T(1) : T(0);
      });
    case UnaryParam::AffineScalar: return map_plain(x, y, n, [ta, tb](T v) { return ta * v + tb; });
  }
}

template <class T>
T apply_binary(Binary op, T a, T b) {
  switch (op) {
    case Binary::Add: return a + b;
    case Binary::Sub: return a - b;
    case Binary::Mul: return a * b;
    case Binary::Div: return a / b;
    case Binary::Pow:
      if constexpr (std::is_floating_point_v<T>) return std::pow(a, b);
      else return static_cast<T>(std::pow(static_cast<double>(a), static_cast<double>(b)));
    case Binary::Maximum: return (a > b || a != a) ? a : b;
    case Binary::Minimum: return (a < b || a != a) ? a : b;
    case Binary::Eq: return a == b;
    case Binary::Ne: return a != b;
    case Binary::Lt: return a < b;
    case Binary::Le: return a <= b;
    case Binary::Gt: return a > b;
    case Binary::Ge: return a >= b;
    case Binary::LogicalAnd: return (a != 0) && (b != 0);
  }
  return T{};
}

// The inner loop of a binary op with element strides sa, sb (0 = broadcast) into contiguous out.
template <class T, Binary OP>
void binary_inner(const T* a, std::int64_t sa, const T* b, std::int64_t sb, T* out, std::int64_t n) {
  if (sa == 1 && sb == 1)
    for (std::int64_t i = 0; i < n; ++i) out[i] = apply_binary(OP, a[i], b[i]);
  else if (sa == 1 && sb == 0)
    for (std::int64_t i = 0; i < n; ++i) out[i] = apply_binary(OP, a[i], b[0]);
  else if (sa == 0 && sb == 1)
    for (std::int64_t i = 0; i < n; ++i) out[i] = apply_binary(OP, a[0], b[i]);
  else
    for (std::int64_t i = 0; i < n; ++i) out[i] = apply_binary(OP, a[i * sa], b[i * sb]);
}

using Strides = std::array<std::int64_t, Shape::kMaxDims>;

// Strides of `s` seen through broadcast output shape `out` (0 where s broadcasts).
Strides broadcast_strides(const Shape& s, const Shape& out) {
  Strides st{};
  const auto cs = contiguous_strides(s);
  const std::size_t off = out.size() - s.size();
  for (std::size_t i = 0; i < s.size(); ++i) st[i + off] = s[i] == 1 ? 0 : cs[i];
  return st;
}

template <class T, Binary OP>
void binary_strided(const T* a, const Strides& sa, const T* b, const Strides& sb, T* out, const Shape& os) {
  const std::size_t nd = os.size();
  if (nd == 0) {
    out[0] = apply_binary(OP, a[0], b[0]);
    return;
  }
  const std::int64_t inner = os[nd - 1];
  const std::int64_t total = os.numel();
  if (inner == 0 || total == 0) return;
  std::array<std::int64_t, Shape::kMaxDims> idx{};
  std::int64_t oa = 0, ob = 0;
  for (std::int64_t done = 0; done < total; done += inner) {
    binary_inner<T, OP>(a + oa, sa[nd - 1], b + ob, sb[nd - 1], out + done, inner);
    for (std::size_t d = nd - 1; d-- > 0;) {
      ++idx[d];
      oa += sa[d];
      ob += sb[d];
      if (idx[d] < os[d]) break;
      oa -= sa[d] * idx[d];
      ob -= sb[d] * idx[d];
      idx[d] = 0;
    }
  }
}

template <class T, Binary OP>
void binary_dispatch(const Tensor& a, const Tensor& b, Tensor& out) {
  const T* pa = data_of<T>(a);
  const T* pb = data_of<T>(b);
  T* po = data_of<T>(out);
  const Shape& os = out.shape();
  if (a.shape() == os && b.shape() == os) return binary_inner<T, OP>(pa, 1, pb, 1, po, os.numel());
  if (a.shape() == os && b.numel() == 1) return binary_inner<T, OP>(pa, 1, pb, 0, po, os.numel());
  if (b.shape() == os && a.numel() == 1) return binary_inner<T, OP>(pa, 0, pb, 1, po, os.numel());
  binary_strided<T, OP>(pa, broadcast_strides(a.shape(), os), pb, broadcast_strides(b.shape(), os), po, os);
}

template <class T>
void binary_typed(Binary op, const Tensor& a, const Tensor& b, Tensor& out) {
  switch (op) {
#define XG_CASE(name) case Binary::name: return binary_dispatch<T, Binary::name>(a, b, out);
    XG_CASE(Add) XG_CASE(Sub) XG_CASE(Mul) XG_CASE(Div) XG_CASE(Pow) XG_CASE(Maximum) XG_CASE(Minimum)
    XG_CASE(Eq) XG_CASE(Ne) XG_CASE(Lt) XG_CASE(Le) XG_CASE(Gt) XG_CASE(Ge) XG_CASE(LogicalAnd)
#undef XG_CASE
  }
}

}  // namespace

Tensor unary(Unary op, const Tensor& x) {
  Tensor y = make_tensor(x.shape(), x.dtype());
  dispatch(x.dtype(), [&](auto t) {
    using T = decltype(t);
    unary_typed<T>(op, data_of<T>(x), data_of<T>(y), x.numel());
  });
  return y;
}

Tensor unary_param(UnaryParam op, const Tensor& x, double a, double b) {
  Tensor y = make_tensor(x.shape(), x.dtype());
  dispatch(x.dtype(), [&](auto t) {
    using T = decltype(t);
    unary_param_typed<T>(op, data_of<T>(x), data_of<T>(y), x.numel(), a, b);
  });
  return y;
}

Tensor binary(Binary op, const Tensor& a, const Tensor& b) {
  Tensor out = make_tensor(broadcast_shapes("binary", a.shape(), b.shape()), a.dtype());
  dispatch(a.dtype(), [&](auto t) { binary_typed<decltype(t)>(op, a, b, out); });
  return out;
}

void binary_inplace(Binary op, Tensor& self, const Tensor& other) {
  // Writing through the same pointer is safe: each output element depends only on its own input.
  dispatch(self.dtype(), [&](auto t) { binary_typed<decltype(t)>(op, self, other, self); });
}

void fill(Tensor& self, double v) {
  dispatch(self.dtype(), [&](auto t) {
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
  dispatch(c.dtype(), [&](auto ct) {
    using C = decltype(ct);
    const C* pc = data_of<C>(c);
    dispatch(a.dtype(), [&](auto t) {
      using T = decltype(t);
      const T* pa = data_of<T>(ea);
      const T* pb = data_of<T>(eb);
      T* po = data_of<T>(out);
      for (std::int64_t i = 0, n = out.numel(); i < n; ++i) po[i] = pc[i] != 0 ? pa[i] : pb[i];
    });
  });
  return out;
}

Tensor cast(const Tensor& x, DType d) {
  Tensor out = make_tensor(x.shape(), d);
  dispatch(x.dtype(), [&](auto st) {
    using S = decltype(st);
    const S* ps = data_of<S>(x);
    dispatch(d, [&](auto dt) {
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
  if (x.dtype() == kInt64) return false;
  return dispatch_float(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* p = data_of<T>(x);
    bool bad = false;
    for (std::int64_t i = 0, n = x.numel(); i < n; ++i) bad |= !std::isfinite(p[i]);
    return bad;
  });
}

}  // namespace xg::kernel
