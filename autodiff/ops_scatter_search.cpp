// scatter and index_fill (differentiable in self and src), and the search ops nonzero, argwhere,
// where(condition) and isclose, which give indices or masks and carry no gradient.
#include <cmath>

#include "autodiff/detail/checks.h"
#include "autodiff/detail/record.h"
#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"
#include "tensor/detail/kernels.h"
#include "tensor/detail/kernels_scan.h"

namespace xg {

using autograd::Node;
using autograd::Op;

namespace detail {

// scatter, named as the user called it (scatter or scatter_).
Tensor scatter_named(const char* name, const Tensor& self, std::int64_t dim, const Tensor& index, const Tensor& src,
                     SourceLocation loc) {
  const Op op{name, loc};
  autograd::check_same_dtype(op.name, self, src);
  autograd::check_index(op.name, index);
  if (self.dim() == 0) throw ShapeError(fmt::format("{}: cannot scatter into a zero-dimensional tensor", op.name));
  const std::size_t d = wrap_dim(op.name, dim, self.shape().size());
  if (!(src.shape() == index.shape()))
    throw ShapeError(fmt::format("{}: src shape {} must equal index shape {}", op.name, to_string(src.shape()),
                                 to_string(index.shape())));
  bool ok = index.shape().size() == self.shape().size();
  for (std::size_t k = 0; ok && k < index.shape().size(); ++k) ok = k == d || index.shape()[k] <= self.shape()[k];
  if (!ok)
    throw ShapeError(fmt::format("{}: index shape {} must have the same rank as self {} and not exceed it outside dim {}",
                                 op.name, to_string(index.shape()), to_string(self.shape()), d));
  autograd::check_index_range(op.name, index, self.shape()[d], d);
  Tensor offsets, hit;
  {
    NoGradGuard ng;  // where each index element lands in self, as flat positions
    offsets = gather(arange(0, static_cast<double>(self.numel()), 1, kInt64).reshape(self.shape()),
                     static_cast<std::int64_t>(d), index);
    hit = kernel::scatter_flat(zeros(self.shape(), kBool), offsets, ones(index.shape(), kBool));
  }
  return op.record(kernel::scatter_flat(self, offsets, src), {&self, &src}, {&hit, &index},
                   [](Node& n, const Tensor& g) { return where(n.saved_value(0), autograd::scalar_like(g, 0), g); },
                   [d](Node& n, const Tensor& g) { return gather(g, static_cast<std::int64_t>(d), n.saved_value(1)); });
}

Tensor scatter_value_named(const char* name, const Tensor& self, std::int64_t dim, const Tensor& index, double value,
                           SourceLocation loc) {
  autograd::check_defined(name, self);
  autograd::check_index(name, index);
  check_representable(name, self.dtype(), value);
  return scatter_named(name, self, dim, index, full(index.shape(), value, self.dtype()), loc);
}

// index_fill, named as the user called it (index_fill or index_fill_).
Tensor index_fill_named(const char* name, const Tensor& self, std::int64_t dim, const Tensor& index, double value,
                        SourceLocation loc) {
  const Op op{name, loc};
  autograd::check_defined(op.name, self);
  autograd::check_index(op.name, index);
  if (index.dim() > 1) throw ShapeError(fmt::format("{}: index must be 0-d or 1-d, got shape {}", op.name, to_string(index.shape())));
  const std::size_t d = wrap_dim(op.name, dim, self.shape().size());
  const std::int64_t n = self.dim() == 0 ? 1 : self.shape()[d];
  autograd::check_index_range(op.name, index, n, d);
  check_representable(op.name, self.dtype(), value);
  Shape ms;
  for (std::size_t k = 0; k < self.shape().size(); ++k) ms.push_back(k == d ? n : 1);
  Tensor mask = zeros(ms, kBool);
  const auto* pi = static_cast<const std::int64_t*>(index.raw_data());
  for (std::int64_t i = 0; i < index.numel(); ++i) static_cast<bool*>(mask.raw_data())[pi[i]] = true;
  return where(mask, autograd::scalar_like(self, value, op.name), self, loc);
}

}  // namespace detail

Tensor scatter(const Tensor& self, std::int64_t dim, const Tensor& index, const Tensor& src, SourceLocation loc) {
  return detail::scatter_named("scatter", self, dim, index, src, loc);
}
Tensor scatter(const Tensor& self, std::int64_t dim, const Tensor& index, double value, SourceLocation loc) {
  return detail::scatter_value_named("scatter", self, dim, index, value, loc);
}
Tensor index_fill(const Tensor& self, std::int64_t dim, const Tensor& index, double value, SourceLocation loc) {
  return detail::index_fill_named("index_fill", self, dim, index, value, loc);
}

namespace {
Tensor nonzero_named(const char* name, const Tensor& x) {
  const Op op{name, SourceLocation::current()};
  autograd::check_defined(op.name, x);
  return kernel::nonzero(x);
}
}  // namespace

Tensor nonzero(const Tensor& x) { return nonzero_named("nonzero", x); }
Tensor argwhere(const Tensor& x) { return nonzero_named("argwhere", x); }

std::vector<Tensor> where(const Tensor& condition) {
  const Tensor nz = nonzero_named("where", condition.defined() && condition.dim() == 0 ? reshape(condition, {1}) : condition);
  std::vector<Tensor> out;
  for (std::int64_t d = 0; d < nz.size(1); ++d) out.push_back(kernel::copy(select(nz, 1, d)));
  return out;
}

Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  const Op op{"isclose", SourceLocation::current()};
  autograd::check_same_dtype(op.name, a, b);
  if (!(rtol >= 0) || !(atol >= 0))
    throw ValueError(fmt::format("{}: rtol and atol must be non-negative, got rtol={} atol={}", op.name, rtol, atol));
  const Shape s = broadcast_shapes(op.name, a.shape(), b.shape());
  const auto va = kernel::expand(kernel::cast(a, kFloat64), s).to_vector<double>();
  const auto vb = kernel::expand(kernel::cast(b, kFloat64), s).to_vector<double>();
  Tensor out = make_tensor(s, kBool);
  bool* po = static_cast<bool*>(out.raw_data());
  for (std::size_t i = 0; i < va.size(); ++i) {
    const double x = va[i], y = vb[i];
    po[i] = x == y || (equal_nan && std::isnan(x) && std::isnan(y)) ||
            (std::isfinite(x) && std::isfinite(y) && std::abs(x - y) <= atol + rtol * std::abs(y));
  }
  return out;
}

// ----- Tensor methods -----
Tensor Tensor::scatter(std::int64_t dim, const Tensor& index, const Tensor& src, SourceLocation loc) const {
  return xg::scatter(*this, dim, index, src, loc);
}
Tensor Tensor::scatter(std::int64_t dim, const Tensor& index, double value, SourceLocation loc) const {
  return xg::scatter(*this, dim, index, value, loc);
}
Tensor Tensor::index_fill(std::int64_t dim, const Tensor& index, double value, SourceLocation loc) const {
  return xg::index_fill(*this, dim, index, value, loc);
}
Tensor Tensor::nonzero() const { return xg::nonzero(*this); }
Tensor Tensor::argwhere() const { return xg::argwhere(*this); }
Tensor Tensor::isclose(const Tensor& other, double rtol, double atol, bool equal_nan) const {
  return xg::isclose(*this, other, rtol, atol, equal_nan);
}
TensorOptions Tensor::options() const {
  autograd::check_defined("options", *this);
  return TensorOptions().dtype(dtype()).device(device());
}

}  // namespace xg
