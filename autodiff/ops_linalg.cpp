// Matrix products and the softmax family.
#include "autodiff/detail/checks.h"
#include "autodiff/ops.h"
#include "autodiff/detail/record.h"
#include "tensor/detail/kernels.h"

namespace xg {

using autograd::Node;
using autograd::Op;

namespace {
// gemm, and matmul, mm and linear through it, each named as the user called it.
Tensor gemm_named(const char* name, const Tensor& a, const Tensor& b, bool ta, bool tb, SourceLocation loc) {
  const Op op{name, loc};
  autograd::check_float(op.name, a);
  autograd::check_same_dtype(op.name, a, b);
  if (a.dim() < 2 || b.dim() < 2)
    throw ShapeError(fmt::format("{}: gemm needs operands with at least 2 dims, got {} and {}", op.name, to_string(a.shape()),
                                 to_string(b.shape())));
  const std::int64_t ka = ta ? a.size(-2) : a.size(-1), kb = tb ? b.size(-1) : b.size(-2);
  if (ka != kb)
    throw ShapeError(fmt::format("{}: inner dimensions differ: {}{} @ {}{} ({} vs {})", op.name, to_string(a.shape()), ta ? "^T" : "",
                                 to_string(b.shape()), tb ? "^T" : "", ka, kb));
  const Shape ba(a.shape().begin(), a.shape().end() - 2), bb(b.shape().begin(), b.shape().end() - 2);
  broadcast_shapes(fmt::format("{} (batch dims)", op.name).c_str(), ba, bb);
  // BLAS takes int sizes: rows of a (its batch folded in), columns and inner size.
  constexpr std::int64_t kBlasMax = INT32_MAX;
  for (const Tensor* t : {&a, &b})
    if (t->numel() > 0 && (t->size(-1) > kBlasMax || t->numel() / t->size(-1) > kBlasMax))
      throw ValueError(fmt::format("{}: operand of shape {} has a matrix side over {} (the BLAS limit)", op.name,
                                   to_string(t->shape()), kBlasMax));
  return op.record(kernel::gemm(a, b, ta, tb), {&a, &b}, {&a, &b},
                   // C = op(A) op(B): the gradients are again products with transpose flags, no copies.
                   [ta, tb](Node& n, const Tensor& g) {
                     const Tensor B = n.saved_value(1);
                     return ta ? gemm(B, g, tb, true) : gemm(g, B, false, !tb);
                   },
                   [ta, tb](Node& n, const Tensor& g) {
                     const Tensor A = n.saved_value(0);
                     return tb ? gemm(g, A, true, ta) : gemm(A, g, !ta, false);
                   });
}
}  // namespace

Tensor gemm(const Tensor& a, const Tensor& b, bool ta, bool tb, SourceLocation loc) {
  return gemm_named("gemm", a, b, ta, tb, loc);
}

Tensor matmul(const Tensor& a, const Tensor& b, SourceLocation loc) {
  autograd::check_float("matmul", a);
  autograd::check_same_dtype("matmul", a, b);
  if (a.dim() == 0 || b.dim() == 0)
    throw ShapeError(fmt::format("matmul: both operands need at least 1 dim, got {} and {}", to_string(a.shape()), to_string(b.shape())));
  const std::int64_t ka = a.size(-1), kb = b.dim() == 1 ? b.size(0) : b.size(-2);
  if (ka != kb)
    throw ShapeError(fmt::format("matmul: inner dimensions differ: {} @ {} ({} vs {})", to_string(a.shape()), to_string(b.shape()), ka, kb));
  const Tensor a2 = a.dim() == 1 ? unsqueeze(a, 0, loc) : a;
  const Tensor b2 = b.dim() == 1 ? unsqueeze(b, -1, loc) : b;
  Tensor out = gemm_named("matmul", a2, b2, false, false, loc);
  if (b.dim() == 1) out = squeeze(out, -1, loc);
  if (a.dim() == 1) out = squeeze(out, b.dim() == 1 ? -1 : -2, loc);
  return out;
}

Tensor mm(const Tensor& a, const Tensor& b, SourceLocation loc) {
  autograd::check_float("mm", a);
  autograd::check_same_dtype("mm", a, b);
  if (a.dim() != 2 || b.dim() != 2)
    throw ShapeError(fmt::format("mm: expects two 2-D tensors, got {} and {}", to_string(a.shape()), to_string(b.shape())));
  return gemm_named("mm", a, b, false, false, loc);
}

Tensor dot(const Tensor& a, const Tensor& b, SourceLocation loc) {
  autograd::check_float("dot", a);
  autograd::check_same_dtype("dot", a, b);
  if (a.dim() != 1 || b.dim() != 1 || a.numel() != b.numel())
    throw ShapeError(fmt::format("dot: expects two 1-D tensors of the same length, got {} and {}", to_string(a.shape()),
                                 to_string(b.shape())));
  return matmul(a, b, loc);
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias, SourceLocation loc) {
  autograd::check_float("linear", x);
  autograd::check_same_dtype("linear", x, weight);
  if (bias.defined()) autograd::check_same_dtype("linear", x, bias);
  if (weight.dim() != 2)
    throw ShapeError(fmt::format("linear: weight must be 2-D [out, in], got {}", to_string(weight.shape())));
  if (x.dim() == 0 || x.size(-1) != weight.size(1))
    throw ShapeError(fmt::format("linear: input {} has {} features, weight {} expects {}", to_string(x.shape()),
                                 x.dim() ? x.size(-1) : 0, to_string(weight.shape()), weight.size(1)));
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != weight.size(0)))
    throw ShapeError(fmt::format("linear: bias must be [{}], got {}", weight.size(0), to_string(bias.shape())));
  const Tensor x2 = x.dim() == 1 ? unsqueeze(x, 0, loc) : x;
  Tensor out = gemm_named("linear", x2, weight, false, true, loc);
  if (x.dim() == 1) out = squeeze(out, 0, loc);
  return bias.defined() ? add(out, bias, loc) : out;
}

Tensor softmax(const Tensor& x, std::int64_t dim, SourceLocation loc) {
  const Op op{"softmax", loc};
  autograd::check_float(op.name, x);
  const std::size_t d = wrap_dim(op.name, dim, x.shape().size());  // first: a 0-d tensor takes dim 0 or -1 only
  if (x.dim() == 0) return ones_like(x);
  Tensor out = kernel::softmax(x, d, false);
  return op.record(out, {&x}, {&out}, [d](Node& n, const Tensor& g) {
    const Tensor y = n.saved_value(0);
    return mul(y, sub(g, sum(mul(g, y), {static_cast<std::int64_t>(d)}, true)));
  });
}

Tensor log_softmax(const Tensor& x, std::int64_t dim, SourceLocation loc) {
  const Op op{"log_softmax", loc};
  autograd::check_float(op.name, x);
  const std::size_t d = wrap_dim(op.name, dim, x.shape().size());  // first: a 0-d tensor takes dim 0 or -1 only
  if (x.dim() == 0) return zeros_like(x);
  Tensor out = kernel::softmax(x, d, true);
  return op.record(out, {&x}, {&out}, [d](Node& n, const Tensor& g) {
    return sub(g, mul(exp(n.saved_value(0)), sum(g, {static_cast<std::int64_t>(d)}, true)));
  });
}

}  // namespace xg
