// pad: constant padding is a cat with filled blocks (or a narrow when negative, cropping);
// reflect, replicate and circular padding are an index_select along each padded dim. So the
// derivatives are those of cat, narrow and index_select.
#include "autodiff/detail/conv_args.h"
#include "autodiff/ops.h"

namespace xg {

namespace {
using i64 = std::int64_t;

const char* mode_name(PadMode m) {
  switch (m) {
    case PadMode::Constant: return "constant";
    case PadMode::Reflect: return "reflect";
    case PadMode::Replicate: return "replicate";
    case PadMode::Circular: return "circular";
  }
  return "?";
}

// Where output position j (from -lo) reads along a dim of size n.
i64 source_index(PadMode m, i64 j, i64 n) {
  switch (m) {
    case PadMode::Reflect: return j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j;
    case PadMode::Replicate: return std::clamp<i64>(j, 0, n - 1);
    default: return ((j % n) + n) % n;
  }
}
}  // namespace

Tensor pad(const Tensor& x, const std::vector<i64>& p, PadMode mode, double value, SourceLocation loc) {
  const char* op = "pad";
  autograd::check_defined(op, x);
  if (p.size() % 2 != 0 || p.size() > 2 * static_cast<std::size_t>(x.dim()))
    throw ValueError(fmt::format("pad: padding {} must hold pairs (left, right) for at most the {} dims of input {}",
                                 autograd::list_str(p), x.dim(), to_string(x.shape())));
  // Check every dim before any work.
  Shape out = x.shape();
  for (std::size_t i = 0; i < p.size() / 2; ++i) {
    const std::size_t d = x.shape().size() - 1 - i;
    const i64 lo = p[2 * i], hi = p[2 * i + 1], n = x.shape()[d];
    const bool neg = lo < 0 || hi < 0;
    if (neg && mode != PadMode::Constant)
      throw ValueError(fmt::format("pad: {} padding must be non-negative, got {}", mode_name(mode), autograd::list_str(p)));
    const bool too_wide = (mode == PadMode::Reflect && (lo >= n || hi >= n)) ||
                          (mode == PadMode::Circular && (lo > n || hi > n)) || (mode == PadMode::Replicate && n == 0 && (lo || hi));
    if (too_wide)
      throw ValueError(fmt::format("pad: {} padding {} is too large for dim {} of size {} (input {}){}", mode_name(mode),
                                   autograd::list_str(p), d, n, to_string(x.shape()),
                                   mode == PadMode::Reflect ? "; each side must be smaller than the size" : ""));
    i64 size = 0;
    if (__builtin_add_overflow(n, lo, &size) || __builtin_add_overflow(size, hi, &size))
      throw ValueError(fmt::format("pad: padding {} is too large for input {}", autograd::list_str(p), to_string(x.shape())));
    if (size < 0)
      throw ShapeError(fmt::format("pad: padding {} crops dim {} of size {} below zero (input {})", autograd::list_str(p), d, n,
                                   to_string(x.shape())));
    out[d] = size;
  }
  autograd::check_allocatable(op, out, x.dtype());
  Tensor y = x;
  for (std::size_t i = 0; i < p.size() / 2; ++i) {
    const auto d = static_cast<i64>(x.shape().size() - 1 - i);
    const i64 lo = p[2 * i], hi = p[2 * i + 1], n = y.size(d);
    if (lo == 0 && hi == 0) continue;
    if (mode == PadMode::Constant) {
      if (lo < 0 || hi < 0) y = narrow(y, d, std::max<i64>(-lo, 0), n + std::min<i64>(lo, 0) + std::min<i64>(hi, 0), loc);
      std::vector<Tensor> parts;
      Shape block = y.shape();
      if (lo > 0) block[static_cast<std::size_t>(d)] = lo, parts.push_back(full(block, value, y.dtype()));
      parts.push_back(y);
      if (hi > 0) block[static_cast<std::size_t>(d)] = hi, parts.push_back(full(block, value, y.dtype()));
      if (parts.size() > 1) y = cat(parts, d, loc);
    } else {
      std::vector<i64> idx(static_cast<std::size_t>(n + lo + hi));
      for (i64 j = -lo; j < n + hi; ++j) idx[static_cast<std::size_t>(j + lo)] = source_index(mode, j, n);
      y = index_select(y, d, from_vector(idx, {static_cast<i64>(idx.size())}), loc);
    }
  }
  return y;
}

}  // namespace xg
