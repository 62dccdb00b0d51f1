// unfold (im2col) and fold (col2im): linear maps that are each other's adjoints, so each one's
// derivative is the other.
#include "autodiff/detail/conv_args.h"
#include "autodiff/detail/record.h"
#include "autodiff/ops.h"
#include "tensor/detail/conv.h"

namespace xg {

using namespace autograd::conv_names;

namespace {

struct FoldArgs {
  std::array<i64, 2> kernel, dilation, padding, stride;
};

FoldArgs fold_args(const char* op, const ExpandingArray<2>& k, const ExpandingArray<2>& d, const ExpandingArray<2>& p,
                   const ExpandingArray<2>& s) {
  return {autograd::at_least(op, "kernel_size", k, 1), autograd::at_least(op, "dilation", d, 1),
          autograd::at_least(op, "padding", p, 0), autograd::at_least(op, "stride", s, 1)};
}

// The geometry of C channels of H × W, or ShapeError when the kernel does not fit.
kernel::ConvGeom geometry(const char* op, i64 C, i64 H, i64 W, const FoldArgs& a, const Shape& shown) {
  const i64 Ho = autograd::window_count(op, H, a.kernel[0], a.stride[0], a.padding[0], a.dilation[0]);
  const i64 Wo = autograd::window_count(op, W, a.kernel[1], a.stride[1], a.padding[1], a.dilation[1]);
  if (Ho <= 0 || Wo <= 0)
    throw ShapeError(fmt::format("{}: kernel_size {} with dilation {} is larger than the padded {} × {} image (shape {}, padding {})",
                                 op, autograd::list_str(a.kernel), autograd::list_str(a.dilation), H, W, to_string(shown),
                                 autograd::list_str(a.padding)));
  return {C, H, W, a.kernel[0], a.kernel[1], a.stride[0], a.stride[1], a.padding[0], a.padding[1], a.dilation[0], a.dilation[1], Ho, Wo};
}

}  // namespace

Tensor unfold(const Tensor& x, ExpandingArray<2> kernel_size, ExpandingArray<2> dilation, ExpandingArray<2> padding,
              ExpandingArray<2> stride, SourceLocation loc) {
  const Op op{"unfold", loc};
  autograd::check_float(op.name, x);
  autograd::check_rank(op.name, x, 4, "input", "[N, C, H, W]");
  const FoldArgs a = fold_args(op.name, kernel_size, dilation, padding, stride);
  const kernel::ConvGeom g = geometry(op.name, x.size(1), x.size(2), x.size(3), a, x.shape());
  i64 kk = 0, K = 0;
  if (__builtin_mul_overflow(a.kernel[0], a.kernel[1], &kk) || __builtin_mul_overflow(g.C, kk, &K))
    throw ValueError(fmt::format("{}: kernel_size {} is too large", op.name, autograd::list_str(a.kernel)));
  autograd::check_allocatable(op.name, {x.size(0), K, g.Ho, g.Wo}, x.dtype());
  return op.record(kernel::unfold(x, g), {&x}, {}, [a, H = g.H, W = g.W](Node&, const Tensor& g) {
    return fold(g, {H, W}, vec(a.kernel), vec(a.dilation), vec(a.padding), vec(a.stride));
  });
}

Tensor fold(const Tensor& cols, ExpandingArray<2> output_size, ExpandingArray<2> kernel_size, ExpandingArray<2> dilation,
            ExpandingArray<2> padding, ExpandingArray<2> stride, SourceLocation loc) {
  const Op op{"fold", loc};
  autograd::check_float(op.name, cols);
  autograd::check_rank(op.name, cols, 3, "input", "[N, C·kH·kW, L]");
  const FoldArgs a = fold_args(op.name, kernel_size, dilation, padding, stride);
  const auto out = autograd::at_least(op.name, "output_size", output_size, 1);
  const i64 kk = a.kernel[0] > INT64_MAX / a.kernel[1] ? INT64_MAX : a.kernel[0] * a.kernel[1];
  if (cols.size(1) % kk != 0)
    throw ShapeError(fmt::format("{}: input {} must have a multiple of kH·kW = {} in dim 1 (kernel_size {})", op.name,
                                 to_string(cols.shape()), kk, autograd::list_str(a.kernel)));
  const kernel::ConvGeom g = geometry(op.name, cols.size(1) / kk, out[0], out[1], a, cols.shape());
  if (cols.size(2) != g.L())
    throw ShapeError(fmt::format("{}: input {} has {} positions in dim 2, but output_size {} with kernel_size {}, dilation {}, padding "
                                 "{} and stride {} gives {} × {} = {}",
                                 op.name, to_string(cols.shape()), cols.size(2), autograd::list_str(out), autograd::list_str(a.kernel),
                                 autograd::list_str(a.dilation), autograd::list_str(a.padding), autograd::list_str(a.stride), g.Ho,
                                 g.Wo, g.L()));
  autograd::check_allocatable(op.name, {cols.size(0), g.C, out[0], out[1]}, cols.dtype());
  return op.record(kernel::fold(cols, g, cols.size(0)), {&cols}, {}, [a](Node&, const Tensor& g) {
    return unfold(g, vec(a.kernel), vec(a.dilation), vec(a.padding), vec(a.stride));
  });
}

}  // namespace xg
