// matmul in all its forms, linear, softmax and log_softmax.
#include "check.h"

using xg::Tensor;
using xgt::check_grads;
using xgt::check_shape;
using xgt::check_values;
using xgt::f64;

namespace {
// -0.7 + scale·i + 0.002·i² at flat index i.
Tensor seq(const xg::Shape& s, double scale = 0.1) { return xgt::seq(s, -0.7, scale, 0.002); }
}  // namespace

TEST_CASE("matmul 2-D by hand, gradients by hand") {
  // mm, the 2-D-only form, gives the same values and gradients.
  for (const bool use_mm : {false, true}) {
    CAPTURE(use_mm);
    Tensor a = f64({1, 2, 3, 4, 5, 6}, {2, 3});
    Tensor b = f64({1, 0, 0, 1, 1, 1}, {3, 2});
    const Tensor c = use_mm ? xg::mm(a, b) : xg::matmul(a, b);
    check_shape(c, {2, 2});
    check_values(c, {4, 5, 10, 11});
    c.sum().backward();
    check_values(a.grad(), {1, 1, 2, 1, 1, 2});  // row sums of b
    check_values(b.grad(), {5, 5, 7, 7, 9, 9});  // column sums of a
  }
}

TEST_CASE("matmul: 1-D and batched forms match torch.matmul shapes and values") {
  const Tensor v = f64({1, 2, 3}, {3});
  const Tensor m = f64({1, 0, 0, 1, 1, 1}, {3, 2});
  check_values(xg::matmul(v, v), {14});
  check_shape(xg::matmul(v, v), {});
  check_values(xg::matmul(v, m), {4, 5});
  check_values(xg::matmul(xg::t(m), v), {4, 5});
  const Tensor batch = seq({4, 2, 3});
  const Tensor out = xg::matmul(batch, m);
  check_shape(out, {4, 2, 2});
  for (std::int64_t k = 0; k < 4; ++k) {
    const Tensor slice = xg::matmul(xg::narrow(batch, 0, k, 1).reshape({2, 3}), m);
    check_values(xg::narrow(out, 0, k, 1).reshape({2, 2}), slice.to_vector<double>());
  }
  check_shape(xg::matmul(seq({2, 1, 3, 4}), seq({5, 4, 2})), {2, 5, 3, 2});
  check_shape(xg::matmul(seq({2, 3, 4}), f64({1, 1, 1, 1}, {4})), {2, 3});
}

TEST_CASE("matmul gradients: gradcheck and gradgradcheck in every form") {
  check_grads([](const std::vector<Tensor>& in) { return xg::matmul(in[0], in[1]); }, {seq({2, 3}), seq({3, 4})});
  check_grads([](const std::vector<Tensor>& in) { return xg::mm(in[0], in[1]); }, {seq({2, 3}), seq({3, 4})});
  check_grads([](const std::vector<Tensor>& in) { return xg::mm(in[0], in[0]); }, {seq({3, 3})});
  check_grads([](const std::vector<Tensor>& in) { return xg::matmul(in[0], in[1]); }, {seq({3}), seq({3})});
  check_grads([](const std::vector<Tensor>& in) { return xg::matmul(in[0], in[1]); }, {seq({3}), seq({3, 2})});
  check_grads([](const std::vector<Tensor>& in) { return xg::matmul(in[0], in[1]); }, {seq({2, 3}), seq({3})});
  check_grads([](const std::vector<Tensor>& in) { return xg::matmul(in[0], in[1]); }, {seq({2, 2, 3}), seq({3, 2})});
  check_grads([](const std::vector<Tensor>& in) { return xg::matmul(in[0], in[1]); }, {seq({2, 1, 2, 3}), seq({3, 3, 2})});
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      CAPTURE(ta);
      CAPTURE(tb);
      const Tensor a = ta ? seq({3, 2}) : seq({2, 3});
      const Tensor b = tb ? seq({4, 3}) : seq({3, 4});
      const Tensor ref = xg::matmul(ta ? xg::t(a) : a, tb ? xg::t(b) : b);
      check_values(xg::gemm(a, b, ta, tb), ref.to_vector<double>());
      check_grads([ta, tb](const std::vector<Tensor>& in) { return xg::gemm(in[0], in[1], ta, tb); }, {a, b});
    }
}

TEST_CASE("matmul float32 goes through BLAS and agrees with float64") {
  xg::manual_seed(3);
  const Tensor a = xg::randn({64, 48}, xg::kFloat64), b = xg::randn({48, 32}, xg::kFloat64);
  const Tensor c32 = xg::matmul(a.to(xg::kFloat32), b.to(xg::kFloat32));
  CHECK(xg::allclose(c32.to(xg::kFloat64), xg::matmul(a, b), 1e-4, 1e-4));
}

TEST_CASE("linear = x W^T + b, on 1-D, 2-D and 3-D inputs") {
  const Tensor w = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor b = f64({10, 20}, {2});
  check_values(xg::linear(f64({1, 1, 1}, {3}), w, b), {16, 35});
  check_values(xg::linear(f64({1, 0, 0, 0, 1, 0}, {2, 3}), w), {1, 4, 2, 5});
  check_shape(xg::linear(seq({4, 5, 3}), w, b), {4, 5, 2});
  check_grads([](const std::vector<Tensor>& in) { return xg::linear(in[0], in[1], in[2]); }, {seq({4, 3}), seq({2, 3}), seq({2})});
  check_grads([](const std::vector<Tensor>& in) { return xg::linear(in[0], in[1], in[2]); }, {seq({2, 2, 3}), seq({2, 3}), seq({2})});
}

TEST_CASE("softmax and log_softmax: values, stability, gradients") {
  Tensor x = f64({1, 2, 3, 1, 1, 1}, {2, 3});
  const double s = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  check_values(xg::softmax(x, 1), {std::exp(1.0) / s, std::exp(2.0) / s, std::exp(3.0) / s, 1. / 3, 1. / 3, 1. / 3});
  check_values(xg::log_softmax(x, -1), {1 - std::log(s), 2 - std::log(s), 3 - std::log(s), -std::log(3.0), -std::log(3.0), -std::log(3.0)});
  check_values(xg::softmax(x, 0), {0.5, 1 / (1 + std::exp(-1.0)), 1 / (1 + std::exp(-2.0)), 0.5, 1 / (1 + std::exp(1.0)), 1 / (1 + std::exp(2.0))});
  // Gradient of log_softmax[0][2]: onehot - softmax.
  Tensor y = f64({1, 2, 3}, {3});
  xg::narrow(xg::log_softmax(y, 0), 0, 2, 1).sum().backward();
  check_values(y.grad(), {-std::exp(1.0) / s, -std::exp(2.0) / s, 1 - std::exp(3.0) / s});
  const Tensor big = xg::tensor({{1e4, -1e4, 0}}, xg::kFloat32);
  const auto ls = xg::log_softmax(big, 1).to_vector<double>();
  CHECK(ls[0] == doctest::Approx(0));
  CHECK(ls[1] == doctest::Approx(-2e4));
  CHECK(std::isfinite(ls[2]));
  for (std::int64_t d : {0, 1, 2}) {
    check_grads([d](const std::vector<Tensor>& in) { return xg::softmax(in[0], d); }, {seq({2, 3, 4})});
    check_grads([d](const std::vector<Tensor>& in) { return xg::log_softmax(in[0], d); }, {seq({2, 3, 4})});
  }
}
