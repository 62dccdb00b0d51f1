// Reductions: values by hand, gradients by hand, gradcheck + gradgradcheck, dims and keepdim.
#include <numbers>

#include "check.h"

using xg::Tensor;
using xgt::check_grads;
using xgt::check_shape;
using xgt::check_values;
using xgt::f64;

namespace {
Tensor m23() { return f64({1, 2, 3, 4, 5, 6}, {2, 3}); }
Tensor m234() {
  std::vector<double> v;
  for (int i = 0; i < 24; ++i) v.push_back(0.3 + 0.17 * i - 0.011 * i * i);
  return xg::from_vector(v, {2, 3, 4}, true);
}
}  // namespace

TEST_CASE("sum and mean over all, one and several dims, with keepdim") {
  const Tensor x = m23();
  check_values(xg::sum(x), {21});
  check_values(xg::sum(x, {0}), {5, 7, 9});
  check_values(xg::sum(x, {1}), {6, 15});
  check_values(xg::sum(x, {-1}, true), {6, 15});
  check_shape(xg::sum(x, {-1}, true), {2, 1});
  check_shape(xg::sum(x, {0, 1}), {});
  check_values(xg::mean(x), {3.5});
  check_values(xg::mean(x, {0}), {2.5, 3.5, 4.5});
  check_shape(xg::mean(x, {1}, true), {2, 1});

  Tensor y = m23();
  xg::mean(y, {1}).backward(xg::tensor({1.0, 2.0}, xg::kFloat64));
  check_values(y.grad(), {1. / 3, 1. / 3, 1. / 3, 2. / 3, 2. / 3, 2. / 3});
  for (std::vector<std::int64_t> dims : {std::vector<std::int64_t>{}, {0}, {1}, {2}, {0, 2}, {-1, -2}}) {
    for (bool keep : {false, true}) {
      check_grads([&](const std::vector<Tensor>& in) { return xg::sum(in[0], dims, keep); }, {m234()});
      check_grads([&](const std::vector<Tensor>& in) { return xg::mean(in[0], dims, keep) * in[0].sum(); }, {m234()});
    }
  }
}

TEST_CASE("var and std: unbiased and biased, by hand") {
  const Tensor x = m23();
  // row [1,2,3]: mean 2, squared deviations 2 -> unbiased 1, biased 2/3
  check_values(xg::var(x, {1}), {1, 1});
  check_values(xg::var(x, {1}, false), {2. / 3, 2. / 3});
  check_values(xg::var(x, {0}), {4.5, 4.5, 4.5});
  check_values(xg::std(x, {1}), {1, 1});
  check_values(xg::var(x), {3.5});  // of 1..6: sum sq dev 17.5 / 5
  Tensor y = f64({1, 2, 4}, {3});
  xg::var(y).backward();  // d/dx_i = 2 (x_i - mean) / (n - 1), mean 7/3
  check_values(y.grad(), {(1 - 7. / 3), (2 - 7. / 3), (4 - 7. / 3)});
  check_grads([](const std::vector<Tensor>& in) { return xg::var(in[0], {1}); }, {m234()});
  check_grads([](const std::vector<Tensor>& in) { return xg::std(in[0], {0, 2}, false, true); }, {m234()});

  // The all-elements overloads. y = [1, 2, 4]: var 7/3, std √(7/3), whose gradient is
  // (y − mean) / ((n − 1)·std).
  Tensor z = f64({1, 2, 4}, {3});
  const double sd = std::sqrt(7.0 / 3);
  check_values(xg::std(z), {sd});
  xg::std(z).backward();
  check_values(z.grad(), {(1 - 7. / 3) / (2 * sd), (2 - 7. / 3) / (2 * sd), (4 - 7. / 3) / (2 * sd)});
  check_grads([](const std::vector<Tensor>& in) { return xg::var(in[0]); }, {m234()});
  check_grads([](const std::vector<Tensor>& in) { return xg::std(in[0]); }, {m234()});
  check_grads([](const std::vector<Tensor>& in) { return xg::var(in[0]) * xg::std(in[0]); }, {f64({1, 2, 4}, {3})});
}

TEST_CASE("prod: value and gradient, including zeros") {
  Tensor x = f64({2, 3, 4}, {3});
  check_values(xg::prod(x), {24});
  xg::prod(x).backward();
  check_values(x.grad(), {12, 8, 6});
  Tensor z = f64({2, 0, 4}, {3});
  xg::prod(z).backward();
  check_values(z.grad(), {0, 8, 0});
  Tensor zz = f64({0, 3, 0}, {3});
  xg::prod(zz).backward();
  check_values(zz.grad(), {0, 0, 0});
  check_values(xg::prod(m23(), 1), {6, 120});
  check_grads([](const std::vector<Tensor>& in) { return xg::prod(in[0], 1); }, {m234()});
  // The all-elements overload, on inputs without zeros: 1.5·(−0.5)·2·0.75·(−1.25)·3 = 4.21875,
  // gradient prod / x.
  Tensor p = f64({1.5, -0.5, 2, 0.75, -1.25, 3}, {2, 3});
  check_values(xg::prod(p), {4.21875});
  xg::prod(p).backward();
  check_values(p.grad(), {4.21875 / 1.5, 4.21875 / -0.5, 4.21875 / 2, 4.21875 / 0.75, 4.21875 / -1.25, 4.21875 / 3});
  check_grads([](const std::vector<Tensor>& in) { return xg::prod(in[0]); },
              {f64({1.5, -0.5, 2, 0.75, -1.25, 3}, {2, 3})});
  check_grads([](const std::vector<Tensor>& in) { return xg::prod(in[0]); }, {f64({0.9, 1.1, -0.8, 1.2}, {4})});
  // At exact zeros every order is right (tests/test_numerics_edges.cpp checks up to the third).
  check_grads([](const std::vector<Tensor>& in) { return xg::prod(in[0], 0, true); }, {f64({0.5, 2, 0, 3, 1.5, 0.25}, {2, 3})});
  // A 0-d tensor is its own product: gradient 1.
  Tensor s = f64({-2.5}, {});
  check_values(xg::prod(s, 0), {-2.5});
  xg::prod(s, 0).backward();
  check_values(s.grad(), {1});
}

TEST_CASE("logsumexp: stable at large inputs, gradient is softmax") {
  Tensor x = f64({1, 2, 3}, {3});
  const double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  check_values(xg::logsumexp(x, {0}), {lse});
  xg::logsumexp(x, {0}).backward();
  check_values(x.grad(), {std::exp(1 - lse), std::exp(2 - lse), std::exp(3 - lse)});
  const Tensor big = xg::tensor({1000.0, 1000.0}, xg::kFloat64);
  check_values(xg::logsumexp(big, {0}), {1000 + std::log(2.0)});
  const Tensor big32 = xg::tensor({1e4, -1e4}, xg::kFloat32);
  CHECK(xg::logsumexp(big32, {0}).item<double>() == doctest::Approx(1e4));
  check_grads([](const std::vector<Tensor>& in) { return xg::logsumexp(in[0], {1}); }, {m234()});
  check_grads([](const std::vector<Tensor>& in) { return xg::logsumexp(in[0], {0, 2}, true); }, {m234()});
}

TEST_CASE("norm p = 1, 2, inf: values and gradients") {
  Tensor x = f64({3, -4}, {2});
  check_values(xg::norm(x), {5});
  check_values(xg::norm(x, 1), {7});
  check_values(xg::norm(x, INFINITY), {4});
  xg::norm(x).backward();
  check_values(x.grad(), {0.6, -0.8});
  Tensor zero = f64({0, 0}, {2});
  xg::norm(zero).backward();
  check_values(zero.grad(), {0, 0});  // defined as 0 at the origin, as PyTorch
  check_values(xg::norm(m23(), 2, {1}), {std::sqrt(14.0), std::sqrt(77.0)});
  check_grads([](const std::vector<Tensor>& in) { return xg::norm(in[0], 2, {2}); }, {m234()});
  check_grads([](const std::vector<Tensor>& in) { return xg::norm(in[0], 1, {0}); }, {m234()});
  check_grads([](const std::vector<Tensor>& in) { return xg::norm(in[0], INFINITY, {1}); }, {m234()});

  // The all-elements overloads norm(x) and norm(x, p): for [3, −4] the 1-norm's gradient is
  // sign(x), the ∞-norm's is sign(x) at the largest |x| and 0 elsewhere.
  Tensor n1 = f64({3, -4}, {2});
  xg::norm(n1, 1).backward();
  check_values(n1.grad(), {1, -1});
  Tensor ninf = f64({3, -4}, {2});
  xg::norm(ninf, INFINITY).backward();
  check_values(ninf.grad(), {0, -1});
  check_grads([](const std::vector<Tensor>& in) { return xg::norm(in[0]); }, {m234()});
  check_grads([](const std::vector<Tensor>& in) { return in[0].norm(); }, {f64({3, -4}, {2})});
  check_grads([](const std::vector<Tensor>& in) { return xg::norm(in[0], 2); }, {m234()});
  check_grads([](const std::vector<Tensor>& in) { return xg::norm(in[0], 1); }, {m234()});
  check_grads([](const std::vector<Tensor>& in) { return xg::norm(in[0], INFINITY); }, {m234()});
}

TEST_CASE("max/min: values, indices, and gradients to the extreme element") {
  const Tensor x = f64({1, 5, 3, 7, 2, 7}, {2, 3});
  check_values(xg::max(x), {7});
  check_values(xg::min(x), {1});
  auto [v, i] = xg::max(x, 1);
  check_values(v, {5, 7});
  CHECK(i.to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 0});  // first of the tied 7s
  auto [vmin, imin] = xg::min(x, 0, true);
  check_shape(vmin, {1, 3});
  check_values(vmin, {1, 2, 3});
  CHECK(imin.to_vector<std::int64_t>() == std::vector<std::int64_t>{0, 1, 0});
  CHECK(xg::argmax(x, 1).to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 0});
  CHECK(xg::argmin(x, 1).to_vector<std::int64_t>() == std::vector<std::int64_t>{0, 1});

  Tensor y = f64({1, 5, 3, 7, 2, 7}, {2, 3});
  std::get<0>(xg::max(y, 1)).sum().backward();
  check_values(y.grad(), {0, 1, 0, 1, 0, 0});
  Tensor z = f64({1, 5, 3, 7, 2, 7}, {2, 3});
  xg::max(z).backward();  // tie between the two 7s shares the gradient
  check_values(z.grad(), {0, 0, 0, 0.5, 0, 0.5});
  check_grads([](const std::vector<Tensor>& in) { return std::get<0>(xg::max(in[0], 2)); }, {m234()});
  check_grads([](const std::vector<Tensor>& in) { return std::get<0>(xg::min(in[0], 0, true)); }, {m234()});
  check_grads([](const std::vector<Tensor>& in) { return xg::max(in[0]) + xg::min(in[0]); }, {m234()});
}

TEST_CASE("reductions on int64 and float32") {
  const Tensor i = xg::tensor({{1, 2}, {3, 4}}, xg::kInt64);
  CHECK(xg::sum(i, {0}).to_vector<std::int64_t>() == std::vector<std::int64_t>{4, 6});
  CHECK(xg::max(i).item<std::int64_t>() == 4);
  const Tensor f = xg::full({1000}, 0.1, xg::kFloat32);
  CHECK(xg::sum(f).item<double>() == doctest::Approx(100.0).epsilon(1e-6));
}

TEST_CASE("var/std without a graph (squared in place) equal var/std with one, and leave the input alone") {
  xg::manual_seed(5);
  const xg::Tensor base = xg::randn({7, 5}, xg::kFloat64) * 3.0 + 1.0;
  const xg::Tensor plain = base.clone();
  const xg::Tensor tracked = base.clone().requires_grad_();
  for (const std::vector<std::int64_t>& dims : {std::vector<std::int64_t>{}, {0}, {1}}) {
    const auto a = xg::var(plain, dims, true, false).to_vector<double>();
    const auto b = xg::var(tracked, dims, true, false).to_vector<double>();
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == b[i]);
  }
  {
    xg::NoGradGuard no_grad;
    CHECK(xg::std(tracked).item<double>() == xg::std(plain).item<double>());
  }
  const auto p = plain.to_vector<double>(), q = base.to_vector<double>();
  for (std::size_t i = 0; i < p.size(); ++i) REQUIRE(p[i] == q[i]);
}
