// Convolutions: conv1d, conv2d, conv_transpose2d and conv2d_weight. The three 2-D ops are each
// other's derivatives (PyTorch's convolution_backward, written as ops): for y = conv2d(x, w),
// dx = conv_transpose2d(gy, w) and dw = conv2d_weight(x, gy); conv_transpose2d and conv2d_weight
// are linear in each input, so their rules are again conv2d and conv_transpose2d.
#include <algorithm>

#include "autodiff/detail/conv_args.h"
#include "autodiff/detail/record.h"
#include "autodiff/ops.h"
#include "tensor/detail/conv.h"

namespace xg {

using namespace autograd::conv_names;

namespace {

// Stride, padding and dilation (height first; a 1-d conv is a 2-d one of height 1) and groups.
struct Params {
  Pair stride{1, 1}, padding{0, 0}, dilation{1, 1};
  i64 groups = 1;
};


// The output_padding that makes conv_transpose2d of gy come back to H × W.
std::vector<i64> output_padding(const Params& p, const Tensor& w, const Tensor& gy, i64 H, i64 W) {
  const i64 in[2] = {H, W};
  std::vector<i64> out(2);
  for (int i = 0; i < 2; ++i)
    out[i] = in[i] + 2 * p.padding[i] - p.dilation[i] * (w.size(2 + i) - 1) - 1 - (gy.size(2 + i) - 1) * p.stride[i];
  return out;
}

// Checks a convolution's tensors (D spatial dims; `extra` is padding added at the end of each dim
// by padding="same") and returns its geometry on the 2-d form.
kernel::ConvGeom check_conv(const char* op, std::size_t D, const Tensor& x, const Shape& ws, const Tensor& b,
                            const Params& p, const Pair& extra = {0, 0}) {
  autograd::check_float(op, x);
  if (b.defined()) autograd::check_same_dtype(op, x, b);
  const auto rank = static_cast<i64>(D + 2);
  autograd::check_rank(op, x, rank, "input", D == 2 ? "[N, C, H, W]" : "[N, C, L]");
  if (static_cast<i64>(ws.size()) != rank)
    throw ShapeError(fmt::format("{}: expected a {}-D weight {}, got shape {}", op, rank,
                                 D == 2 ? "[out_channels, in_channels/groups, kH, kW]" : "[out_channels, in_channels/groups, kL]",
                                 to_string(ws)));
  if (p.groups <= 0) throw ValueError(fmt::format("{}: groups must be positive, got {}", op, p.groups));
  if (ws.numel() == 0) throw ShapeError(fmt::format("{}: weight {} has a zero size", op, to_string(ws)));
  const i64 C = x.size(1), Cout = ws[0];

  if (C % p.groups != 0 || Cout % p.groups != 0)
    throw ShapeError(fmt::format("{}: groups={} must divide in_channels {} (input {}) and out_channels {} (weight {})", op,
                                 p.groups, C, to_string(x.shape()), Cout, to_string(ws)));
  if (C / p.groups != ws[1])
    throw ShapeError(fmt::format("{}: input {} has {} channels, but weight {} with groups={} expects weight.size(1) * groups = "
                                 "{} * {}", op, to_string(x.shape()), C, to_string(ws), p.groups, ws[1], p.groups));
  if (b.defined() && (b.dim() != 1 || b.size(0) != Cout))
    throw ShapeError(fmt::format("{}: bias must have shape [{}] (out_channels), got {}", op, Cout, to_string(b.shape())));
  Pair in{1, x.size(-1)}, k{1, ws[D + 1]}, out{1, 1};
  if (D == 2) in = {x.size(2), x.size(3)}, k = {ws[2], ws[3]};
  for (std::size_t i = 2 - D; i < 2; ++i) {
    out[i] = autograd::window_count(op, in[i] + extra[i], k[i], p.stride[i], p.padding[i], p.dilation[i]);
    if (out[i] <= 0) {
      const std::size_t j = i - (2 - D);  // the user's dim
      throw ShapeError(fmt::format("{}: kernel size {} with dilation {} is larger than the padded input: input {} has size {} in "
                                   "spatial dim {}, padded by {} on each side (weight {})",
                                   op, k[i], p.dilation[i], to_string(x.shape()), in[i], j, p.padding[i], to_string(ws)));
    }
  }
  const i64 N = x.size(0);
  autograd::check_allocatable(op, D == 2 ? Shape{N, Cout, out[0], out[1]} : Shape{N, Cout, out[1]}, x.dtype());
  return {C, in[0] + extra[0], in[1] + extra[1], k[0], k[1], p.stride[0], p.stride[1], p.padding[0], p.padding[1],
          p.dilation[0], p.dilation[1], out[0], out[1]};
}

// Stride, padding and dilation of conv{D}d, with padding "same" resolved into its symmetric part
// (returned in params) and the extra size at the end of each dim when the total is odd.
template <std::size_t D>
std::pair<Params, Pair> conv_params(const char* op, const Tensor& w, const ExpandingArray<D>& stride,
                                    const ConvPadding<D>& padding, const ExpandingArray<D>& dilation, i64 groups) {
  Params p;
  p.groups = groups;
  Pair extra{0, 0};
  const auto s = autograd::at_least(op, "stride", stride, 1), d = autograd::at_least(op, "dilation", dilation, 1);
  for (std::size_t i = 0; i < D; ++i) p.stride[2 - D + i] = s[i], p.dilation[2 - D + i] = d[i];
  const std::string& mode = padding.mode();
  if (mode.empty()) {
    const auto pad = autograd::at_least(op, "padding", static_cast<const ExpandingArray<D>&>(padding), 0);
    for (std::size_t i = 0; i < D; ++i) p.padding[2 - D + i] = pad[i];
  } else if (mode == "same") {
    for (auto v : s)
      if (v != 1)
        throw ValueError(fmt::format("{}: padding='same' is not supported for strided convolutions (stride {})", op, autograd::list_str(s)));
    autograd::check_rank(op, w, static_cast<i64>(D + 2), "weight", "[out_channels, in_channels/groups, kernel...]");
    for (std::size_t i = 0; i < D; ++i) {
      i64 total = 0;
      if (__builtin_mul_overflow(d[i], w.size(static_cast<i64>(2 + i)) - 1, &total))
        throw ValueError(fmt::format("{}: dilation {} is too large", op, d[i]));
      p.padding[2 - D + i] = total / 2;
      extra[2 - D + i] = total % 2;
    }
  } else if (mode != "valid") {
    throw ValueError(fmt::format("{}: padding must be sizes, \"same\" or \"valid\", got \"{}\"", op, mode));
  }
  return {p, extra};
}

Tensor conv_core(const Op& op, const Tensor& x, const Tensor& w, const Tensor& b, const kernel::ConvGeom& g, const Params& p) {
  return op.record(kernel::conv2d(x, w, b, g, p.groups), {&x, &w, &b}, {&x, &w},
                   [p, H = g.H, W = g.W](Node& n, const Tensor& g) {
                     const Tensor wt = n.saved_value(1);
                     return conv_transpose2d(g, wt, {}, vec(p.stride), vec(p.padding), output_padding(p, wt, g, H, W),
                                             p.groups, vec(p.dilation));
                   },
                   [p, ws = w.shape()](Node& n, const Tensor& g) {
                     return conv2d_weight(n.saved_value(0), ws, g, vec(p.stride), vec(p.padding), vec(p.dilation), p.groups);
                   },
                   [](Node&, const Tensor& g) { return sum(g, {0, 2, 3}); });
}

// x padded at the end of each dim by `extra` (padding="same" with an odd total).
Tensor pad_end(const Tensor& x, const Pair& extra, std::size_t D, SourceLocation loc) {
  if (extra[0] == 0 && extra[1] == 0) return x;
  return D == 2 ? pad(x, {0, extra[1], 0, extra[0]}, PadMode::Constant, 0, loc) : pad(x, {0, extra[1]}, PadMode::Constant, 0, loc);
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& b, ExpandingArray<2> stride, ConvPadding<2> padding,
              ExpandingArray<2> dilation, std::int64_t groups, SourceLocation loc) {
  const Op op{"conv2d", loc};
  autograd::check_defined(op.name, w);
  const auto [p, extra] = conv_params(op.name, w, stride, padding, dilation, groups);
  autograd::check_same_dtype(op.name, x, w);
  const kernel::ConvGeom g = check_conv(op.name, 2, x, w.shape(), b, p, extra);
  return conv_core(op, pad_end(x, extra, 2, loc), w, b, g, p);
}

Tensor conv1d(const Tensor& x, const Tensor& w, const Tensor& b, ExpandingArray<1> stride, ConvPadding<1> padding,
              ExpandingArray<1> dilation, std::int64_t groups, SourceLocation loc) {
  const Op op{"conv1d", loc};
  autograd::check_defined(op.name, w);
  const auto [p, extra] = conv_params(op.name, w, stride, padding, dilation, groups);
  autograd::check_same_dtype(op.name, x, w);
  const kernel::ConvGeom g = check_conv(op.name, 1, x, w.shape(), b, p, extra);
  const Tensor y = conv_core(op, unsqueeze(pad_end(x, extra, 1, loc), 2, loc), unsqueeze(w, 2, loc), b, g, p);
  return squeeze(y, 2, loc);
}

Tensor conv_transpose2d(const Tensor& x, const Tensor& w, const Tensor& b, ExpandingArray<2> stride, ExpandingArray<2> padding,
                        ExpandingArray<2> output_padding, std::int64_t groups, ExpandingArray<2> dilation, SourceLocation loc) {
  const Op op{"conv_transpose2d", loc};
  autograd::check_float(op.name, x);
  autograd::check_same_dtype(op.name, x, w);
  if (b.defined()) autograd::check_same_dtype(op.name, x, b);
  autograd::check_rank(op.name, x, 4, "input", "[N, C, H, W]");
  autograd::check_rank(op.name, w, 4, "weight", "[in_channels, out_channels/groups, kH, kW]");
  Params p;
  p.stride = autograd::at_least(op.name, "stride", stride, 1);
  p.padding = autograd::at_least(op.name, "padding", padding, 0);
  p.dilation = autograd::at_least(op.name, "dilation", dilation, 1);
  p.groups = groups;
  const Pair op_pad = autograd::at_least(op.name, "output_padding", output_padding, 0);
  if (groups <= 0) throw ValueError(fmt::format("{}: groups must be positive, got {}", op.name, groups));
  if (w.numel() == 0) throw ShapeError(fmt::format("{}: weight {} has a zero size", op.name, to_string(w.shape())));
  const i64 Cin = x.size(1);
  if (w.size(0) != Cin || Cin % groups != 0)
    throw ShapeError(fmt::format("{}: input {} has {} channels; weight {} must have as many in dim 0, divisible by groups={}",
                                 op.name, to_string(x.shape()), Cin, to_string(w.shape()), groups));
  const i64 Cout = w.size(1) * groups;  // no overflow: groups <= Cin
  if (b.defined() && (b.dim() != 1 || b.size(0) != Cout))
    throw ShapeError(fmt::format("{}: bias must have shape [{}] (out_channels), got {}", op.name, Cout, to_string(b.shape())));
  Pair out{};
  for (int i = 0; i < 2; ++i) {
    if (op_pad[i] >= p.stride[i])
      throw ValueError(fmt::format("{}: output_padding {} must be smaller than stride {}", op.name,
                                   autograd::list_str(op_pad), autograd::list_str(p.stride)));
    // (in - 1)·stride - 2·padding + dilation·(k - 1) + output_padding + 1, overflow-checked.
    i64 a = 0, span = 0, pad2 = 0;
    const bool overflow = __builtin_mul_overflow(x.size(2 + i) - 1, p.stride[i], &a) ||
                          __builtin_mul_overflow(p.dilation[i], w.size(2 + i) - 1, &span) ||
                          __builtin_add_overflow(a, span, &a) || __builtin_add_overflow(a, op_pad[i] + 1, &a) ||
                          __builtin_mul_overflow(p.padding[i], 2, &pad2);
    if (overflow) throw ValueError(fmt::format("{}: the output size overflows (input {}, weight {})", op.name, to_string(x.shape()), to_string(w.shape())));
    out[i] = a - pad2;
    if (out[i] <= 0)
      throw ShapeError(fmt::format("{}: output size {} in spatial dim {} is not positive (input {}, weight {}, stride {}, padding {}, "
                                   "dilation {}, output_padding {})", op.name, out[i], i, to_string(x.shape()), to_string(w.shape()),
                                   autograd::list_str(p.stride), autograd::list_str(p.padding), autograd::list_str(p.dilation),
                                   autograd::list_str(op_pad)));
  }
  autograd::check_allocatable(op.name, {x.size(0), Cout, out[0], out[1]}, x.dtype());
  const kernel::ConvGeom g{Cout, out[0], out[1], w.size(2), w.size(3), p.stride[0], p.stride[1], p.padding[0], p.padding[1],
                           p.dilation[0], p.dilation[1], x.size(2), x.size(3)};
  return op.record(kernel::conv_transpose2d(x, w, b, g, groups), {&x, &w, &b}, {&x, &w},
                   [p](Node& n, const Tensor& g) {
                     return conv2d(g, n.saved_value(1), {}, vec(p.stride), vec(p.padding), vec(p.dilation), p.groups);
                   },
                   [p, ws = w.shape()](Node& n, const Tensor& g) {
                     return conv2d_weight(g, ws, n.saved_value(0), vec(p.stride), vec(p.padding), vec(p.dilation), p.groups);
                   },
                   [](Node&, const Tensor& g) { return sum(g, {0, 2, 3}); });
}

Tensor conv2d_weight(const Tensor& x, const Shape& ws, const Tensor& gy, ExpandingArray<2> stride, ExpandingArray<2> padding,
                     ExpandingArray<2> dilation, std::int64_t groups, SourceLocation loc) {
  const Op op{"conv2d_weight", loc};
  autograd::check_same_dtype(op.name, x, gy);
  if (ws.size() != 4 || std::any_of(ws.begin(), ws.end(), [](i64 v) { return v <= 0; }))
    throw ShapeError(fmt::format("{}: weight_size must be 4 positive sizes [out_channels, in_channels/groups, kH, kW], got {}",
                                 op.name, to_string(ws)));
  Params p;
  p.stride = autograd::at_least(op.name, "stride", stride, 1);
  p.padding = autograd::at_least(op.name, "padding", padding, 0);
  p.dilation = autograd::at_least(op.name, "dilation", dilation, 1);
  p.groups = groups;
  const kernel::ConvGeom g = check_conv(op.name, 2, x, ws, {}, p);
  const Shape want{x.size(0), ws[0], g.Ho, g.Wo};
  autograd::check_rank(op.name, gy, 4, "grad_output", "[N, out_channels, Ho, Wo]");
  if (!(gy.shape() == want))
    throw ShapeError(fmt::format("{}: grad_output has shape {}, but input {} and weight_size {} give outputs of shape {}", op.name,
                                 to_string(gy.shape()), to_string(x.shape()), to_string(ws), to_string(want)));
  return op.record(kernel::conv2d_weight(x, gy, g, groups), {&x, &gy}, {&x, &gy},
                   [p, H = g.H, W = g.W](Node& n, const Tensor& g) {
                     const Tensor go = n.saved_value(1);
                     return conv_transpose2d(go, g, {}, vec(p.stride), vec(p.padding), output_padding(p, g, go, H, W), p.groups,
                                             vec(p.dilation));
                   },
                   [p](Node& n, const Tensor& g) {
                     return conv2d(n.saved_value(0), g, {}, vec(p.stride), vec(p.padding), vec(p.dilation), p.groups);
                   });
}

}  // namespace xg
