#pragma once
// Convolution, pooling, unfold/fold and padding on NCHW tensors (NCL for the 1-d forms), with
// torch.nn.functional's meanings and argument order. Each is an op on the graph whose derivative
// is written in these same ops: conv's input gradient is a transposed conv and its weight
// gradient conv2d_weight; unfold and fold are each other's adjoints; max pooling scatters the
// gradient to its indices. So gradgradcheck holds for all of them.
#include <array>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "tensor/tensor.h"

namespace xg {

// A size per spatial dim, as LibTorch's ExpandingArray: one int for every dim (3) or one per dim
// ({3, 5}). A list of the wrong length is a ValueError from the op that receives it; an empty
// one ({}) means "the default" where an op has one (a pool's stride defaults to its kernel).
template <std::size_t D>
class ExpandingArray {
 public:
  ExpandingArray() = default;
  template <std::integral I>
  ExpandingArray(I v) : v_(D, static_cast<std::int64_t>(v)) {}  // NOLINT: implicit, so conv2d(x, w, b, 2) works
  ExpandingArray(std::initializer_list<std::int64_t> v) : v_(v) {}
  ExpandingArray(const std::vector<std::int64_t>& v) : v_(v) {}  // NOLINT
  const std::vector<std::int64_t>& values() const { return v_; }
  bool empty() const { return v_.empty(); }

 private:
  std::vector<std::int64_t> v_;
};

// A convolution's padding: sizes per dim, or "same" (output as large as the input; stride 1
// only; an odd total pads one more at the end, as PyTorch) or "valid" (no padding).
template <std::size_t D>
class ConvPadding : public ExpandingArray<D> {
 public:
  using ExpandingArray<D>::ExpandingArray;
  ConvPadding(const char* mode) : mode_(mode) {}          // NOLINT
  ConvPadding(const std::string& mode) : mode_(mode) {}  // NOLINT
  const std::string& mode() const { return mode_; }  // "" when given as sizes

 private:
  std::string mode_;
};

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, ExpandingArray<1> stride = 1,
              ConvPadding<1> padding = 0, ExpandingArray<1> dilation = 1, std::int64_t groups = 1, XG_HERE);
// input [N, C, H, W], weight [Cout, C/groups, kH, kW], bias [Cout] or undefined.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, ExpandingArray<2> stride = 1,
              ConvPadding<2> padding = 0, ExpandingArray<2> dilation = 1, std::int64_t groups = 1, XG_HERE);
// input [N, Cin, H, W], weight [Cin, Cout/groups, kH, kW]; output_padding < stride adds rows and
// columns at the end so that conv2d of the output has the input's size.
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, ExpandingArray<2> stride = 1,
                        ExpandingArray<2> padding = 0, ExpandingArray<2> output_padding = 0, std::int64_t groups = 1,
                        ExpandingArray<2> dilation = 1, XG_HERE);
// The gradient of conv2d with respect to a weight of weight_size, as torch.nn.grad.conv2d_weight.
Tensor conv2d_weight(const Tensor& input, const Shape& weight_size, const Tensor& grad_output,
                     ExpandingArray<2> stride = 1, ExpandingArray<2> padding = 0, ExpandingArray<2> dilation = 1,
                     std::int64_t groups = 1, XG_HERE);

// im2col: [N, C, H, W] -> [N, C·kH·kW, L] with L the number of kernel positions.
Tensor unfold(const Tensor& input, ExpandingArray<2> kernel_size, ExpandingArray<2> dilation = 1,
              ExpandingArray<2> padding = 0, ExpandingArray<2> stride = 1, XG_HERE);
// col2im: [N, C·kH·kW, L] -> [N, C, output_size], summing overlapping entries.
Tensor fold(const Tensor& input, ExpandingArray<2> output_size, ExpandingArray<2> kernel_size,
            ExpandingArray<2> dilation = 1, ExpandingArray<2> padding = 0, ExpandingArray<2> stride = 1, XG_HERE);

// Pools. stride {} = kernel_size. Max pooling's gradient goes to the first maximum of each window
// (a NaN counts as the maximum); indices are flat positions ih·W + iw in each input plane.
Tensor max_pool2d(const Tensor& input, ExpandingArray<2> kernel_size, ExpandingArray<2> stride = {},
                  ExpandingArray<2> padding = 0, ExpandingArray<2> dilation = 1, bool ceil_mode = false, XG_HERE);
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, ExpandingArray<2> kernel_size,
                                                   ExpandingArray<2> stride = {}, ExpandingArray<2> padding = 0,
                                                   ExpandingArray<2> dilation = 1, bool ceil_mode = false, XG_HERE);
Tensor avg_pool2d(const Tensor& input, ExpandingArray<2> kernel_size, ExpandingArray<2> stride = {},
                  ExpandingArray<2> padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<std::int64_t> divisor_override = std::nullopt, XG_HERE);
Tensor adaptive_avg_pool2d(const Tensor& input, ExpandingArray<2> output_size, XG_HERE);
Tensor adaptive_max_pool2d(const Tensor& input, ExpandingArray<2> output_size, XG_HERE);
std::tuple<Tensor, Tensor> adaptive_max_pool2d_with_indices(const Tensor& input, ExpandingArray<2> output_size, XG_HERE);
// 1-d forms on [N, C, L].
Tensor max_pool1d(const Tensor& input, ExpandingArray<1> kernel_size, ExpandingArray<1> stride = {},
                  ExpandingArray<1> padding = 0, ExpandingArray<1> dilation = 1, bool ceil_mode = false, XG_HERE);
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, ExpandingArray<1> kernel_size,
                                                   ExpandingArray<1> stride = {}, ExpandingArray<1> padding = 0,
                                                   ExpandingArray<1> dilation = 1, bool ceil_mode = false, XG_HERE);
Tensor avg_pool1d(const Tensor& input, ExpandingArray<1> kernel_size, ExpandingArray<1> stride = {},
                  ExpandingArray<1> padding = 0, bool ceil_mode = false, bool count_include_pad = true, XG_HERE);
Tensor adaptive_avg_pool1d(const Tensor& input, ExpandingArray<1> output_size, XG_HERE);
Tensor adaptive_max_pool1d(const Tensor& input, ExpandingArray<1> output_size, XG_HERE);

// Pads the last dims: pad = {left, right} for the last dim, then {top, bottom} for the one before,
// and so on, as torch.nn.functional.pad. Constant mode may crop with negative sizes; reflect
// needs each size < the dim's size; circular needs it <= the dim's size.
enum class PadMode { Constant, Reflect, Replicate, Circular };
Tensor pad(const Tensor& input, const std::vector<std::int64_t>& pad, PadMode mode = PadMode::Constant,
           double value = 0, XG_HERE);

// Resizing [N, C, H, W] images to `size` (one or two ints) or by `scale_factor` (one or two; the output
// is floor(in · factor) and the factor itself sets the sampling, as PyTorch). Nearest takes pixel
// floor(o · in/out); bilinear interpolates between the two nearest rows and columns, with
// align_corners choosing whether the corner pixels' centres (true) or edges (false) line up.
enum class InterpolateMode { Nearest, Bilinear };
struct InterpolateOptions {
  std::vector<std::int64_t> size{};
  std::vector<double> scale_factor{};
  InterpolateMode mode = InterpolateMode::Nearest;
  bool align_corners = false;  // bilinear only
};
Tensor interpolate(const Tensor& input, const InterpolateOptions& options, XG_HERE);

}  // namespace xg
