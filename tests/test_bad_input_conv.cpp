// Bad input to the convolution, pooling, unfold/fold and pad ops: a typed error naming the op,
// the shapes and the parameters, and the tensors left as they were.
#include "check.h"

using xg::Tensor;

namespace {
constexpr std::int64_t kBig = INT64_MAX;
}

TEST_CASE("conv2d: wrong channels, groups, sizes, parameters and ranks are typed errors naming the op and values") {
  const Tensor x = xg::randn({2, 3, 5, 5}).requires_grad_(true), w = xg::randn({4, 3, 3, 3}).requires_grad_(true);
  const xgt::Snapshot sx(x), sw(w);
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, xg::randn({4, 2, 3, 3})), xg::ShapeError, "conv2d", "[2, 3, 5, 5]", "3 channels",
                       "[4, 2, 3, 3]", "groups=1");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, w, {}, 1, 0, 1, 2), xg::ShapeError, "conv2d", "groups=2", "in_channels 3");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, xg::randn({4, 3, 7, 3})), xg::ShapeError, "conv2d", "kernel size 7", "[2, 3, 5, 5]",
                       "padded by 0");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, w, {}, 1, 0, 3), xg::ShapeError, "conv2d", "dilation 3", "larger than the padded input");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, w, {}, 0), xg::ValueError, "conv2d", "stride must be positive", "[0, 0]");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, w, {}, {1, -2}), xg::ValueError, "conv2d", "stride", "[1, -2]");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, w, {}, 1, 0, {1, 0}), xg::ValueError, "conv2d", "dilation must be positive", "[1, 0]");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, w, {}, 1, {-1, 0}), xg::ValueError, "conv2d", "padding must be non-negative", "[-1, 0]");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, w, {}, {1, 1, 1}), xg::ValueError, "conv2d", "stride needs one int or 2 ints", "[1, 1, 1]");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, w, {}, 1, 0, 1, 0), xg::ValueError, "conv2d", "groups must be positive", "0");
  XGT_CHECK_THROWS_MSG(xg::conv2d(xg::randn({3, 5, 5}), w), xg::ShapeError, "conv2d", "4-D input", "[3, 5, 5]");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, xg::randn({4, 3, 3})), xg::ShapeError, "conv2d", "4-D weight", "[4, 3, 3]");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, w, xg::randn({3})), xg::ShapeError, "conv2d", "bias", "[4]", "[3]");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, w.to(xg::kFloat64)), xg::DTypeError, "conv2d", "float32", "float64");
  XGT_CHECK_THROWS_MSG(xg::conv2d(xg::zeros({2, 3, 5, 5}, xg::kInt64), w), xg::DTypeError, "conv2d", "int64");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, w, {}, 1, "full"), xg::ValueError, "conv2d", "\"same\" or \"valid\"", "full");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, w, {}, 2, "same"), xg::ValueError, "conv2d", "same", "strided", "[2, 2]");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, w, {}, 1, 0, kBig), xg::ShapeError, "conv2d", "larger than the padded input");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, w, {}, 1, kBig), xg::ValueError, "conv2d", "padding", "too large");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, w, {}, 1, "same", kBig), xg::ValueError, "conv2d", "dilation", "too large");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, w, {}, 1, kBig / 4), xg::ValueError, "conv2d");
  XGT_CHECK_THROWS_MSG(xg::conv2d(x, w, {}, 1, 0, 1, kBig), xg::ShapeError, "conv2d", "groups=");
  XGT_CHECK_THROWS_MSG(xg::conv2d(Tensor(), w), xg::ValueError, "conv2d", "undefined");
  CHECK(sx.unchanged());
  CHECK(sw.unchanged());
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("conv1d, conv_transpose2d and conv2d_weight: typed errors naming the op and values") {
  const Tensor x = xg::randn({2, 4, 9}), w = xg::randn({6, 2, 3});
  const xgt::Snapshot sx(x);
  XGT_CHECK_THROWS_MSG(xg::conv1d(xg::randn({2, 4, 9, 1}), w), xg::ShapeError, "conv1d", "3-D input", "[N, C, L]");
  XGT_CHECK_THROWS_MSG(xg::conv1d(x, w), xg::ShapeError, "conv1d", "[2, 4, 9]", "4 channels", "[6, 2, 3]");
  XGT_CHECK_THROWS_MSG(xg::conv1d(x, w, {}, 1, 0, 5, 2), xg::ShapeError, "conv1d", "kernel size 3", "dilation 5", "[2, 4, 9]");
  XGT_CHECK_THROWS_MSG(xg::conv1d(x, w, {}, {1, 1}), xg::ValueError, "conv1d", "stride needs one int or 1 ints");
  CHECK(sx.unchanged());

  const Tensor y = xg::randn({2, 4, 3, 3}), wt = xg::randn({4, 3, 3, 3});
  XGT_CHECK_THROWS_MSG(xg::conv_transpose2d(y, wt, {}, 2, 0, 2), xg::ValueError, "conv_transpose2d", "output_padding [2, 2]",
                       "smaller than stride [2, 2]");
  XGT_CHECK_THROWS_MSG(xg::conv_transpose2d(y, xg::randn({3, 3, 3, 3})), xg::ShapeError, "conv_transpose2d", "[2, 4, 3, 3]",
                       "4 channels", "[3, 3, 3, 3]");
  XGT_CHECK_THROWS_MSG(xg::conv_transpose2d(y, wt, {}, 1, 3), xg::ShapeError, "conv_transpose2d", "output size -1", "padding [3, 3]");
  XGT_CHECK_THROWS_MSG(xg::conv_transpose2d(y, wt, {}, 1, 0, 0, 3), xg::ShapeError, "conv_transpose2d", "groups=3");
  XGT_CHECK_THROWS_MSG(xg::conv_transpose2d(y, wt, xg::randn({4})), xg::ShapeError, "conv_transpose2d", "bias", "[3]");
  XGT_CHECK_THROWS_MSG(xg::conv_transpose2d(y, wt, {}, kBig), xg::ValueError, "conv_transpose2d", "overflows");
  XGT_CHECK_THROWS_MSG(xg::conv_transpose2d(y.reshape({2, 4, 9}), wt), xg::ShapeError, "conv_transpose2d", "4-D input");

  const Tensor xi = xg::randn({2, 3, 5, 5});
  XGT_CHECK_THROWS_MSG(xg::conv2d_weight(xi, {4, 3, 3, 3}, xg::randn({2, 4, 2, 3})), xg::ShapeError, "conv2d_weight",
                       "grad_output has shape [2, 4, 2, 3]", "[2, 4, 3, 3]");
  XGT_CHECK_THROWS_MSG(xg::conv2d_weight(xi, {4, -3, 3, 3}, xg::randn({2, 4, 3, 3})), xg::ShapeError, "conv2d_weight",
                       "weight_size", "[4, -3, 3, 3]");
}

TEST_CASE("unfold, fold and pad: typed errors naming the op and values") {
  const Tensor x = xg::randn({1, 2, 4, 4});
  XGT_CHECK_THROWS_MSG(xg::unfold(x, 5), xg::ShapeError, "unfold", "kernel_size [5, 5]", "[1, 2, 4, 4]");
  XGT_CHECK_THROWS_MSG(xg::unfold(x, 0), xg::ValueError, "unfold", "kernel_size must be positive");
  XGT_CHECK_THROWS_MSG(xg::unfold(xg::randn({2, 4, 4}), 2), xg::ShapeError, "unfold", "4-D input");
  XGT_CHECK_THROWS_MSG(xg::fold(xg::randn({1, 8, 8}), 4, 2), xg::ShapeError, "fold", "[1, 8, 8]", "8 positions", "9");
  XGT_CHECK_THROWS_MSG(xg::fold(xg::randn({1, 7, 9}), 4, 2), xg::ShapeError, "fold", "multiple of kH·kW = 4");
  XGT_CHECK_THROWS_MSG(xg::fold(xg::randn({1, 8, 9}), 0, 2), xg::ValueError, "fold", "output_size must be positive");

  const Tensor p = xg::randn({1, 3, 4});
  const xgt::Snapshot sp(p);
  XGT_CHECK_THROWS_MSG(xg::pad(p, {4, 0}, xg::PadMode::Reflect), xg::ValueError, "pad", "reflect", "[4, 0]", "size 4");
  XGT_CHECK_THROWS_MSG(xg::pad(p, {5, 0}, xg::PadMode::Circular), xg::ValueError, "pad", "circular", "size 4");
  XGT_CHECK_THROWS_MSG(xg::pad(p, {-1, 0}, xg::PadMode::Replicate), xg::ValueError, "pad", "replicate", "non-negative");
  XGT_CHECK_THROWS_MSG(xg::pad(p, {1, 1, 1}), xg::ValueError, "pad", "[1, 1, 1]", "pairs");
  XGT_CHECK_THROWS_MSG(xg::pad(p, {1, 1, 1, 1, 1, 1, 1, 1}), xg::ValueError, "pad", "3 dims");
  XGT_CHECK_THROWS_MSG(xg::pad(p, {-3, -2}), xg::ShapeError, "pad", "crops dim 2 of size 4");
  XGT_CHECK_THROWS_MSG(xg::pad(p, {kBig, 1}), xg::ValueError, "pad", "too large");
  XGT_CHECK_THROWS_MSG(xg::pad(p, {kBig / 2, 0}), xg::ValueError, "pad");
  CHECK(sp.unchanged());
}

TEST_CASE("pools: typed errors naming the op and values") {
  const Tensor x = xg::randn({1, 2, 5, 5});
  XGT_CHECK_THROWS_MSG(xg::max_pool2d(x, 2, 2, 2), xg::ValueError, "max_pool2d", "padding [2, 2]", "half", "kernel_size [2, 2]");
  XGT_CHECK_THROWS_MSG(xg::max_pool2d(x, 7), xg::ShapeError, "max_pool2d", "kernel_size 7", "[1, 2, 5, 5]");
  XGT_CHECK_THROWS_MSG(xg::max_pool2d(x, 2, 0), xg::ValueError, "max_pool2d", "stride must be positive");
  XGT_CHECK_THROWS_MSG(xg::max_pool2d(x, 2, 1, 0, -1), xg::ValueError, "max_pool2d", "dilation must be positive");
  XGT_CHECK_THROWS_MSG(xg::max_pool2d(xg::randn({2, 5, 5}), 2), xg::ShapeError, "max_pool2d", "4-D input", "[2, 5, 5]");
  XGT_CHECK_THROWS_MSG(xg::max_pool2d(xg::zeros({1, 1, 2, 2}, xg::kInt64), 2), xg::DTypeError, "max_pool2d", "int64");
  XGT_CHECK_THROWS_MSG(xg::max_pool2d(x, 2, 1, 0, kBig), xg::ShapeError, "max_pool2d", "dilation 9223372036854775807",
                       "larger than the input");
  XGT_CHECK_THROWS_MSG(xg::max_pool2d(x, 2, 1, 1, kBig), xg::ShapeError, "max_pool2d", "larger than the input");
  XGT_CHECK_THROWS_MSG(xg::max_pool2d(xg::randn({1, 1, 1, 1}), 2, 1, 1, 2), xg::ValueError, "max_pool2d", "holds no element");
  XGT_CHECK_THROWS_MSG(xg::max_pool1d(xg::randn({1, 2, 3}), 4), xg::ShapeError, "max_pool1d", "[1, 2, 3]");
  XGT_CHECK_THROWS_MSG(xg::avg_pool2d(x, 2, {}, 0, false, true, 0), xg::ValueError, "avg_pool2d", "divisor_override");
  XGT_CHECK_THROWS_MSG(xg::avg_pool2d(x, {2, 2, 2}), xg::ValueError, "avg_pool2d", "kernel_size", "[2, 2, 2]");
  XGT_CHECK_THROWS_MSG(xg::avg_pool1d(x, 2), xg::ShapeError, "avg_pool1d", "3-D input");
  XGT_CHECK_THROWS_MSG(xg::adaptive_avg_pool2d(x, {0, 2}), xg::ValueError, "adaptive_avg_pool2d", "output_size", "[0, 2]");
  XGT_CHECK_THROWS_MSG(xg::adaptive_max_pool2d(x, kBig), xg::ValueError, "adaptive_max_pool2d", "too large");
  XGT_CHECK_THROWS_MSG(xg::adaptive_max_pool1d(xg::randn({1, 2, 0}), 2), xg::ShapeError, "adaptive_max_pool1d", "empty");
}
