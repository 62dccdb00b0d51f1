// cumsum, cumprod, sort, argsort and topk. The scans have rules of their own (written with
// differentiable ops); sort and topk are a kernel for the permutation and then gather, whose rule
// scatters the gradient back to where each value came from.
#include "autodiff/detail/checks.h"
#include "autodiff/detail/record.h"
#include "autodiff/ops.h"
#include "tensor/detail/elementwise.h"
#include "tensor/detail/kernels.h"
#include "tensor/detail/kernels_scan.h"

namespace xg {

using autograd::Node;
using autograd::Op;

namespace {

// bool, uint8 and int32 scan in int64, as PyTorch's cumsum/cumprod.
Tensor computable(const Tensor& x) { return is_compute(x.dtype()) ? x : kernel::cast(x, kInt64); }

// y_i = sum_{j >= i} g_j: cumsum's adjoint.
Tensor reverse_cumsum(const Tensor& g, std::int64_t d) { return flip(cumsum(flip(g, {d}), d), {d}); }

// cumprod's gradient where x has a zero: row i of an R×R block is x's line with x_i replaced by
// 1, so its running product at j is d y_j / d x_i for j >= i; the triangle keeps those j.
Tensor cumprod_grad_with_zeros(const Tensor& x, const Tensor& g, std::int64_t d) {
  const Tensor xt = transpose(x, d, -1);
  const std::int64_t r = xt.size(-1);
  Shape block = xt.shape();
  block.insert(block.size() - 1, r);
  const Tensor rows = expand(unsqueeze(xt, -2), block);
  const Tensor partial = cumprod(where(eye(r, xt.dtype()), autograd::scalar_like(xt, 1), rows), -1);
  const Tensor later = triu(ones({r, r}, xt.dtype()));  // j >= i
  const Tensor gj = unsqueeze(transpose(g, d, -1), -2);
  return transpose(sum(mul(mul(partial, later), gj), {-1}), d, -1);
}

}  // namespace

Tensor cumsum(const Tensor& x0, std::int64_t dim, SourceLocation loc) {
  const Op op{"cumsum", loc};
  autograd::check_defined(op.name, x0);
  const auto d = static_cast<std::int64_t>(wrap_dim(op.name, dim, x0.shape().size()));
  const Tensor x = computable(x0);
  return op.record(kernel::cumsum(x, static_cast<std::size_t>(d)), {&x}, {}, [d](Node&, const Tensor& g) {
    return g.dim() == 0 ? g : reverse_cumsum(g, d);
  });
}

Tensor cumprod(const Tensor& x0, std::int64_t dim, SourceLocation loc) {
  const Op op{"cumprod", loc};
  autograd::check_defined(op.name, x0);
  const auto d = static_cast<std::int64_t>(wrap_dim(op.name, dim, x0.shape().size()));
  const Tensor x = computable(x0);
  Tensor out = kernel::cumprod(x, static_cast<std::size_t>(d));
  return op.record(out, {&x}, {&x, &out}, [d](Node& n, const Tensor& g) {
    const Tensor xv = n.saved_value(0);
    if (xv.dim() == 0) return g;
    // y_j = prod_{k <= j} x_k, so dL/dx_i = sum_{j >= i} g_j y_j / x_i when x_i is not zero.
    if (!kernel::any_of(xv, [](auto v) { return v == 0; })) return div(reverse_cumsum(mul(g, n.saved_value(1)), d), xv);
    return cumprod_grad_with_zeros(xv, g, d);
  });
}

namespace {
// The permutation that sorts x along d (wrapped), after the checks every sorting op makes.
Tensor sort_permutation(const char* name, const Tensor& x, std::int64_t dim, bool descending, std::size_t& d) {
  autograd::check_defined(name, x);
  d = wrap_dim(name, dim, x.shape().size());
  if (!is_compute(x.dtype()))
    throw DTypeError(fmt::format("{}: not supported for dtype {}; convert first with .to(xg::kFloat32) or .to(xg::kInt64)",
                                 name, dtype_name(x.dtype())));
  return kernel::sort_indices(x, d, descending);  // a 0-d tensor gives the 0-d index 0
}
}  // namespace

std::tuple<Tensor, Tensor> sort(const Tensor& x, std::int64_t dim, bool descending, SourceLocation loc) {
  const Op op{"sort", loc};
  std::size_t d = 0;
  Tensor indices = sort_permutation(op.name, x, dim, descending, d);
  if (x.dim() == 0) return {clone(x, loc), indices};
  return {gather(x, static_cast<std::int64_t>(d), indices, loc), indices};
}
std::tuple<Tensor, Tensor> sort(const Tensor& x, std::optional<bool>, std::int64_t dim, bool descending, SourceLocation loc) {
  return sort(x, dim, descending, loc);  // always stable
}

Tensor argsort(const Tensor& x, std::int64_t dim, bool descending) {
  const Op op{"argsort", SourceLocation::current()};
  std::size_t d = 0;
  return sort_permutation(op.name, x, dim, descending, d);
}

std::tuple<Tensor, Tensor> topk(const Tensor& x, std::int64_t k, std::int64_t dim, bool largest, bool, SourceLocation loc) {
  const Op op{"topk", loc};
  autograd::check_defined(op.name, x);
  const std::size_t dw = wrap_dim(op.name, dim, x.shape().size());
  const std::int64_t n = x.dim() == 0 ? 1 : x.shape()[dw];
  if (k < 0 || k > n)
    throw ValueError(fmt::format("{}: k = {} is out of range for dim {} of size {} (shape {}); expected 0 <= k <= {}", op.name,
                                 k, dim, n, to_string(x.shape()), n));
  std::size_t d = 0;
  const Tensor order = sort_permutation(op.name, x, dim, largest, d);
  if (x.dim() == 0) {
    if (k == 1) return {clone(x, loc), order};
    return {reshape(x, {1}, loc).narrow(0, 0, 0, loc), zeros({0}, kInt64)};
  }
  const Tensor indices = kernel::narrow(order, d, 0, k);
  return {gather(x, static_cast<std::int64_t>(d), indices, loc), indices};
}

// ----- Tensor methods -----
Tensor Tensor::cumsum(std::int64_t dim, SourceLocation loc) const { return xg::cumsum(*this, dim, loc); }
Tensor Tensor::cumprod(std::int64_t dim, SourceLocation loc) const { return xg::cumprod(*this, dim, loc); }
std::tuple<Tensor, Tensor> Tensor::sort(std::int64_t dim, bool descending, SourceLocation loc) const {
  return xg::sort(*this, dim, descending, loc);
}
std::tuple<Tensor, Tensor> Tensor::sort(std::optional<bool> stable, std::int64_t dim, bool descending, SourceLocation loc) const {
  return xg::sort(*this, stable, dim, descending, loc);
}
Tensor Tensor::argsort(std::int64_t dim, bool descending) const { return xg::argsort(*this, dim, descending); }
std::tuple<Tensor, Tensor> Tensor::topk(std::int64_t k, std::int64_t dim, bool largest, bool sorted, SourceLocation loc) const {
  return xg::topk(*this, k, dim, largest, sorted, loc);
}

}  // namespace xg
