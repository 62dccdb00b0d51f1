// Pooling. Max pools find their windows' maxima with a kernel and send the gradient back with
// scatter_add to the saved indices; average pools are a convolution with a kernel of ones over
// each plane, divided by each window's divisor; adaptive average pooling is A_h · x · A_wᵀ with
// averaging matrices. So every derivative is written in differentiable ops.
#include <algorithm>

#include "autodiff/detail/conv_args.h"
#include "autodiff/detail/record.h"
#include "autodiff/ops.h"
#include "tensor/detail/conv.h"

namespace xg {

using namespace autograd::conv_names;

namespace {

// A pool's kernel, stride, padding and dilation on the 2-d form (a 1-d pool has height 1).
struct PoolArgs {
  Pair kernel{1, 1}, stride{1, 1}, padding{0, 0}, dilation{1, 1};
};

template <std::size_t D>
PoolArgs pool_args(const char* op, const ExpandingArray<D>& k, const ExpandingArray<D>& s, const ExpandingArray<D>& p,
                   const ExpandingArray<D>& d) {
  const auto kk = autograd::at_least(op, "kernel_size", k, 1);
  const auto ss = s.empty() ? kk : autograd::at_least(op, "stride", s, 1);
  const auto pp = autograd::at_least(op, "padding", p, 0), dd = autograd::at_least(op, "dilation", d, 1);
  PoolArgs a;
  for (std::size_t i = 0; i < D; ++i) {
    const std::size_t j = 2 - D + i;
    a.kernel[j] = kk[i], a.stride[j] = ss[i], a.padding[j] = pp[i], a.dilation[j] = dd[i];
    // Every window then holds an input element, as PyTorch requires.
    i64 span = 0;
    if (__builtin_mul_overflow(kk[i] - 1, dd[i], &span) || pp[i] > span / 2 + span % 2)
      throw ValueError(fmt::format("{}: padding {} should be at most half of the effective kernel size (kernel_size {}, dilation {})",
                                   op, autograd::list_str(pp), autograd::list_str(kk), autograd::list_str(dd)));
  }
  return a;
}

// Output sizes (height, width) of the pool over the last two dims of x4, else ShapeError showing x.
Pair pool_out(const char* op, const Tensor& x4, const PoolArgs& a, bool ceil_mode, const Tensor& x) {
  Pair out{};
  for (int i = 0; i < 2; ++i) {
    out[i] = autograd::window_count(op, x4.size(2 + i), a.kernel[i], a.stride[i], a.padding[i], a.dilation[i], ceil_mode);
    if (out[i] <= 0)
      throw ShapeError(fmt::format("{}: kernel_size {} with dilation {} is larger than the input {} padded by {}", op,
                                   a.kernel[i], a.dilation[i], to_string(x.shape()), a.padding[i]));
  }
  autograd::check_allocatable(op, {x4.size(0), x4.size(1), out[0], out[1]}, x4.dtype());
  return out;
}

// Max over the given windows of x4 [N, C, H, W]: values and int64 indices [N, C, Ho, Wo]; the
// gradient goes to the indices.
std::tuple<Tensor, Tensor> window_max_op(const Op& op, const Tensor& x4, const std::vector<kernel::Window>& rows,
                                         const std::vector<kernel::Window>& cols) {
  const i64 N = x4.size(0), C = x4.size(1), H = x4.size(2), W = x4.size(3);
  const i64 Ho = static_cast<i64>(rows.size()), Wo = static_cast<i64>(cols.size());
  auto [vals, idx] = kernel::window_max(alias_with_shape(x4, {N * C, H, W}), rows, cols);
  vals = alias_with_shape(vals, {N, C, Ho, Wo});
  idx = alias_with_shape(idx, {N, C, Ho, Wo});
  Tensor out = op.record(vals, {&x4}, {&idx}, [s = x4.shape()](Node& n, const Tensor& g) {
    const Tensor i = n.saved_value(0);
    const i64 N = s[0], C = s[1];
    const Tensor flat = scatter_add(zeros({N, C, s[2] * s[3]}, g.dtype()), 2, reshape(i, {N, C, -1}), reshape(g, {N, C, -1}));
    return reshape(flat, s);
  });
  return {out, idx};
}

// The windows of a pool along one dim; ValueError if one holds no input element.
std::vector<kernel::Window> pool_windows(const char* op, i64 in, i64 out, i64 k, i64 s, i64 p, i64 d) {
  std::vector<kernel::Window> w(static_cast<std::size_t>(out));
  for (i64 o = 0; o < out; ++o) {
    const i64 start = o * s - p, first = start >= 0 ? 0 : (-start + d - 1) / d;
    if (first >= k || start + first * d >= in)
      throw ValueError(fmt::format("{}: the pooling window at output {} (input positions {} + {}·t for t < {}) holds no element of "
                                   "an input of size {}", op, o, start, d, k, in));
    w[static_cast<std::size_t>(o)] = {start, k, d};
  }
  return w;
}

// Adaptive windows: output o covers [⌊o·in/out⌋, ⌈(o+1)·in/out⌉).
std::vector<kernel::Window> adaptive_windows(i64 in, i64 out) {
  std::vector<kernel::Window> w(static_cast<std::size_t>(out));
  for (i64 o = 0; o < out; ++o) {
    const i64 start = o * in / out, end = ((o + 1) * in + out - 1) / out;
    w[static_cast<std::size_t>(o)] = {start, end - start, 1};
  }
  return w;
}

template <std::size_t D>
Pair adaptive_size(const char* op, const Tensor& x, const ExpandingArray<D>& output_size) {
  autograd::check_float(op, x);
  autograd::check_rank(op, x, D + 2, "input", D == 2 ? "[N, C, H, W]" : "[N, C, L]");
  const auto o = autograd::at_least(op, "output_size", output_size, 1);
  Pair out{1, 1};
  for (std::size_t i = 0; i < D; ++i) {
    out[2 - D + i] = o[i];
    const i64 in = x.size(static_cast<i64>(2 + i));
    if (in == 0) throw ShapeError(fmt::format("{}: input {} has an empty spatial dim", op, to_string(x.shape())));
    if (o[i] > INT64_MAX / (in + 1))
      throw ValueError(fmt::format("{}: output_size {} is too large for input {}", op, autograd::list_str(o), to_string(x.shape())));
  }
  return out;
}

template <std::size_t D>
std::tuple<Tensor, Tensor> max_pool(const char* name, SourceLocation loc, const Tensor& x, const ExpandingArray<D>& k,
                                    const ExpandingArray<D>& s, const ExpandingArray<D>& p, const ExpandingArray<D>& d,
                                    bool ceil_mode) {
  const Op op{name, loc};
  autograd::check_float(op.name, x);
  autograd::check_rank(op.name, x, D + 2, "input", D == 2 ? "[N, C, H, W]" : "[N, C, L]");
  const PoolArgs a = pool_args(op.name, k, s, p, d);
  const Tensor x4 = D == 2 ? x : unsqueeze(x, 2, loc);
  const Pair out = pool_out(op.name, x4, a, ceil_mode, x);
  const auto rows = pool_windows(op.name, x4.size(2), out[0], a.kernel[0], a.stride[0], a.padding[0], a.dilation[0]);
  const auto cols = pool_windows(op.name, x4.size(3), out[1], a.kernel[1], a.stride[1], a.padding[1], a.dilation[1]);
  auto [v, i] = window_max_op(op, x4, rows, cols);
  if (D == 2) return {v, i};
  return {squeeze(v, 2, loc), alias_with_shape(i, {i.size(0), i.size(1), i.size(3)})};
}

// The divisor of each window of an average pool along one dim: its size within the padded input
// (count_include_pad) or within the input.
std::vector<double> avg_divisors(i64 in, i64 out, i64 k, i64 s, i64 p, bool count_include_pad) {
  std::vector<double> dv(static_cast<std::size_t>(out));
  for (i64 o = 0; o < out; ++o) {
    const i64 start = o * s - p, end = std::min(start + k, in + p);
    dv[static_cast<std::size_t>(o)] =
        static_cast<double>(count_include_pad ? end - start : std::min(end, in) - std::max<i64>(start, 0));
  }
  return dv;
}

template <std::size_t D>
Tensor avg_pool(const char* name, SourceLocation loc, const Tensor& x, const ExpandingArray<D>& k, const ExpandingArray<D>& s,
                const ExpandingArray<D>& p, bool ceil_mode, bool count_include_pad, std::optional<i64> divisor_override) {
  const char* op = name;
  autograd::check_float(op, x);
  autograd::check_rank(op, x, D + 2, "input", D == 2 ? "[N, C, H, W]" : "[N, C, L]");
  if (divisor_override && *divisor_override == 0) throw ValueError(fmt::format("{}: divisor_override must not be zero", op));
  const PoolArgs a = pool_args(op, k, s, p, ExpandingArray<D>(1));
  Tensor x4 = D == 2 ? x : unsqueeze(x, 2, loc);
  const Pair out = pool_out(op, x4, a, ceil_mode, x);
  const i64 N = x4.size(0), C = x4.size(1), H = x4.size(2), W = x4.size(3);
  // Windows that ceil_mode lets run past the padded input see zeros there.
  Pair extra{};
  for (int i = 0; i < 2; ++i)
    extra[i] = std::max<i64>(0, (out[i] - 1) * a.stride[i] + a.kernel[i] - (x4.size(2 + i) + 2 * a.padding[i]));
  Tensor planes = reshape(x4, {N * C, 1, H, W}, loc);
  if (extra[0] || extra[1]) planes = pad(planes, {0, extra[1], 0, extra[0]}, PadMode::Constant, 0, loc);
  const Tensor ones_k = ones({1, 1, a.kernel[0], a.kernel[1]}, x.dtype());
  const Tensor sums = conv2d(planes, ones_k, {}, std::vector<i64>{a.stride[0], a.stride[1]},
                             std::vector<i64>{a.padding[0], a.padding[1]}, 1, 1, loc);
  std::vector<double> inv(static_cast<std::size_t>(out[0] * out[1]));
  const auto dh = avg_divisors(H, out[0], a.kernel[0], a.stride[0], a.padding[0], count_include_pad);
  const auto dw = avg_divisors(W, out[1], a.kernel[1], a.stride[1], a.padding[1], count_include_pad);
  for (i64 i = 0; i < out[0]; ++i)
    for (i64 j = 0; j < out[1]; ++j)
      inv[static_cast<std::size_t>(i * out[1] + j)] =
          1.0 / (divisor_override ? static_cast<double>(*divisor_override) : dh[static_cast<std::size_t>(i)] * dw[static_cast<std::size_t>(j)]);
  const Tensor scale = from_vector(inv, {out[0], out[1]}).to(x.dtype());
  const Tensor y = reshape(mul(sums, scale, loc), {N, C, out[0], out[1]}, loc);
  return D == 2 ? y : squeeze(y, 2, loc);
}

// [out, in] rows averaging each adaptive window.
Tensor averaging_matrix(i64 in, i64 out, DType dtype) {
  std::vector<double> m(static_cast<std::size_t>(out * in), 0.0);
  const auto windows = adaptive_windows(in, out);
  for (i64 o = 0; o < out; ++o) {
    const kernel::Window w = windows[static_cast<std::size_t>(o)];
    for (i64 t = 0; t < w.count; ++t) m[static_cast<std::size_t>(o * in + w.start + t)] = 1.0 / static_cast<double>(w.count);
  }
  return from_vector(m, {out, in}).to(dtype);
}

}  // namespace

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& x, ExpandingArray<2> k, ExpandingArray<2> s, ExpandingArray<2> p,
                                                   ExpandingArray<2> d, bool ceil_mode, SourceLocation loc) {
  return max_pool("max_pool2d_with_indices", loc, x, k, s, p, d, ceil_mode);
}
Tensor max_pool2d(const Tensor& x, ExpandingArray<2> k, ExpandingArray<2> s, ExpandingArray<2> p, ExpandingArray<2> d,
                  bool ceil_mode, SourceLocation loc) {
  return std::get<0>(max_pool("max_pool2d", loc, x, k, s, p, d, ceil_mode));
}
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& x, ExpandingArray<1> k, ExpandingArray<1> s, ExpandingArray<1> p,
                                                   ExpandingArray<1> d, bool ceil_mode, SourceLocation loc) {
  return max_pool("max_pool1d_with_indices", loc, x, k, s, p, d, ceil_mode);
}
Tensor max_pool1d(const Tensor& x, ExpandingArray<1> k, ExpandingArray<1> s, ExpandingArray<1> p, ExpandingArray<1> d,
                  bool ceil_mode, SourceLocation loc) {
  return std::get<0>(max_pool("max_pool1d", loc, x, k, s, p, d, ceil_mode));
}

Tensor avg_pool2d(const Tensor& x, ExpandingArray<2> k, ExpandingArray<2> s, ExpandingArray<2> p, bool ceil_mode,
                  bool count_include_pad, std::optional<std::int64_t> divisor_override, SourceLocation loc) {
  return avg_pool("avg_pool2d", loc, x, k, s, p, ceil_mode, count_include_pad, divisor_override);
}
Tensor avg_pool1d(const Tensor& x, ExpandingArray<1> k, ExpandingArray<1> s, ExpandingArray<1> p, bool ceil_mode,
                  bool count_include_pad, SourceLocation loc) {
  return avg_pool("avg_pool1d", loc, x, k, s, p, ceil_mode, count_include_pad, std::nullopt);
}

std::tuple<Tensor, Tensor> adaptive_max_pool2d_with_indices(const Tensor& x, ExpandingArray<2> output_size, SourceLocation loc) {
  const Op op{"adaptive_max_pool2d", loc};
  const Pair out = adaptive_size(op.name, x, output_size);
  autograd::check_allocatable(op.name, {x.size(0), x.size(1), out[0], out[1]}, x.dtype());
  return window_max_op(op, x, adaptive_windows(x.size(2), out[0]), adaptive_windows(x.size(3), out[1]));
}
Tensor adaptive_max_pool2d(const Tensor& x, ExpandingArray<2> output_size, SourceLocation loc) {
  return std::get<0>(adaptive_max_pool2d_with_indices(x, output_size, loc));
}
Tensor adaptive_max_pool1d(const Tensor& x, ExpandingArray<1> output_size, SourceLocation loc) {
  const Op op{"adaptive_max_pool1d", loc};
  const Pair out = adaptive_size(op.name, x, output_size);
  autograd::check_allocatable(op.name, {x.size(0), x.size(1), out[1]}, x.dtype());
  const Tensor x4 = unsqueeze(x, 2, loc);
  return squeeze(std::get<0>(window_max_op(op, x4, adaptive_windows(1, 1), adaptive_windows(x.size(2), out[1]))), 2, loc);
}

Tensor adaptive_avg_pool2d(const Tensor& x, ExpandingArray<2> output_size, SourceLocation loc) {
  const char* op = "adaptive_avg_pool2d";
  const Pair out = adaptive_size(op, x, output_size);
  autograd::check_allocatable(op, {x.size(0), x.size(1), out[0], out[1]}, x.dtype());
  if (out[0] == 1 && out[1] == 1) return mean(x, {2, 3}, true, loc);
  const Tensor rows = matmul(averaging_matrix(x.size(2), out[0], x.dtype()), x, loc);
  return matmul(rows, t(averaging_matrix(x.size(3), out[1], x.dtype())), loc);
}
Tensor adaptive_avg_pool1d(const Tensor& x, ExpandingArray<1> output_size, SourceLocation loc) {
  const char* op = "adaptive_avg_pool1d";
  const Pair out = adaptive_size(op, x, output_size);
  autograd::check_allocatable(op, {x.size(0), x.size(1), out[1]}, x.dtype());
  return matmul(x, t(averaging_matrix(x.size(2), out[1], x.dtype())), loc);
}

}  // namespace xg
