// Pools: max (with indices), average (ceil_mode, count_include_pad, divisor_override), adaptive
// average and max, 2-d and 1-d: values by hand and from PyTorch (tests/reference/conv_reference.py),
// float64 gradcheck and gradgradcheck.
#include "conv_check.h"

using xg::Tensor;
using xgt::check_grads;
using xgt::check_reference;
using xgt::check_shape;
using xgt::check_values;
using xgt::f64;
namespace R = convref;

namespace {
// sin(0.3 + 0.7·i + 0.01·i²): no ties inside a window, so max pooling's gradient is defined.
Tensor wave(const xg::Shape& s) { return xg::sin(xgt::seq(s, 0.3, 0.7, 0.01, false)); }
using Fn = std::function<Tensor(const Tensor&)>;
xg::GradcheckFn on_first(Fn f) {
  return [f](const std::vector<Tensor>& in) { return f(in[0]); };
}
}  // namespace

TEST_CASE("max_pool2d and avg_pool2d by hand on a 4x4 image") {
  Tensor x = f64({1, 5, 2, 0, 3, 4, 8, 1, 0, 2, 6, 7, 9, 1, 3, 5}, {1, 1, 4, 4});
  const auto [v, i] = xg::max_pool2d_with_indices(x, 2);
  check_values(v, {5, 8, 9, 7});
  check_values(i.to(xg::kFloat64), {1, 6, 12, 11});
  CHECK(i.dtype() == xg::kInt64);
  v.sum().backward();
  check_values(x.grad(), {0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0});
  check_values(xg::avg_pool2d(x, 2), {13.0 / 4, 11.0 / 4, 12.0 / 4, 21.0 / 4});
  // padding 1 with count_include_pad: the corner window holds x[0][0] alone and divides by 4.
  check_values(xg::narrow(xg::avg_pool2d(x, 2, 2, 1).flatten(), 0, 0, 1), {0.25});
  check_values(xg::narrow(xg::avg_pool2d(x, 2, 2, 1, false, false).flatten(), 0, 0, 1), {1});
}

TEST_CASE("max_pool2d matches PyTorch: ceil_mode, padding, dilation, indices") {
  check_reference(on_first([](const Tensor& x) { return xg::max_pool2d(x, 3, 2, 1, 1, true); }), {wave({2, 2, 5, 7})},
                  R::max_pool2d_y, {&R::max_pool2d_d0});
  check_values(std::get<1>(xg::max_pool2d_with_indices(wave({2, 2, 5, 7}), 3, 2, 1, 1, true)).to(xg::kFloat64), R::max_pool2d_idx);
  check_reference(on_first([](const Tensor& x) { return xg::max_pool2d(x, {2, 3}, {1, 2}, {1, 1}, {2, 2}); }),
                  {wave({2, 2, 5, 7})}, R::max_pool2d_dilated_y, {&R::max_pool2d_dilated_d0});
}

TEST_CASE("avg_pool2d matches PyTorch: ceil_mode, count_include_pad both ways, divisor_override") {
  check_reference(on_first([](const Tensor& x) { return xg::avg_pool2d(x, 3, 2, 1, true, false); }), {wave({2, 2, 5, 7})},
                  R::avg_pool2d_y, {&R::avg_pool2d_d0});
  check_reference(on_first([](const Tensor& x) { return xg::avg_pool2d(x, {2, 3}, {2, 2}, {1, 1}, true); }), {wave({2, 2, 5, 7})},
                  R::avg_pool2d_pad_y, {&R::avg_pool2d_pad_d0});
  check_reference(on_first([](const Tensor& x) { return xg::avg_pool2d(x, 2, {}, 0, false, true, 3); }), {wave({2, 2, 5, 7})},
                  R::avg_pool2d_divisor_y, {&R::avg_pool2d_divisor_d0});
}

TEST_CASE("adaptive pools match PyTorch; global average pooling is the mean") {
  check_reference(on_first([](const Tensor& x) { return xg::adaptive_avg_pool2d(x, {3, 4}); }), {wave({2, 2, 5, 7})},
                  R::adaptive_avg_pool2d_y, {&R::adaptive_avg_pool2d_d0});
  check_reference(on_first([](const Tensor& x) { return xg::adaptive_max_pool2d(x, {3, 4}); }), {wave({2, 2, 5, 7})},
                  R::adaptive_max_pool2d_y, {&R::adaptive_max_pool2d_d0});
  check_values(std::get<1>(xg::adaptive_max_pool2d_with_indices(wave({2, 2, 5, 7}), {3, 4})).to(xg::kFloat64),
               R::adaptive_max_pool2d_idx);
  const Tensor x = wave({2, 3, 4, 5});
  const Tensor g = xg::adaptive_avg_pool2d(x, 1);
  check_shape(g, {2, 3, 1, 1});
  check_values(g, xg::mean(x, {2, 3}, true).to_vector<double>());
}

TEST_CASE("1-d pools match PyTorch") {
  check_reference(on_first([](const Tensor& x) { return xg::max_pool1d(x, 3, 2, 1, 1, true); }), {wave({2, 3, 9})}, R::max_pool1d_y,
                  {&R::max_pool1d_d0});
  check_reference(on_first([](const Tensor& x) { return xg::avg_pool1d(x, 4, 3, 2, true, false); }), {wave({2, 3, 9})},
                  R::avg_pool1d_y, {&R::avg_pool1d_d0});
  check_reference(on_first([](const Tensor& x) { return xg::adaptive_avg_pool1d(x, 4); }), {wave({2, 3, 9})},
                  R::adaptive_avg_pool1d_y, {&R::adaptive_avg_pool1d_d0});
  check_reference(on_first([](const Tensor& x) { return xg::adaptive_max_pool1d(x, 4); }), {wave({2, 3, 9})},
                  R::adaptive_max_pool1d_y, {&R::adaptive_max_pool1d_d0});
  check_shape(std::get<1>(xg::max_pool1d_with_indices(wave({2, 3, 9}), 2)), {2, 3, 4});
}

TEST_CASE("pools: gradcheck and gradgradcheck over kernel, stride, padding, dilation and ceil_mode") {
  const Tensor x = wave({2, 2, 7, 6}).requires_grad_(true);
  for (std::int64_t k : {2, 3})
    for (std::int64_t s : {1, 2})
      for (std::int64_t p : {0, 1})
        for (bool ceil : {false, true}) {
          CAPTURE(k);
          CAPTURE(s);
          CAPTURE(p);
          CAPTURE(ceil);
          check_grads(on_first([=](const Tensor& t) { return xg::max_pool2d(t, {k, 3}, {s, 2}, {p, 1}, {1, 2}, ceil); }), {x});
          check_grads(on_first([=](const Tensor& t) { return xg::avg_pool2d(t, {k, 3}, {s, 2}, {p, 1}, ceil, p == 0); }), {x});
        }
  check_grads(on_first([](const Tensor& t) { return xg::adaptive_avg_pool2d(t, {3, 4}); }), {x});
  check_grads(on_first([](const Tensor& t) { return xg::adaptive_max_pool2d(t, {3, 4}); }), {x});
  const Tensor x1 = wave({2, 2, 9}).requires_grad_(true);
  check_grads(on_first([](const Tensor& t) { return xg::max_pool1d(t, 3, 2, 1, 2); }), {x1});
  check_grads(on_first([](const Tensor& t) { return xg::avg_pool1d(t, 3, 2, 1, true); }), {x1});
  check_grads(on_first([](const Tensor& t) { return xg::adaptive_avg_pool1d(t, 4); }), {x1});
  check_grads(on_first([](const Tensor& t) { return xg::adaptive_max_pool1d(t, 4); }), {x1});
}

TEST_CASE("max_pool2d: NaN wins its window, float32 matches float64, large inputs use both paths the same") {
  Tensor x = f64({1, std::nan(""), 2, 3}, {1, 1, 2, 2}, false);
  CHECK(std::isnan(xg::max_pool2d(x, 2).item<double>()));
  const Tensor big = wave({16, 8, 20, 20});
  CHECK(xg::allclose(xg::max_pool2d(big.to(xg::kFloat32), 2).to(xg::kFloat64), xg::max_pool2d(big, 2), 1e-6, 1e-6));
  CHECK(xg::allclose(xg::avg_pool2d(big.to(xg::kFloat32), 3, 2, 1).to(xg::kFloat64), xg::avg_pool2d(big, 3, 2, 1), 1e-5, 1e-6));
}
