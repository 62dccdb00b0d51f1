// Scans along a dim, sort permutations, ordered scatter and nonzero coordinates.
#include "tensor/detail/kernels_scan.h"

#include "tensor/detail/kernels.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <type_traits>
#include <vector>

namespace xg::kernel {

namespace {

// Sizes before, at and after `dim`: element (a, n, b) sits at (a * N + n) * B + b.
struct Lines {
  std::int64_t A = 1, N = 1, B = 1;
  Lines(const Shape& s, std::size_t dim) {
    for (std::size_t d = 0; d < s.size(); ++d) {
      if (d < dim) A *= s[d];
      else if (d == dim) N = s[d];
      else B *= s[d];
    }
  }
};

template <class Combine>
Tensor scan(const Tensor& x, std::size_t dim, Combine combine) {
  Tensor out = make_tensor(x.shape(), x.dtype());
  const Lines l(x.shape(), dim);
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = data_of<T>(x);
    T* po = data_of<T>(out);
    for (std::int64_t a = 0; a < l.A; ++a)
      for (std::int64_t b = 0; b < l.B; ++b) {
        const std::int64_t base = a * l.N * l.B + b;
        for (std::int64_t n = 0; n < l.N; ++n) {
          const std::int64_t i = base + n * l.B;
          po[i] = n == 0 ? px[i] : combine(po[i - l.B], px[i]);
        }
      }
  });
  return out;
}

template <class T> bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
  else return false;
}

}  // namespace

Tensor cumsum(const Tensor& x, std::size_t dim) {
  return scan(x, dim, [](auto acc, auto v) { return acc + v; });
}
Tensor cumprod(const Tensor& x, std::size_t dim) {
  return scan(x, dim, [](auto acc, auto v) { return acc * v; });
}

Tensor sort_indices(const Tensor& x, std::size_t dim, bool descending) {
  Tensor out = make_tensor(x.shape(), kInt64);
  const Lines l(x.shape(), dim);
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = data_of<T>(x);
    auto* po = data_of<std::int64_t>(out);
    std::vector<std::int64_t> perm(static_cast<std::size_t>(l.N));
    for (std::int64_t a = 0; a < l.A; ++a)
      for (std::int64_t b = 0; b < l.B; ++b) {
        const T* line = px + a * l.N * l.B + b;
        std::iota(perm.begin(), perm.end(), std::int64_t{0});
        // NaN is the largest value; std::stable_sort keeps equal values (NaNs included) in order.
        const auto less = [&](std::int64_t i, std::int64_t j) {
          const T u = line[i * l.B], v = line[j * l.B];
          return (!is_nan(u) && is_nan(v)) || u < v;
        };
        if (descending) std::stable_sort(perm.begin(), perm.end(), [&](std::int64_t i, std::int64_t j) { return less(j, i); });
        else std::stable_sort(perm.begin(), perm.end(), less);
        std::int64_t* o = po + a * l.N * l.B + b;
        for (std::int64_t n = 0; n < l.N; ++n) o[n * l.B] = perm[static_cast<std::size_t>(n)];
      }
  });
  return out;
}

Tensor scatter_flat(const Tensor& self, const Tensor& offsets, const Tensor& src) {
  Tensor out = copy(self);
  const auto* off = data_of<std::int64_t>(offsets);
  dispatch_all(self.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* ps = data_of<T>(src);
    T* po = data_of<T>(out);
    for (std::int64_t i = 0, n = offsets.numel(); i < n; ++i) po[off[i]] = ps[i];
  });
  return out;
}

Tensor nonzero(const Tensor& x) {
  const auto nd = static_cast<std::int64_t>(x.shape().size());
  std::vector<std::int64_t> coords;
  std::int64_t rows = 0;
  dispatch_all(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = data_of<T>(x);
    std::array<std::int64_t, Shape::kMaxDims> c{};
    for (std::int64_t i = 0, n = x.numel(); i < n; ++i) {
      if (px[i] != T(0)) {
        ++rows;
        coords.insert(coords.end(), c.begin(), c.begin() + nd);
      }
      for (std::int64_t d = nd; d-- > 0;) {
        if (++c[static_cast<std::size_t>(d)] < x.shape()[static_cast<std::size_t>(d)]) break;
        c[static_cast<std::size_t>(d)] = 0;
      }
    }
  });
  Tensor out = make_tensor(Shape{rows, nd}, kInt64);
  std::copy(coords.begin(), coords.end(), data_of<std::int64_t>(out));
  return out;
}

}  // namespace xg::kernel
