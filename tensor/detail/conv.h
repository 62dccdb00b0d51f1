#pragma once
// Internal: convolution and pooling kernels on contiguous NCHW tensors. Callers (autodiff/
// ops_conv.cpp, ops_pool.cpp) have validated dtypes, shapes and parameters.
#include <utility>
#include <vector>

#include "tensor/detail/tensor_impl.h"

namespace xg::kernel {

// One image's side of a 2-D convolution (also of unfold/fold): C channels of H×W, a kh×kw
// kernel with stride, zero padding and dilation, giving Ho×Wo positions.
struct ConvGeom {
  std::int64_t C, H, W;
  std::int64_t kh, kw, sh, sw, ph, pw, dh, dw;
  std::int64_t Ho, Wo;
  std::int64_t L() const { return Ho * Wo; }
  std::int64_t K() const { return C * kh * kw; }  // rows of one image's column matrix
};

// [N, C, H, W] -> [N, C·kh·kw, Ho·Wo] (im2col) and back, summing overlaps (col2im).
Tensor unfold(const Tensor& x, const ConvGeom& g);
Tensor fold(const Tensor& cols, const ConvGeom& g, std::int64_t N);

// y = conv(x, w) (+ bias): x [N, C, H, W], w [Cout, C/groups, kh, kw] -> [N, Cout, Ho, Wo].
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvGeom& g, std::int64_t groups);
// The adjoint of conv2d in x: gy [N, Cout, Ho, Wo] -> [N, C, H, W] (+ bias of size C).
Tensor conv_transpose2d(const Tensor& gy, const Tensor& w, const Tensor& bias, const ConvGeom& g, std::int64_t groups);
// The adjoint of conv2d in w: Σ_n gy_n ⋆ x_n -> [Cout, C/groups, kh, kw].
Tensor conv2d_weight(const Tensor& x, const Tensor& gy, const ConvGeom& g, std::int64_t groups);

// Depthwise forms (groups == C, one input channel per group), called by the three above.
void depthwise_forward(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvGeom& g, Tensor& y);
void depthwise_input(const Tensor& gy, const Tensor& w, const ConvGeom& g, Tensor& gx);
void depthwise_weight(const Tensor& x, const Tensor& gy, const ConvGeom& g, Tensor& gw);

// A pooling window along one dim: positions start + t·step for t < count, those outside
// [0, size) skipped.
struct Window {
  std::int64_t start, count, step;
};
// Max over the windows rows × cols of each plane of x [P, H, W]: values [P, Ho, Wo] and the
// int64 flat index ih·W + iw of the first maximum (NaN wins, as PyTorch).
std::pair<Tensor, Tensor> window_max(const Tensor& x, const std::vector<Window>& rows, const std::vector<Window>& cols);

}  // namespace xg::kernel
