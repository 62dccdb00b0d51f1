// Element-wise ops: values against hand formulas, gradients against hand derivatives,
// gradcheck + gradgradcheck in float64, and broadcasting.
#include <functional>
#include <numbers>

#include "check.h"

using xg::Tensor;
using xgt::check_grads;
using xgt::check_values;
using xgt::f64;

namespace {

struct UnaryCase {
  const char* name;
  std::function<Tensor(const Tensor&)> op;
  std::function<double(double)> f;   // the value, by hand
  std::function<double(double)> df;  // the derivative, by hand
  std::vector<double> xs;            // points away from kinks
};

double sigm(double x) { return 1 / (1 + std::exp(-x)); }
double phi(double x) { return std::exp(-x * x / 2) / std::sqrt(2 * std::numbers::pi); }
double Phi(double x) { return 0.5 * (1 + std::erf(x / std::sqrt(2.0))); }

std::vector<UnaryCase> unary_cases() {
  const std::vector<double> any{-1.7, -0.4, 0.3, 1.2, 2.5};
  const std::vector<double> pos{0.2, 0.7, 1.3, 2.9};
  return {
      {"neg", [](const Tensor& x) { return xg::neg(x); }, [](double x) { return -x; }, [](double) { return -1.0; }, any},
      {"exp", [](const Tensor& x) { return xg::exp(x); }, [](double x) { return std::exp(x); }, [](double x) { return std::exp(x); }, any},
      {"log", [](const Tensor& x) { return xg::log(x); }, [](double x) { return std::log(x); }, [](double x) { return 1 / x; }, pos},
      {"log1p", [](const Tensor& x) { return xg::log1p(x); }, [](double x) { return std::log1p(x); }, [](double x) { return 1 / (1 + x); }, pos},
      {"sqrt", [](const Tensor& x) { return xg::sqrt(x); }, [](double x) { return std::sqrt(x); }, [](double x) { return 0.5 / std::sqrt(x); }, pos},
      {"rsqrt", [](const Tensor& x) { return xg::rsqrt(x); }, [](double x) { return 1 / std::sqrt(x); }, [](double x) { return -0.5 * std::pow(x, -1.5); }, pos},
      {"square", [](const Tensor& x) { return xg::square(x); }, [](double x) { return x * x; }, [](double x) { return 2 * x; }, any},
      {"reciprocal", [](const Tensor& x) { return xg::reciprocal(x); }, [](double x) { return 1 / x; }, [](double x) { return -1 / (x * x); }, pos},
      {"abs", [](const Tensor& x) { return xg::abs(x); }, [](double x) { return std::abs(x); }, [](double x) { return x > 0 ? 1.0 : -1.0; }, any},
      {"sign", [](const Tensor& x) { return xg::sign(x); }, [](double x) { return x > 0 ? 1.0 : -1.0; }, [](double) { return 0.0; }, any},
      {"sin", [](const Tensor& x) { return xg::sin(x); }, [](double x) { return std::sin(x); }, [](double x) { return std::cos(x); }, any},
      {"cos", [](const Tensor& x) { return xg::cos(x); }, [](double x) { return std::cos(x); }, [](double x) { return -std::sin(x); }, any},
      {"erf", [](const Tensor& x) { return xg::erf(x); }, [](double x) { return std::erf(x); }, [](double x) { return 2 / std::sqrt(std::numbers::pi) * std::exp(-x * x); }, any},
      {"tanh", [](const Tensor& x) { return xg::tanh(x); }, [](double x) { return std::tanh(x); }, [](double x) { return 1 - std::tanh(x) * std::tanh(x); }, any},
      {"sigmoid", [](const Tensor& x) { return xg::sigmoid(x); }, sigm, [](double x) { return sigm(x) * (1 - sigm(x)); }, any},
      {"silu", [](const Tensor& x) { return xg::silu(x); }, [](double x) { return x * sigm(x); }, [](double x) { return sigm(x) * (1 + x * (1 - sigm(x))); }, any},
      {"relu", [](const Tensor& x) { return xg::relu(x); }, [](double x) { return x > 0 ? x : 0.0; }, [](double x) { return x > 0 ? 1.0 : 0.0; }, any},
      {"leaky_relu(0.001)", [](const Tensor& x) { return xg::leaky_relu(x, 0.001); }, [](double x) { return x > 0 ? x : 0.001 * x; }, [](double x) { return x > 0 ? 1.0 : 0.001; }, any},
      {"leaky_relu default", [](const Tensor& x) { return xg::leaky_relu(x); }, [](double x) { return x > 0 ? x : 0.01 * x; }, [](double x) { return x > 0 ? 1.0 : 0.01; }, any},
      {"elu", [](const Tensor& x) { return xg::elu(x, 1.5); }, [](double x) { return x > 0 ? x : 1.5 * (std::exp(x) - 1); }, [](double x) { return x > 0 ? 1.0 : 1.5 * std::exp(x); }, any},
      {"gelu", [](const Tensor& x) { return xg::gelu(x); }, [](double x) { return x * Phi(x); }, [](double x) { return Phi(x) + x * phi(x); }, any},
      {"softplus", [](const Tensor& x) { return xg::softplus(x); }, [](double x) { return std::log1p(std::exp(x)); }, sigm, any},
      {"softplus beta=2", [](const Tensor& x) { return xg::softplus(x, 2.0); }, [](double x) { return std::log1p(std::exp(2 * x)) / 2; }, [](double x) { return sigm(2 * x); }, any},
      {"clamp", [](const Tensor& x) { return xg::clamp(x, -1.0, 1.0); }, [](double x) { return std::clamp(x, -1.0, 1.0); }, [](double x) { return std::abs(x) <= 1 ? 1.0 : 0.0; }, any},
      {"clamp min only", [](const Tensor& x) { return xg::clamp(x, 0.0, std::nullopt); }, [](double x) { return std::max(x, 0.0); }, [](double x) { return x >= 0 ? 1.0 : 0.0; }, any},
      {"pow 3", [](const Tensor& x) { return xg::pow(x, 3.0); }, [](double x) { return x * x * x; }, [](double x) { return 3 * x * x; }, any},
      {"pow -0.5", [](const Tensor& x) { return xg::pow(x, -0.5); }, [](double x) { return std::pow(x, -0.5); }, [](double x) { return -0.5 * std::pow(x, -1.5); }, pos},
      {"add scalar", [](const Tensor& x) { return x + 2.5; }, [](double x) { return x + 2.5; }, [](double) { return 1.0; }, any},
      {"sub scalar", [](const Tensor& x) { return x - 2.5; }, [](double x) { return x - 2.5; }, [](double) { return 1.0; }, any},
      {"scalar minus", [](const Tensor& x) { return 2.5 - x; }, [](double x) { return 2.5 - x; }, [](double) { return -1.0; }, any},
      {"mul scalar", [](const Tensor& x) { return 3.0 * x; }, [](double x) { return 3 * x; }, [](double) { return 3.0; }, any},
      {"div scalar", [](const Tensor& x) { return x / 4.0; }, [](double x) { return x / 4; }, [](double) { return 0.25; }, any},
      {"scalar div", [](const Tensor& x) { return 2.0 / x; }, [](double x) { return 2 / x; }, [](double x) { return -2 / (x * x); }, pos},
      {"scalar pow", [](const Tensor& x) { return xg::pow(2.0, x); }, [](double x) { return std::pow(2.0, x); }, [](double x) { return std::pow(2.0, x) * std::log(2.0); }, any},
  };
}

}  // namespace

TEST_CASE("unary ops: values, hand derivatives, gradcheck and gradgradcheck (float64)") {
  for (const auto& c : unary_cases()) {
    CAPTURE(c.name);
    const auto n = static_cast<std::int64_t>(c.xs.size());
    Tensor x = xg::from_vector(c.xs, {n}, true);
    Tensor y = c.op(x);
    std::vector<double> want, dwant;
    for (double v : c.xs) {
      want.push_back(c.f(v));
      dwant.push_back(c.df(v));
    }
    check_values(y, want, 1e-12);
    xg::sum(y).backward();
    check_values(x.grad(), dwant, 1e-12);
    check_grads([&](const std::vector<Tensor>& in) { return c.op(in[0]); }, {xg::from_vector(c.xs, {n}, true)});
  }
}

TEST_CASE("unary ops in float32 agree with float64") {
  for (const auto& c : unary_cases()) {
    CAPTURE(c.name);
    const auto n = static_cast<std::int64_t>(c.xs.size());
    const Tensor x64 = xg::from_vector(c.xs, {n});
    const Tensor y32 = c.op(x64.to(xg::kFloat32));
    CHECK(y32.dtype() == xg::kFloat32);
    check_values(y32.to(xg::kFloat64), c.op(x64).to_vector<double>(), 1e-6);
  }
}

TEST_CASE("transcendental kernels are right on every lane of long vectors") {
  // 37 elements exercise the SIMD body and the scalar tail.
  const Tensor x = xg::linspace(-3, 3, 37, xg::kFloat64);
  const auto xs = x.to_vector<double>();
  const auto e = xg::exp(x).to_vector<double>(), l = xg::log(xg::exp(x)).to_vector<double>(), t = xg::tanh(x).to_vector<double>();
  for (std::size_t i = 0; i < xs.size(); ++i) {
    CHECK(e[i] == doctest::Approx(std::exp(xs[i])).epsilon(1e-14));
    CHECK(l[i] == doctest::Approx(xs[i]).epsilon(1e-13));
    CHECK(t[i] == doctest::Approx(std::tanh(xs[i])).epsilon(1e-14));
  }
}

TEST_CASE("binary ops: values and gradients by hand") {
  Tensor a = f64({1, 2, 3, 4}, {2, 2});
  Tensor b = f64({0.5, -1, 2, 8}, {2, 2});
  check_values(a + b, {1.5, 1, 5, 12});
  check_values(a - b, {0.5, 3, 1, -4});
  check_values(a * b, {0.5, -2, 6, 32});
  check_values(a / b, {2, -2, 1.5, 0.5});
  check_values(xg::pow(a, b), {1, 0.5, 9, 65536});
  check_values(xg::maximum(a, b), {1, 2, 3, 8});
  check_values(xg::minimum(a, b), {0.5, -1, 2, 4});

  xg::sum(a * b + a / b).backward();
  check_values(a.grad(), {0.5 + 2, -1 - 1, 2 + 0.5, 8 + 0.125});       // b + 1/b
  check_values(b.grad(), {1 - 4, 2 - 2, 3 - 0.75, 4 - 4.0 / 64});      // a - a/b^2
}

TEST_CASE("binary ops: gradcheck and gradgradcheck with broadcasting") {
  const Tensor a = f64({0.3, 1.1, 0.7, 1.9, 0.4, 1.3}, {2, 3});
  const Tensor row = f64({0.6, 1.4, 0.9}, {3});
  const Tensor col = f64({0.8, 1.7}, {2, 1});
  using Fn = std::function<Tensor(const Tensor&, const Tensor&)>;
  const std::vector<std::pair<const char*, Fn>> ops{
      {"add", [](const Tensor& x, const Tensor& y) { return x + y; }},
      {"sub", [](const Tensor& x, const Tensor& y) { return x - y; }},
      {"mul", [](const Tensor& x, const Tensor& y) { return x * y; }},
      {"div", [](const Tensor& x, const Tensor& y) { return x / y; }},
      {"pow", [](const Tensor& x, const Tensor& y) { return xg::pow(x, y); }},
      {"maximum", [](const Tensor& x, const Tensor& y) { return xg::maximum(x, y); }},
      {"minimum", [](const Tensor& x, const Tensor& y) { return xg::minimum(x, y); }},
  };
  for (const auto& [name, op] : ops) {
    CAPTURE(name);
    for (const Tensor& other : {row, col, a * 0.5 + 0.23}) {
      check_grads([&op](const std::vector<Tensor>& in) { return op(in[0], in[1]); }, {a, other});
      check_grads([&op](const std::vector<Tensor>& in) { return op(in[1], in[0]); }, {a, other});
    }
  }
}

TEST_CASE("broadcasting: [2,1] + [3] gives [2,3]; gradients sum back to each shape") {
  Tensor a = f64({1, 2}, {2, 1});
  Tensor b = f64({10, 20, 30}, {3});
  Tensor c = a + b;
  xgt::check_shape(c, {2, 3});
  check_values(c, {11, 21, 31, 12, 22, 32});
  xg::sum(c * c).backward();
  // d/da_i sum_j (a_i + b_j)^2 = 2 sum_j (a_i + b_j)
  check_values(a.grad(), {2 * (11 + 21 + 31), 2 * (12 + 22 + 32)});
  check_values(b.grad(), {2 * (11 + 12), 2 * (21 + 22), 2 * (31 + 32)});
}

TEST_CASE("maximum/minimum split the gradient evenly on ties") {
  Tensor a = f64({1, 2, 3}, {3});
  Tensor b = f64({1, 5, 0}, {3});
  xg::sum(xg::maximum(a, b)).backward();
  check_values(a.grad(), {0.5, 0, 1});
  check_values(b.grad(), {0.5, 1, 0});
}

TEST_CASE("pow with a tensor exponent: gradient w.r.t. the exponent is x^e log x, zero at x = 0") {
  Tensor x = f64({0, 2, 3}, {3});
  Tensor e = f64({2, 3, 0.5}, {3});
  xg::sum(xg::pow(x, e)).backward();
  check_values(x.grad(), {0, 12, 0.5 / std::sqrt(3.0)});
  check_values(e.grad(), {0, 8 * std::log(2.0), std::sqrt(3.0) * std::log(3.0)});
}

TEST_CASE("where: values and gradients go to the selected branch, with broadcasting") {
  const Tensor cond = xg::tensor({1, 0, 1}, xg::kFloat64);
  Tensor a = f64({1, 2, 3}, {3});
  Tensor b = f64({7}, {1});
  Tensor y = xg::where(cond, a, b);
  check_values(y, {1, 7, 3});
  xg::sum(y * y).backward();
  check_values(a.grad(), {2, 0, 6});
  check_values(b.grad(), {14});
  check_grads([&](const std::vector<Tensor>& in) { return xg::where(cond, in[0], in[1]) * in[0]; }, {f64({1, 2, 3}, {3}), f64({7}, {1})});
}

TEST_CASE("comparisons give kBool masks that carry no gradient") {
  Tensor a = f64({1, 2, 3}, {3});
  const Tensor b = xg::tensor({2, 2, 2}, xg::kFloat64);
  check_values(xg::eq(a, b), {0, 1, 0});
  check_values(xg::ne(a, b), {1, 0, 1});
  check_values(xg::lt(a, b), {1, 0, 0});
  check_values(xg::le(a, b), {1, 1, 0});
  check_values(xg::gt(a, b), {0, 0, 1});
  check_values(xg::ge(a, 2.0), {0, 1, 1});
  CHECK_FALSE(xg::gt(a, b).requires_grad());
  const Tensor i = xg::tensor({1, 5}, xg::kInt64);
  const Tensor m = xg::lt(i, 3.0);
  CHECK(m.dtype() == xg::kBool);  // as PyTorch (masks used to take the operands' dtype)
  CHECK(m.to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 0});
}

TEST_CASE("int64 arithmetic works without gradients") {
  const Tensor a = xg::tensor({1, 2, 3}, xg::kInt64);
  const Tensor b = xg::tensor({10, 20, 30}, xg::kInt64);
  CHECK((a + b).to_vector<std::int64_t>() == std::vector<std::int64_t>{11, 22, 33});
  CHECK((a * b).to_vector<std::int64_t>() == std::vector<std::int64_t>{10, 40, 90});
  CHECK(xg::sum(a).item<std::int64_t>() == 6);
}

TEST_CASE("softplus is linear above its threshold and stable for large inputs") {
  const Tensor x = xg::tensor({30.0, 100.0, -100.0}, xg::kFloat64);
  check_values(xg::softplus(x), {30, 100, std::log1p(std::exp(-100.0))}, 1e-14);

  // Above the threshold (β·x > threshold) softplus is x itself: its gradient is exactly 1 and its
  // second derivative 0. Default threshold 20 with β = 1 and β = 2, and a threshold of 5.
  Tensor above = f64({25, 30.5, 100}, {3});
  xg::softplus(above).sum().backward();
  check_values(above.grad(), {1, 1, 1}, 0.0);
  Tensor above2 = f64({12, 15}, {2});  // β·x = 24, 30
  xg::softplus(above2, 2.0).sum().backward();
  check_values(above2.grad(), {1, 1}, 0.0);
  check_values(xg::softplus(f64({6, 7.5}, {2}, false), 1.0, 5.0), {6, 7.5}, 0.0);
  check_grads([](const std::vector<Tensor>& in) { return xg::softplus(in[0]); }, {f64({25, 30.5, 100}, {3})});
  check_grads([](const std::vector<Tensor>& in) { return xg::softplus(in[0], 2.0); }, {f64({12, 15}, {2})});
  check_grads([](const std::vector<Tensor>& in) { return xg::softplus(in[0], 1.0, 5.0) * in[0]; },
              {f64({6, 7.5, -1, 0.5}, {4})});
}
