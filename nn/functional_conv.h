#pragma once
// xg::nn::functional's convolution, pooling and padding forms (the ops of autodiff/ops_conv.h)
// and dropout2d.
#include "autodiff/ops.h"
#include "tensor/random.h"

namespace xg::nn::functional {

using xg::adaptive_avg_pool1d;
using xg::adaptive_avg_pool2d;
using xg::adaptive_max_pool1d;
using xg::adaptive_max_pool2d;
using xg::avg_pool1d;
using xg::avg_pool2d;
using xg::conv1d;
using xg::conv2d;
using xg::conv_transpose2d;
using xg::fold;
using xg::interpolate;
using xg::max_pool1d;
using xg::max_pool2d;
using xg::max_pool2d_with_indices;
using xg::pad;
using xg::unfold;

// Drops whole channels of [N, C, H, W] input: each (n, c) plane is zeroed with probability p, the
// others scaled by 1/(1-p). Identity in eval.
Tensor dropout2d(const Tensor& x, double p = 0.5, bool training = true, Generator* gen = nullptr);

}  // namespace xg::nn::functional
