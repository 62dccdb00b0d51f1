// Copies that rearrange data: permute, expand, cat, narrow, indexing.
#include <algorithm>
#include <cstring>

#include "tensor/detail/kernels.h"

namespace xg::kernel {

namespace {

using Strides = std::array<std::int64_t, Shape::kMaxDims>;

// out[i...] = src[sum_d i_d * st[d]] for every index of contiguous `out`.
template <class T>
void strided_copy(const T* src, const Strides& st, T* out, const Shape& os) {
  const std::size_t nd = os.size();
  const std::int64_t total = os.numel();
  if (total == 0) return;
  if (nd == 0) {
    out[0] = src[0];
    return;
  }
  const std::int64_t inner = os[nd - 1], si = st[nd - 1];
  std::array<std::int64_t, Shape::kMaxDims> idx{};
  std::int64_t off = 0;
  for (std::int64_t done = 0; done < total; done += inner) {
    if (si == 1) std::memcpy(out + done, src + off, static_cast<std::size_t>(inner) * sizeof(T));
    else
      for (std::int64_t i = 0; i < inner; ++i) out[done + i] = src[off + i * si];
    for (std::size_t d = nd - 1; d-- > 0;) {
      ++idx[d];
      off += st[d];
      if (idx[d] < os[d]) break;
      off -= st[d] * idx[d];
      idx[d] = 0;
    }
  }
}

Tensor strided(const Tensor& x, const Strides& st, const Shape& os) {
  Tensor out = make_tensor(os, x.dtype());
  dispatch_all(x.dtype(), [&](auto t) {
    using T = decltype(t);
    strided_copy<T>(data_of<T>(x), st, data_of<T>(out), os);
  });
  return out;
}

// Sizes of the blocks before, at and after `dim`.
struct ABlock {
  std::int64_t A = 1, N = 1, B = 1;
};
ABlock split(const Shape& s, std::size_t dim) {
  ABlock b;
  for (std::size_t d = 0; d < s.size(); ++d) {
    if (d < dim) b.A *= s[d];
    else if (d == dim) b.N = s[d];
    else b.B *= s[d];
  }
  return b;
}

}  // namespace

Tensor permute(const Tensor& x, const std::vector<std::size_t>& perm) {
  const auto cs = contiguous_strides(x.shape());
  Strides st{};
  Shape os;
  for (std::size_t i = 0; i < perm.size(); ++i) {
    os.push_back(x.shape()[perm[i]]);
    st[i] = cs[perm[i]];
  }
  return strided(x, st, os);
}

Tensor expand(const Tensor& x, const Shape& shape) {
  const auto cs = contiguous_strides(x.shape());
  Strides st{};
  const std::size_t off = shape.size() - x.shape().size();
  for (std::size_t i = 0; i < x.shape().size(); ++i) st[i + off] = x.shape()[i] == 1 ? 0 : cs[i];
  return strided(x, st, shape);
}

Tensor cat(const std::vector<Tensor>& xs, std::size_t dim) {
  Shape os = xs.front().shape();
  os[dim] = 0;
  for (const auto& x : xs) os[dim] += x.shape()[dim];
  Tensor out = make_tensor(os, xs.front().dtype());
  const std::size_t es = dtype_size(out.dtype());
  const ABlock ob = split(os, dim);
  auto* po = static_cast<char*>(out.raw_data());
  std::int64_t at = 0;
  for (const auto& x : xs) {
    const ABlock xb = split(x.shape(), dim);
    const auto row = static_cast<std::size_t>(xb.N * xb.B) * es;
    const auto* px = static_cast<const char*>(x.raw_data());
    if (row > 0)
      for (std::int64_t a = 0; a < xb.A; ++a)
        std::memcpy(po + static_cast<std::size_t>(a * ob.N * ob.B + at * ob.B) * es, px + a * row, row);
    at += xb.N;
  }
  return out;
}

Tensor narrow(const Tensor& x, std::size_t dim, std::int64_t start, std::int64_t length) {
  Shape os = x.shape();
  os[dim] = length;
  Tensor out = make_tensor(os, x.dtype());
  const std::size_t es = dtype_size(x.dtype());
  const ABlock xb = split(x.shape(), dim);
  const auto row = static_cast<std::size_t>(length * xb.B) * es;
  const auto* px = static_cast<const char*>(x.raw_data());
  auto* po = static_cast<char*>(out.raw_data());
  if (row > 0)
    for (std::int64_t a = 0; a < xb.A; ++a)
      std::memcpy(po + a * row, px + static_cast<std::size_t>(a * xb.N * xb.B + start * xb.B) * es, row);
  return out;
}

Tensor narrow_scatter(const Shape& shape, const Tensor& src, std::size_t dim, std::int64_t start) {
  Tensor out = make_tensor(shape, src.dtype());
  std::memset(out.raw_data(), 0, static_cast<std::size_t>(out.numel()) * dtype_size(out.dtype()));
  const std::size_t es = dtype_size(src.dtype());
  const ABlock ob = split(shape, dim);
  const std::int64_t length = src.shape()[dim];
  const auto row = static_cast<std::size_t>(length * ob.B) * es;
  const auto* ps = static_cast<const char*>(src.raw_data());
  auto* po = static_cast<char*>(out.raw_data());
  if (row > 0)
    for (std::int64_t a = 0; a < ob.A; ++a)
      std::memcpy(po + static_cast<std::size_t>(a * ob.N * ob.B + start * ob.B) * es, ps + a * row, row);
  return out;
}

Tensor index_select(const Tensor& x, std::size_t dim, const Tensor& index) {
  Shape os = x.shape();
  os[dim] = index.numel();
  Tensor out = make_tensor(os, x.dtype());
  const std::size_t es = dtype_size(x.dtype());
  const ABlock xb = split(x.shape(), dim);
  const auto* idx = data_of<std::int64_t>(index);
  const std::int64_t K = index.numel();
  const auto row = static_cast<std::size_t>(xb.B) * es;
  const auto* px = static_cast<const char*>(x.raw_data());
  auto* po = static_cast<char*>(out.raw_data());
  if (row > 0)
    for (std::int64_t a = 0; a < xb.A; ++a)
      for (std::int64_t k = 0; k < K; ++k) {
        const std::int64_t i = idx[k] < 0 ? idx[k] + xb.N : idx[k];
        std::memcpy(po + static_cast<std::size_t>(a * K + k) * row, px + static_cast<std::size_t>(a * xb.N + i) * row, row);
      }
  return out;
}

Tensor index_add(const Tensor& self, std::size_t dim, const Tensor& index, const Tensor& src) {
  Tensor out = copy(self);
  const ABlock ob = split(self.shape(), dim);
  const auto* idx = data_of<std::int64_t>(index);
  const std::int64_t K = index.numel();
  dispatch(self.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* ps = data_of<T>(src);
    T* po = data_of<T>(out);
    for (std::int64_t a = 0; a < ob.A; ++a)
      for (std::int64_t k = 0; k < K; ++k) {
        const std::int64_t i = idx[k] < 0 ? idx[k] + ob.N : idx[k];
        T* dst = po + (a * ob.N + i) * ob.B;
        const T* s = ps + (a * K + k) * ob.B;
        for (std::int64_t b = 0; b < ob.B; ++b) dst[b] += s[b];
      }
  });
  return out;
}

namespace {
// Calls f(flat position in `index`, flat position in `target`) for every element of `index`,
// where the target position uses index's value along `dim` and the element's own coordinate
// elsewhere.
template <class F>
void for_each_indexed(const Shape& index_shape, const std::int64_t* idx, const Shape& target, std::size_t dim, F f) {
  const auto ts = contiguous_strides(target);
  const std::size_t nd = index_shape.size();
  const std::int64_t total = index_shape.numel();
  // Along the last dim with the leading sizes equal (a pool's indices): row r of index is row r
  // of target.
  if (nd > 0 && dim == nd - 1 && std::equal(index_shape.begin(), index_shape.end() - 1, target.begin())) {
    const std::int64_t inner = index_shape[nd - 1], width = target[nd - 1];
    if (inner == 0) return;
    for (std::int64_t r = 0, rows = total / inner; r < rows; ++r)
      for (std::int64_t j = 0; j < inner; ++j) {
        const std::int64_t i = r * inner + j, v = idx[i];
        f(i, r * width + (v < 0 ? v + width : v));
      }
    return;
  }
  std::array<std::int64_t, Shape::kMaxDims> c{};
  for (std::int64_t i = 0; i < total; ++i) {
    std::int64_t off = 0;
    for (std::size_t d = 0; d < nd; ++d) {
      std::int64_t v = d == dim ? idx[i] : c[d];
      if (d == dim && v < 0) v += target[d];
      off += v * ts[d];
    }
    f(i, off);
    for (std::size_t d = nd; d-- > 0;) {
      if (++c[d] < index_shape[d]) break;
      c[d] = 0;
    }
  }
}
}  // namespace

Tensor gather(const Tensor& x, std::size_t dim, const Tensor& index) {
  Tensor out = make_tensor(index.shape(), x.dtype());
  dispatch_all(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* px = data_of<T>(x);
    T* po = data_of<T>(out);
    for_each_indexed(index.shape(), data_of<std::int64_t>(index), x.shape(), dim,
                     [&](std::int64_t i, std::int64_t off) { po[i] = px[off]; });
  });
  return out;
}

Tensor scatter_add(const Tensor& self, std::size_t dim, const Tensor& index, const Tensor& src) {
  Tensor out = copy(self);
  const auto ss = contiguous_strides(src.shape());
  dispatch(self.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* ps = data_of<T>(src);
    T* po = data_of<T>(out);
    const auto is = contiguous_strides(index.shape());
    if (src.shape() == index.shape()) {
      for_each_indexed(index.shape(), data_of<std::int64_t>(index), self.shape(), dim,
                       [&](std::int64_t i, std::int64_t off) { po[off] += ps[i]; });
      return;
    }
    for_each_indexed(index.shape(), data_of<std::int64_t>(index), self.shape(), dim, [&](std::int64_t i, std::int64_t off) {
      // src may be larger than index: find src's element with index's coordinates.
      std::int64_t rem = i, soff = 0;
      for (std::size_t d = 0; d < index.shape().size(); ++d) {
        soff += (rem / is[d]) * ss[d];
        rem %= is[d];
      }
      po[off] += ps[soff];
    });
  });
  return out;
}

Tensor one_hot(const Tensor& index, std::int64_t num_classes, DType dtype) {
  Shape os = index.shape();
  os.push_back(num_classes);
  Tensor out = make_tensor(os, dtype);
  fill(out, 0);
  const auto* idx = data_of<std::int64_t>(index);
  dispatch_all(dtype, [&](auto t) {
    using T = decltype(t);
    T* po = data_of<T>(out);
    for (std::int64_t i = 0, n = index.numel(); i < n; ++i) po[i * num_classes + idx[i]] = T(1);
  });
  return out;
}

}  // namespace xg::kernel
