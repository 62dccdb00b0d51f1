// conv1d, conv2d, conv_transpose2d and conv2d_weight: values by hand and from PyTorch
// (tests/reference/conv_reference.py), every kernel path against a direct loop, and float64
// gradcheck + gradgradcheck over a grid of stride, padding, dilation and groups.
#include "conv_check.h"

using xg::Tensor;
using xgt::check_grads;
using xgt::check_reference;
using xgt::check_shape;
using xgt::check_values;
using xgt::f64;
using xgt::seq;
namespace R = convref;

TEST_CASE("conv2d by hand: a 2x2 kernel over a 3x3 image, with bias, padding and stride") {
  const Tensor x = f64({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  const Tensor w = f64({1, 0, 0, -1}, {1, 1, 2, 2});  // x[i][j] - x[i+1][j+1]
  check_values(xg::conv2d(x, w), {-4, -4, -4, -4});
  check_values(xg::conv2d(x, w, f64({10}, {1})), {6, 6, 6, 6});
  // padding 1, stride 2: windows at (-1,-1), (-1,1), (1,-1), (1,1)
  check_values(xg::conv2d(x, w, {}, 2, 1), {-1, -3 + 0, -7 + 0, 5 - 9});
  Tensor xg_ = f64({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  xg::conv2d(xg_, w).sum().backward();
  // each pixel's gradient: +1 for each window it starts, -1 for each it ends
  check_values(xg_.grad(), {1, 1, 0, 1, 0, -1, 0, -1, -1});
}

TEST_CASE("conv2d matches PyTorch: grouped, strided, padded, dilated, with bias") {
  check_reference([](const std::vector<Tensor>& in) { return xg::conv2d(in[0], in[1], in[2], {2, 1}, {1, 2}, {1, 2}, 2); },
                  {seq({2, 4, 5, 4}, -0.7, 0.05, 0.001), seq({6, 2, 3, 2}, 0.4, -0.03, 0.002), seq({6}, 0.1, 0.2, 0)},
                  R::conv2d_grouped_y, {&R::conv2d_grouped_d0, &R::conv2d_grouped_d1, &R::conv2d_grouped_d2});
}

TEST_CASE("conv2d padding \"same\" with even kernels pads the extra row and column at the end, as PyTorch") {
  const auto fn = [](const std::vector<Tensor>& in) { return xg::conv2d(in[0], in[1], {}, 1, "same"); };
  const std::vector<Tensor> in{seq({1, 2, 4, 5}, 0.3, -0.04, 0.002), seq({3, 2, 2, 4}, -0.2, 0.05, -0.001)};
  check_reference(fn, in, R::conv2d_same_y, {&R::conv2d_same_d0, &R::conv2d_same_d1});
  check_shape(fn(in), {1, 3, 4, 5});
  check_grads(fn, in);
  // "valid" is padding 0
  CHECK(xg::equal(xg::conv2d(in[0], in[1], {}, 1, "valid"), xg::conv2d(in[0], in[1])));
}

TEST_CASE("conv2d depthwise and 1x1 paths match PyTorch") {
  check_reference([](const std::vector<Tensor>& in) { return xg::conv2d(in[0], in[1], in[2], 2, 1, 1, 3); },
                  {seq({2, 3, 5, 5}, 0.1, 0.02, -0.0003), seq({6, 1, 3, 3}, -0.5, 0.07, 0.001), seq({6}, -0.3, 0.1, 0)},
                  R::conv2d_depthwise_y, {&R::conv2d_depthwise_d0, &R::conv2d_depthwise_d1, &R::conv2d_depthwise_d2});
  check_reference([](const std::vector<Tensor>& in) { return xg::conv2d(in[0], in[1]); },
                  {seq({2, 3, 2, 3}, 0.5, -0.02, 0.001), seq({4, 3, 1, 1}, 0.2, 0.1, -0.01)}, R::conv2d_pointwise_y,
                  {&R::conv2d_pointwise_d0, &R::conv2d_pointwise_d1});
}

TEST_CASE("conv1d matches PyTorch, with padding \"same\" too") {
  check_reference([](const std::vector<Tensor>& in) { return xg::conv1d(in[0], in[1], in[2], 2, 1, 2, 2); },
                  {seq({2, 4, 9}, 0.2, -0.03, 0.001), seq({4, 2, 3}, -0.1, 0.06, 0.002), seq({4}, 0.5, -0.2, 0)}, R::conv1d_y,
                  {&R::conv1d_d0, &R::conv1d_d1, &R::conv1d_d2});
  const auto same = [](const std::vector<Tensor>& in) { return xg::conv1d(in[0], in[1], {}, 1, "same", 3); };
  const std::vector<Tensor> in{seq({1, 2, 7}, 0.2, 0.03, -0.001), seq({2, 2, 2}, 0.3, -0.1, 0.01)};
  check_reference(same, in, R::conv1d_same_y, {&R::conv1d_same_d0, &R::conv1d_same_d1});
  check_shape(same(in), {1, 2, 7});
  check_grads(same, in);
}

TEST_CASE("conv_transpose2d matches PyTorch: stride, padding, output_padding, groups, dilation") {
  check_reference(
      [](const std::vector<Tensor>& in) { return xg::conv_transpose2d(in[0], in[1], in[2], {2, 3}, {1, 0}, {1, 2}, 2, {1, 2}); },
      {seq({2, 4, 3, 2}, 0.3, -0.02, 0.001), seq({4, 3, 3, 2}, -0.4, 0.05, -0.0007), seq({6}, 0.2, -0.1, 0)},
      R::conv_transpose2d_y, {&R::conv_transpose2d_d0, &R::conv_transpose2d_d1, &R::conv_transpose2d_d2});
}

TEST_CASE("conv_transpose2d is the adjoint of conv2d and conv2d_weight is conv2d's weight gradient") {
  // <conv2d(x, w), y> = <x, conv_transpose2d(y, w)> for every x, y.
  const Tensor x = seq({2, 4, 7, 6}, 0.1, 0.03, -0.0002, false), w = seq({6, 2, 3, 2}, -0.3, 0.04, 0.001, false);
  const Tensor y0 = xg::conv2d(x, w, {}, {2, 1}, {1, 1}, {2, 1}, 2);
  const Tensor y = seq(y0.shape(), 0.5, -0.01, 0.0003, false);
  // output_padding restores the width lost to the stride: 7 + 2 - 4 - 1 = 4 = 2·2 + 0, height exact.
  const Tensor xt = xg::conv_transpose2d(y, w, {}, {2, 1}, {1, 1}, {0, 0}, 2, {2, 1});
  check_shape(xt, x.shape());
  CHECK(std::abs((y0 * y).sum().item<double>() - (x * xt).sum().item<double>()) < 1e-9);
  // conv2d_weight(x, w.shape, y) = d<conv2d(x, w), y>/dw
  Tensor wg = w.detach().clone().requires_grad_(true);
  (xg::conv2d(x, wg, {}, {2, 1}, {1, 1}, {2, 1}, 2) * y).sum().backward();
  check_values(xg::conv2d_weight(x, w.shape(), y, {2, 1}, {1, 1}, {2, 1}, 2), wg.grad().to_vector<double>(), 1e-12);
}

TEST_CASE("conv2d's kernel paths (general chunked, 1x1, depthwise) agree with a direct loop in float32 and float64") {
  struct Case {
    xg::Shape x, w;
    std::int64_t sh, sw, ph, pw, dh, dw, groups;
  };
  const std::vector<Case> cases = {
      {{37, 3, 9, 11}, {5, 3, 3, 3}, 1, 1, 1, 1, 1, 1, 1},     // general, several chunks of images
      {{5, 4, 13, 10}, {6, 2, 3, 2}, 2, 3, 2, 0, 1, 2, 2},     // grouped, strided, dilated
      {{3, 6, 5, 7}, {4, 6, 1, 1}, 1, 1, 0, 0, 1, 1, 1},       // 1x1: plain GEMM
      {{3, 6, 5, 7}, {4, 3, 1, 1}, 2, 1, 1, 0, 1, 1, 2},       // 1x1 but strided and padded: general
      {{4, 5, 9, 8}, {10, 1, 3, 3}, 1, 2, 1, 1, 2, 1, 5},      // depthwise, multiplier 2
      {{2, 4, 6, 6}, {24, 1, 2, 2}, 1, 1, 0, 1, 1, 1, 4},      // 6 outputs per channel: general path
      {{64, 1, 28, 28}, {32, 1, 3, 3}, 1, 1, 1, 1, 1, 1, 1},   // the CNN's first layer, large enough for both cores
  };
  for (const auto& c : cases) {
    CAPTURE(xg::to_string(c.x));
    CAPTURE(xg::to_string(c.w));
    const Tensor x = xg::sin(seq(c.x, 0.1, 0.37, 0.0, false)), w = xg::cos(seq(c.w, 0.2, 0.53, 0.0, false));
    const Tensor b = seq({c.w[0]}, -0.2, 0.1, 0.0, false);
    const auto want = xgt::direct_conv2d(x, w, b, c.sh, c.sw, c.ph, c.pw, c.dh, c.dw, c.groups);
    const auto run = [&](xg::DType d) {
      return xg::conv2d(x.to(d), w.to(d), b.to(d), {c.sh, c.sw}, {c.ph, c.pw}, {c.dh, c.dw}, c.groups);
    };
    check_values(run(xg::kFloat64), want, 1e-12);
    check_values(run(xg::kFloat32), want, 2e-5);
    // The backward kernels of the same path: the adjoint identity and the weight gradient by finite sums.
    const Tensor y = xg::cos(seq(run(xg::kFloat64).shape(), 0.3, 0.11, 0.0, false));
    for (const xg::DType d : {xg::kFloat64, xg::kFloat32}) {
      CAPTURE(xg::dtype_name(d));
      Tensor xd = x.to(d).detach().requires_grad_(true), wd = w.to(d).detach().requires_grad_(true);
      const Tensor out = xg::conv2d(xd, wd, {}, {c.sh, c.sw}, {c.ph, c.pw}, {c.dh, c.dw}, c.groups);
      (out * y.to(d)).sum().backward();
      // <conv(x, w), y> is linear in each input: it equals <x, dx> and <w, dw>.
      const double total = (xg::conv2d(x, w, {}, {c.sh, c.sw}, {c.ph, c.pw}, {c.dh, c.dw}, c.groups) * y).sum().item<double>();
      const double tol = d == xg::kFloat64 ? 1e-9 : 1e-3;
      CHECK(std::abs((x * xd.grad().to(xg::kFloat64)).sum().item<double>() - total) < tol * (1 + std::abs(total)));
      CHECK(std::abs((w * wd.grad().to(xg::kFloat64)).sum().item<double>() - total) < tol * (1 + std::abs(total)));
    }
  }
}

TEST_CASE("conv2d gradcheck and gradgradcheck over stride, padding, dilation, groups and odd sizes") {
  for (std::int64_t s : {1, 2})
    for (std::int64_t p : {0, 1})
      for (std::int64_t d : {1, 2})
        for (std::int64_t g : {1, 2}) {
          CAPTURE(s);
          CAPTURE(p);
          CAPTURE(d);
          CAPTURE(g);
          const Tensor x = seq({2, 2 * g, 5, 4}, -0.4, 0.03, 0.001), w = seq({2 * g, 2, 2, 3}, 0.3, -0.05, 0.002);
          const Tensor b = seq({2 * g}, 0.1, 0.2, 0);
          check_grads([=](const std::vector<Tensor>& in) { return xg::conv2d(in[0], in[1], in[2], {s, 3 - s}, {p, 1}, {d, 1}, g); },
                      {x, w, b});
        }
  // depthwise and 1x1
  check_grads([](const std::vector<Tensor>& in) { return xg::conv2d(in[0], in[1], {}, 2, 1, 1, 3); },
              {seq({1, 3, 5, 5}, 0.2, 0.01, 0.001), seq({6, 1, 3, 3}, -0.2, 0.04, 0.0)});
  check_grads([](const std::vector<Tensor>& in) { return xg::conv2d(in[0], in[1]); },
              {seq({2, 3, 3, 1}, 0.2, 0.01, 0.001), seq({2, 3, 1, 1}, -0.2, 0.04, 0.0)});
}

TEST_CASE("conv1d, conv_transpose2d and conv2d_weight: gradcheck and gradgradcheck") {
  for (std::int64_t g : {1, 2}) {
    CAPTURE(g);
    check_grads([g](const std::vector<Tensor>& in) { return xg::conv1d(in[0], in[1], in[2], 2, 1, 2, g); },
                {seq({2, 4, 9}, 0.2, -0.03, 0.001), seq({4, 4 / g, 3}, -0.1, 0.06, 0.002), seq({4}, 0.5, -0.2, 0)});
    for (std::int64_t s : {1, 2})
      check_grads(
          [g, s](const std::vector<Tensor>& in) { return xg::conv_transpose2d(in[0], in[1], in[2], s, {1, 0}, {s - 1, 0}, g, {1, 2}); },
          {seq({1, 2, 3, 3}, 0.3, -0.02, 0.001), seq({2, 4 / g, 3, 2}, -0.4, 0.05, -0.0007), seq({4}, 0.2, -0.1, 0)});
    check_grads(
        [g](const std::vector<Tensor>& in) { return xg::conv2d_weight(in[0], {2, 2 / g, 2, 3}, in[1], {2, 1}, 1, {1, 2}, g); },
        {seq({2, 2, 5, 6}, 0.3, -0.02, 0.001), seq({2, 2, 3, 4}, -0.2, 0.03, 0.0004)});
  }
}

TEST_CASE("conv ops in float32 keep float32 and record a node named after the op") {
  const Tensor x = xg::randn({2, 3, 6, 6}), w = xg::randn({4, 3, 3, 3}).requires_grad_(true);
  const Tensor y = xg::conv2d(x, w, {}, 1, 1);
  CHECK(y.dtype() == xg::kFloat32);
  CHECK(y.grad_fn_name() == "conv2d");
  CHECK(xg::conv_transpose2d(y, w).grad_fn_name() == "conv_transpose2d");
}
