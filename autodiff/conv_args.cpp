// Argument checks shared by the convolution and pooling ops (autodiff/detail/conv_args.h).
#include "autodiff/detail/conv_args.h"

namespace xg::autograd {

std::int64_t window_count(const char* op, std::int64_t in, std::int64_t k, std::int64_t s, std::int64_t p, std::int64_t d,
                          bool ceil_mode) {
  std::int64_t span = 0, padded = 0;
  if (__builtin_mul_overflow(k - 1, d, &span) || __builtin_add_overflow(span, 1, &span)) return 0;
  if (__builtin_mul_overflow(p, 2, &padded) || __builtin_add_overflow(padded, in, &padded))
    throw ValueError(fmt::format("{}: padding {} is too large for an input of size {}", op, p, in));
  if (padded < span) return 0;
  const std::int64_t q = (padded - span) / s, r = (padded - span) % s;
  std::int64_t out = q + 1;
  if (ceil_mode && r != 0) {
    ++out;
    // The last window must start inside the input or the left padding.
    std::int64_t start = 0;
    if (__builtin_mul_overflow(out - 1, s, &start) || start >= in + p) --out;
  }
  return out;
}

void check_allocatable(const char* op, const Shape& shape, DType dtype) { (void)checked_numel(shape, dtype, op); }

void check_rank(const char* op, const Tensor& t, std::int64_t rank, const char* what, const char* layout) {
  check_defined(op, t);
  if (t.dim() != rank)
    throw ShapeError(fmt::format("{}: expected a {}-D {} {}, got shape {}", op, rank, what, layout, to_string(t.shape())));
}

}  // namespace xg::autograd
