// Reductions. Their gradients broadcast the incoming gradient back over the reduced dims.
#include <algorithm>
#include <cmath>
#include <limits>

#include "autodiff/detail/checks.h"
#include "autodiff/detail/record.h"
#include "autodiff/ops.h"
#include "tensor/detail/elementwise.h"
#include "tensor/detail/reduce.h"
#include "tensor/detail/kernels.h"

namespace xg {

using autograd::Node;
using autograd::Op;

namespace {

// Wrapped, sorted, unique dims; empty input = every dim.
std::vector<std::size_t> reduce_dims(const char* op, const Tensor& x, const std::vector<std::int64_t>& dims) {
  std::vector<std::size_t> out;
  const std::size_t nd = x.shape().size();
  if (dims.empty()) {
    for (std::size_t d = 0; d < nd; ++d) out.push_back(d);
    return out;
  }
  for (auto d : dims) {
    const std::size_t w = wrap_dim(op, d, nd);
    if (std::find(out.begin(), out.end(), w) != out.end())
      throw ValueError(fmt::format("{}: dim {} appears more than once in the reduction dims", op, d));
    out.push_back(w);
  }
  if (nd == 0) out.clear();  // dim 0 / -1 of a 0-d tensor means the tensor itself
  std::sort(out.begin(), out.end());
  return out;
}

std::int64_t reduced_count(const Shape& s, const std::vector<std::size_t>& dims) {
  std::int64_t n = 1;
  for (auto d : dims) n *= s[d];
  return n;
}

// The shape of the result with keepdim=true.
Shape keep_shape(const Shape& s, const std::vector<std::size_t>& dims) {
  Shape k = s;
  for (auto d : dims) k[d] = 1;
  return k;
}

// Brings a reduction's result (or its gradient) back to the input's shape.
Tensor expand_back(const Tensor& g, const Shape& in_shape, const std::vector<std::size_t>& dims) {
  return expand(reshape(g, keep_shape(in_shape, dims)), in_shape);
}

void check_nonempty(const char* op, const Tensor& x, const std::vector<std::size_t>& dims) {
  if (reduced_count(x.shape(), dims) == 0)
    throw ValueError(fmt::format("{}: cannot reduce over zero elements (input shape {})", op, to_string(x.shape())));
}

std::vector<std::int64_t> as_i64(const std::vector<std::size_t>& d) { return {d.begin(), d.end()}; }

}  // namespace

Tensor sum(const Tensor& x, Dims dims_in, bool keepdim, SourceLocation loc) {
  const Op op{"sum", loc};
  autograd::check_defined(op.name, x);
  const auto dims = reduce_dims(op.name, x, dims_in);
  // bool, uint8 and int32 sum into int64, as PyTorch (a mask's sum counts its true elements).
  if (!is_compute(x.dtype())) return kernel::reduce<kernel::SumOp>(kernel::cast(x, kInt64), dims, keepdim);
  return op.record(kernel::reduce<kernel::SumOp>(x, dims, keepdim), {&x}, {},
                   [s = x.shape(), dims](Node&, const Tensor& g) { return expand_back(g, s, dims); });
}
Tensor sum(const Tensor& x, SourceLocation loc) { return sum(x, {}, false, loc); }

Tensor mean(const Tensor& x, Dims dims_in, bool keepdim, SourceLocation loc) {
  const Op op{"mean", loc};
  autograd::check_float(op.name, x);
  const auto dims = reduce_dims(op.name, x, dims_in);
  check_nonempty(op.name, x, dims);
  const double inv = 1.0 / static_cast<double>(reduced_count(x.shape(), dims));
  Tensor out = kernel::reduce<kernel::SumOp>(x, dims, keepdim);
  kernel::zip_into(out, autograd::scalar_like(out, inv), [](auto a, auto b) { return a * b; });
  return op.record(out, {&x}, {},
                   [s = x.shape(), dims, inv](Node&, const Tensor& g) { return expand_back(mul(g, inv), s, dims); });
}
Tensor mean(const Tensor& x, SourceLocation loc) { return mean(x, {}, false, loc); }

namespace {
bool any_zero(const Tensor& x) {
  return kernel::any_of(x, [](auto v) { return v == 0; });
}
}  // namespace

Tensor var(const Tensor& x, Dims dims_in, bool unbiased, bool keepdim, SourceLocation loc) {
  autograd::check_float("var", x);
  const auto dims = reduce_dims("var", x, dims_in);
  const std::int64_t n = reduced_count(x.shape(), dims);
  if (n - (unbiased ? 1 : 0) <= 0)
    throw ValueError(fmt::format("var: {} variance needs at least {} element(s) per reduction, got {} (input shape {})",
                                 unbiased ? "unbiased" : "biased", unbiased ? 2 : 1, n, to_string(x.shape())));
  const auto d64 = as_i64(dims);
  const Tensor centered = sub(x, mean(x, d64, true, loc), loc);
  const double denominator = static_cast<double>(n - (unbiased ? 1 : 0));
  if (!centered.requires_grad() || !GradMode::is_enabled()) {
    // Nothing to record: square in place, so a dataset's variance costs one temporary copy, not two.
    Tensor squared = centered;
    kernel::zip_into(squared, centered, [](auto a, auto b) { return a * b; });
    return div(sum(squared, d64, keepdim, loc), denominator, loc);
  }
  return div(sum(mul(centered, centered, loc), d64, keepdim, loc), denominator, loc);
}
Tensor var(const Tensor& x, SourceLocation loc) { return var(x, {}, true, false, loc); }

Tensor std(const Tensor& x, Dims dims, bool unbiased, bool keepdim, SourceLocation loc) {
  const Op op{"std", loc};
  const Tensor v = var(x, std::move(dims), unbiased, keepdim, loc);
  Tensor out = kernel::map(v, [](auto e) { return std::sqrt(e); });
  return op.record(out, {&v}, {&v, &out}, [](Node& n, const Tensor& g) {
    // d sqrt(v) = g / (2 sqrt(v)), taken as 0 where the std is 0 (a constant row: the function is
    // flat there), as PyTorch. Where it is 0 the square root is taken of 1 instead, so no NaN
    // reaches any order of derivative; that masked form is built only when such a row exists.
    const Tensor v = n.saved_value(0);
    if (!any_zero(v)) return div(g, mul(n.saved_value(1), 2.0));
    const Tensor flat = eq(v, 0.0);
    const Tensor safe_std = sqrt(where(flat, autograd::scalar_like(v, 1), v));
    return where(flat, autograd::scalar_like(g, 0), div(g, mul(safe_std, 2.0)));
  });
}
Tensor std(const Tensor& x, SourceLocation loc) { return std(x, {}, true, false, loc); }

namespace {

// For each element along d, the product of the others: row i of an R×R block holds x with its
// i-th element replaced by 1. Exact at zeros and differentiable to any order; it costs R² per
// row, so prod's backward uses it only when a zero is present.
Tensor prod_of_others(const Tensor& x, std::int64_t d) {
  const Tensor xt = transpose(x, d, -1);
  const std::int64_t r = xt.size(-1);
  Shape block = xt.shape();
  block.insert(block.size() - 1, r);
  const Tensor rows = expand(unsqueeze(xt, -2), block);
  const Tensor others = prod(where(eye(r, xt.dtype()), autograd::scalar_like(xt, 1), rows), -1);
  return transpose(others, d, -1);
}
}  // namespace

Tensor prod(const Tensor& x, std::int64_t dim, bool keepdim, SourceLocation loc) {
  const Op op{"prod", loc};
  autograd::check_defined(op.name, x);
  const auto dims = reduce_dims(op.name, x, {dim});
  Tensor out = kernel::reduce<kernel::ProdOp>(x, dims, keepdim);
  return op.record(out, {&x}, {&x, &out}, [s = x.shape(), dims](Node& n, const Tensor& g) {
    if (dims.empty()) return g;  // a 0-d tensor is its own product
    // d prod / d x_i = the product of the others: prod / x_i when no element is zero.
    const Tensor xv = n.saved_value(0);
    const Tensor others = any_zero(xv) ? prod_of_others(xv, static_cast<std::int64_t>(dims[0]))
                                       : div(expand_back(n.saved_value(1), s, dims), xv);
    return mul(expand_back(g, s, dims), others);
  });
}
Tensor prod(const Tensor& x, SourceLocation loc) {
  autograd::check_defined("prod", x);
  return prod(reshape(x, {-1}, loc), 0, false, loc);
}

Tensor logsumexp(const Tensor& x, Dims dims_in, bool keepdim, SourceLocation loc) {
  const Op op{"logsumexp", loc};
  autograd::check_float(op.name, x);
  const auto dims = reduce_dims(op.name, x, dims_in);
  Tensor out = kernel::logsumexp(x, dims, keepdim);
  return op.record(out, {&x}, {&x, &out}, [s = x.shape(), dims](Node& n, const Tensor& g) {
    const Tensor weights = exp(sub(n.saved_value(0), expand_back(n.saved_value(1), s, dims)));
    return mul(expand_back(g, s, dims), weights);
  });
}

namespace {
// Max/min over dims; ties share the gradient evenly (torch.amax semantics).
Tensor amax_amin(bool is_max, const Tensor& x, const std::vector<std::size_t>& dims, bool keepdim, SourceLocation loc,
                 const char* name = nullptr) {
  const Op op{name ? name : is_max ? "max" : "min", loc};
  autograd::check_defined(op.name, x);
  check_nonempty(op.name, x, dims);
  Tensor out = is_max ? kernel::reduce<kernel::MaxOp>(x, dims, keepdim) : kernel::reduce<kernel::MinOp>(x, dims, keepdim);
  return op.record(out, {&x}, {&x, &out}, [s = x.shape(), dims](Node& n, const Tensor& g) {
    const Tensor hit = autograd::eq_values(n.saved_value(0), expand_back(n.saved_value(1), s, dims));
    const Tensor count = expand_back(sum(hit, as_i64(dims), true), s, dims);
    return mul(expand_back(g, s, dims), div(hit, count));
  });
}
}  // namespace

Tensor max(const Tensor& x, SourceLocation loc) {
  autograd::check_defined("max", x);
  return amax_amin(true, x, reduce_dims("max", x, {}), false, loc);
}
Tensor min(const Tensor& x, SourceLocation loc) {
  autograd::check_defined("min", x);
  return amax_amin(false, x, reduce_dims("min", x, {}), false, loc);
}

Tensor amax(const Tensor& x, Dims dims, bool keepdim, SourceLocation loc) {
  autograd::check_defined("amax", x);
  return amax_amin(true, x, reduce_dims("amax", x, dims), keepdim, loc, "amax");
}
Tensor amin(const Tensor& x, Dims dims, bool keepdim, SourceLocation loc) {
  autograd::check_defined("amin", x);
  return amax_amin(false, x, reduce_dims("amin", x, dims), keepdim, loc, "amin");
}

namespace {
std::tuple<Tensor, Tensor> max_min_dim(bool is_max, const Tensor& x, std::int64_t dim, bool keepdim, SourceLocation loc) {
  const Op op{is_max ? "max" : "min", loc};
  autograd::check_defined(op.name, x);
  const std::size_t d = wrap_dim(op.name, dim, x.shape().size());  // first: a 0-d tensor takes dim 0 or -1 only
  if (x.dim() == 0) return {clone(x, loc), zeros({}, kInt64)};
  check_nonempty(op.name, x, {d});
  auto [values, indices] = kernel::reduce_arg(is_max, x, d, keepdim);
  Tensor idx_keep = keepdim ? indices : alias_with_shape(indices, keep_shape(x.shape(), {d}));
  values = op.record(values, {&x}, {&idx_keep}, [s = x.shape(), d](Node& n, const Tensor& g) {
    const Tensor idx = n.saved_value(0);
    return scatter_add(zeros(s, g.dtype()), static_cast<std::int64_t>(d), idx, reshape(g, idx.shape()));
  });
  return {values, indices};
}
}  // namespace

std::tuple<Tensor, Tensor> max(const Tensor& x, std::int64_t dim, bool keepdim, SourceLocation loc) {
  return max_min_dim(true, x, dim, keepdim, loc);
}
std::tuple<Tensor, Tensor> min(const Tensor& x, std::int64_t dim, bool keepdim, SourceLocation loc) {
  return max_min_dim(false, x, dim, keepdim, loc);
}
Tensor argmax(const Tensor& x, std::int64_t dim, bool keepdim) {
  autograd::check_defined("argmax", x);
  if (!is_compute(x.dtype()))
    throw DTypeError(fmt::format("argmax: not supported for dtype {}; convert first with .to(xg::kFloat32) or .to(xg::kInt64)",
                                 dtype_name(x.dtype())));
  const std::size_t d = wrap_dim("argmax", dim, x.shape().size());
  if (x.dim() > 0) check_nonempty("argmax", x, {d});
  NoGradGuard ng;
  return std::get<1>(max(x, dim, keepdim));
}
Tensor argmin(const Tensor& x, std::int64_t dim, bool keepdim) {
  autograd::check_defined("argmin", x);
  if (!is_compute(x.dtype()))
    throw DTypeError(fmt::format("argmin: not supported for dtype {}; convert first with .to(xg::kFloat32) or .to(xg::kInt64)",
                                 dtype_name(x.dtype())));
  const std::size_t d = wrap_dim("argmin", dim, x.shape().size());
  if (x.dim() > 0) check_nonempty("argmin", x, {d});
  NoGradGuard ng;
  return std::get<1>(min(x, dim, keepdim));
}

Tensor norm(const Tensor& x, double p, Dims dims_in, bool keepdim, SourceLocation loc) {
  const Op op{"norm", loc};
  autograd::check_float(op.name, x);
  const auto dims = reduce_dims(op.name, x, dims_in);
  if (p == 1) return sum(abs(x, loc), as_i64(dims), keepdim, loc);
  if (std::isinf(p) && p > 0) return amax_amin(true, abs(x, loc), dims, keepdim, loc);
  if (p != 2) throw ValueError(fmt::format("{}: p must be 1, 2 or INFINITY, got {}", op.name, p));
  const Tensor squares = kernel::map(x, [](auto v) { return v * v; });
  Tensor out = kernel::map(kernel::reduce<kernel::SumOp>(squares, dims, keepdim), [](auto v) { return std::sqrt(v); });
  return op.record(out, {&x}, {&x, &out}, [s = x.shape(), dims](Node& n, const Tensor& g) {
    // x / ||x||, defined as 0 where the norm is 0 (as PyTorch).
    const Tensor nrm = expand_back(n.saved_value(1), s, dims);
    const Tensor is_zero = eq(nrm, 0.0);
    const Tensor unit = div(n.saved_value(0), where(is_zero, ones_like(nrm), nrm));
    return mul(expand_back(g, s, dims), where(is_zero, zeros_like(unit), unit));
  });
}
Tensor norm(const Tensor& x, double p, SourceLocation loc) { return norm(x, p, {}, false, loc); }

}  // namespace xg
