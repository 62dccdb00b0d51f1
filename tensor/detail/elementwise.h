#pragma once
// Internal: the element-wise kernel templates. An op instantiates them with its scalar function
// (a lambda), so a new element-wise op needs no enum value and no switch case. Callers have
// validated dtypes and shapes. Included only by the library's .cpp files (it pulls in xsimd).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <type_traits>
// GCC 12 reports false -W(maybe-)uninitialized inside its own AVX-512 intrinsics when xsimd
// inlines them (at the end of the translation unit, so push/pop around the include cannot help).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <xsimd/xsimd.hpp>

#include "tensor/detail/parallel.h"
#include "tensor/detail/tensor_impl.h"

namespace xg::kernel {

// Element-wise loops use both cores from this many elements on (below it a thread costs more
// than it saves).
inline constexpr std::int64_t kParallelElements = std::int64_t{1} << 18;

// f(begin, end) over [0, n), split across threads when n is large.
template <class F>
void for_ranges(std::int64_t n, F&& f) {
  if (n < kParallelElements) {
    if (n > 0) f(std::int64_t{0}, n);
    return;
  }
  parallel_for(n, kParallelElements, f);
}

// y = f(x) with f called on xsimd batches of T (float or double); the tail goes through one
// zero-padded batch, so f needs no scalar form.
template <class F>
Tensor map_simd(const Tensor& x, F f) {
  Tensor y = make_tensor(x.shape(), x.dtype());
  dispatch_float(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    using B = xsimd::batch<T>;
    constexpr std::int64_t W = B::size;
    const T* in = data_of<T>(x);
    T* out = data_of<T>(y);
    // Pieces of whole batches, so only the last piece has a tail.
    const std::int64_t n = x.numel(), batches = (n + W - 1) / W;
    for_ranges(batches, [&](std::int64_t b0, std::int64_t b1) {
      std::int64_t i = b0 * W;
      const std::int64_t end = std::min(n, b1 * W);
      for (; i + W <= end; i += W) f(B::load_unaligned(in + i)).store_unaligned(out + i);
      if (i < end) {
        alignas(64) std::array<T, W> buf{};
        std::memcpy(buf.data(), in + i, static_cast<std::size_t>(end - i) * sizeof(T));
        f(B::load_aligned(buf.data())).store_aligned(buf.data());
        std::memcpy(out + i, buf.data(), static_cast<std::size_t>(end - i) * sizeof(T));
      }
    });
  });
  return y;
}

// y = f(x) with f called on scalars of x's dtype (a plain loop the compiler vectorizes).
template <class F>
Tensor map(const Tensor& x, F f) {
  Tensor y = make_tensor(x.shape(), x.dtype());
  dispatch(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = data_of<T>(x);
    T* out = data_of<T>(y);
    for_ranges(x.numel(), [&](std::int64_t i0, std::int64_t i1) {
      for (std::int64_t i = i0; i < i1; ++i) out[i] = static_cast<T>(f(in[i]));
    });
  });
  return y;
}

// Whether pred holds for some element of x (a read-only scan that stops at the first). Rules use
// it to take an exact-but-slower form only when an edge point (a zero) is present.
template <class P>
bool any_of(const Tensor& x, P pred) {
  bool found = false;
  dispatch(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = data_of<T>(x);
    for (std::int64_t i = 0, n = x.numel(); i < n && !found; ++i) found = pred(in[i]);
  });
  return found;
}

namespace detail {

using Strides = std::array<std::int64_t, Shape::kMaxDims>;

// Strides of `s` seen through the broadcast shape `out` (0 where s broadcasts).
inline Strides broadcast_strides(const Shape& s, const Shape& out) {
  Strides st{};
  const auto cs = contiguous_strides(s);
  const std::size_t off = out.size() - s.size();
  for (std::size_t i = 0; i < s.size(); ++i) st[i + off] = s[i] == 1 ? 0 : cs[i];
  return st;
}

// The inner loop with element strides sa, sb (0 = broadcast) into contiguous out.
template <class T, class F>
void zip_inner(const T* a, std::int64_t sa, const T* b, std::int64_t sb, T* out, std::int64_t n, F f) {
  if (sa == 1 && sb == 1)
    for (std::int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(f(a[i], b[i]));
  else if (sa == 1 && sb == 0)
    for (std::int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(f(a[i], b[0]));
  else if (sa == 0 && sb == 1)
    for (std::int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(f(a[0], b[i]));
  else
    for (std::int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(f(a[i * sa], b[i * sb]));
}

// Rows [r0, r1) of the output (a row = its last dim).
template <class T, class F>
void zip_strided_rows(const T* a, const Strides& sa, const T* b, const Strides& sb, T* out, const Shape& os, std::int64_t r0,
                      std::int64_t r1, F f) {
  const std::size_t nd = os.size();
  const std::int64_t inner = os[nd - 1];
  std::array<std::int64_t, Shape::kMaxDims> idx{};
  std::int64_t oa = 0, ob = 0;
  for (std::size_t d = nd - 1, rest = static_cast<std::size_t>(r0); d-- > 0;) {
    idx[d] = static_cast<std::int64_t>(rest) % os[d];
    rest /= static_cast<std::size_t>(os[d]);
    oa += idx[d] * sa[d];
    ob += idx[d] * sb[d];
  }
  for (std::int64_t r = r0; r < r1; ++r) {
    zip_inner<T>(a + oa, sa[nd - 1], b + ob, sb[nd - 1], out + r * inner, inner, f);
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

template <class T, class F>
void zip_strided(const T* a, const Strides& sa, const T* b, const Strides& sb, T* out, const Shape& os, F f) {
  if (os.size() == 0) {
    out[0] = static_cast<T>(f(a[0], b[0]));
    return;
  }
  const std::int64_t inner = os[os.size() - 1], total = os.numel();
  if (inner == 0 || total == 0) return;
  const std::int64_t rows = total / inner;
  if (total < kParallelElements) return zip_strided_rows<T>(a, sa, b, sb, out, os, 0, rows, f);
  parallel_for(rows, inner, [&](std::int64_t r0, std::int64_t r1) { zip_strided_rows<T>(a, sa, b, sb, out, os, r0, r1, f); });
}

// out = f(a, b) elementwise with broadcasting; out may alias a (each output element reads only
// its own inputs first).
template <class T, class F>
void zip_typed(const Tensor& a, const Tensor& b, Tensor& out, F f) {
  const T* pa = data_of<T>(a);
  const T* pb = data_of<T>(b);
  T* po = data_of<T>(out);
  const Shape& os = out.shape();
  const std::int64_t sa = a.shape() == os ? 1 : a.numel() == 1 ? 0 : -1, sb = b.shape() == os ? 1 : b.numel() == 1 ? 0 : -1;
  if (sa >= 0 && sb >= 0 && sa + sb > 0)
    return for_ranges(os.numel(), [&](std::int64_t i0, std::int64_t i1) {
      zip_inner<T>(pa + i0 * sa, sa, pb + i0 * sb, sb, po + i0, i1 - i0, f);
    });
  zip_strided<T>(pa, broadcast_strides(a.shape(), os), pb, broadcast_strides(b.shape(), os), po, os, f);
}

}  // namespace detail

// out = f(a, b) with NumPy broadcasting; a and b have the same dtype and f is called on scalars
// of it. Comparisons return bool, which becomes 1/0 in that dtype.
template <class F>
Tensor zip(const Tensor& a, const Tensor& b, F f) {
  Tensor out = make_tensor(broadcast_shapes("binary", a.shape(), b.shape()), a.dtype());
  dispatch(a.dtype(), [&](auto zero) { detail::zip_typed<decltype(zero)>(a, b, out, f); });
  return out;
}

// self = f(self, other) with other broadcast to self's shape.
template <class F>
void zip_into(Tensor& self, const Tensor& other, F f) {
  dispatch(self.dtype(), [&](auto zero) { detail::zip_typed<decltype(zero)>(self, other, self, f); });
}

}  // namespace xg::kernel
