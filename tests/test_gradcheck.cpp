// xg::gradcheck and xg::gradgradcheck themselves: a deliberately wrong backward (made with public
// API only: a hook that perturbs one element of an intermediate gradient, or a forward that
// detaches a factor) must fail, with a report naming the input, the element, analytic vs numeric
// and the tolerances; correct functions pass; a kink is seen or not as central differences see
// it; float32 inputs are refused before any work; the caller's inputs are never changed.
#include "check.h"

#include <regex>
#include <string>
#include <vector>

using xg::Tensor;

namespace {

using xgt::f64;
using xgt::Snapshot;

// The two numbers of a report's "analytic A vs numeric N".
struct Numbers {
  double analytic = 0, numeric = 0;
};

Numbers numbers_in(const std::string& report) {
  static const std::regex re(R"(analytic (\S+) vs numeric (\S+),)");
  std::smatch m;
  REQUIRE_MESSAGE(std::regex_search(report, m, re), "no \"analytic A vs numeric N,\" in: " << report);
  return {std::stod(m[1].str()), std::stod(m[2].str())};
}

void check_report_has(const std::string& report, const std::vector<std::string>& parts) {
  INFO("report: ", report);
  for (const auto& p : parts) CHECK_MESSAGE(report.find(p) != std::string::npos, "report lacks \"", p, "\"");
}

// sum(a ∘ u) with u = x · 1 an intermediate of x, and a hook on u that adds half of u's value at
// element [0, 2] to whatever gradient reaches u: x's gradient there is a + x/2 instead of a.
Tensor hooked(const std::vector<Tensor>& in) {
  Tensor u = in[1] * 1.0;
  const Tensor mask = f64({0, 0, 0.5, 0, 0, 0}, {2, 3}, false);
  u.register_hook([mask, value = u.detach()](const Tensor& g) { return g + mask * value; });
  return xg::sum(in[0] * u);
}
Tensor hooked_a() { return f64({1.5, -2, 3.25, 0.5, 4, -1}, {2, 3}); }
Tensor hooked_x() { return f64({0.5, 1, 2.5, -1.5, 2, 3}, {2, 3}); }

}  // namespace

TEST_CASE("gradcheck fails on a hook that perturbs one gradient element, naming input, element and both values") {
  const Tensor a = hooked_a(), x = hooked_x();
  const Snapshot sa(a), sx(x);

  const xg::GradcheckResult r = xg::gradcheck(hooked, {a, x});
  CHECK_FALSE(r.ok);
  CHECK_FALSE(static_cast<bool>(r));
  // x's gradient at [0, 2] is a + x/2 = 3.25 + 1.25 = 4.5; the finite difference of the scalar
  // output gives a = 3.25. a's gradient (x) is right, so the report names input 1.
  check_report_has(r.report, {"gradcheck: Jacobian mismatch for input 1 (shape [2, 3]) at element 2 (index [0, 2]), "
                              "output element 0:",
                              "atol 1e-05", "rtol 0.001", "eps 1e-06"});
  const Numbers n = numbers_in(r.report);
  CHECK(n.analytic == 4.5);
  CHECK(n.numeric == doctest::Approx(3.25).epsilon(1e-8));

  // Without the hook the same function passes, so it is the hook that gradcheck caught.
  const auto plain = [](const std::vector<Tensor>& in) { return xg::sum(in[0] * (in[1] * 1.0)); };
  const xg::GradcheckResult ok = xg::gradcheck(plain, {a, x});
  CHECK_MESSAGE(ok.ok, ok.report);
  CHECK(ok.report.empty());

  // The caller's tensors are untouched (gradcheck perturbs copies), and no gradient reached them.
  CHECK(sa.unchanged());
  CHECK(sx.unchanged());
  CHECK_FALSE(a.grad().defined());
  CHECK_FALSE(x.grad().defined());
  CHECK(a.is_leaf());
  CHECK(x.requires_grad());
}

TEST_CASE("gradgradcheck fails on the same hook, naming input, element and both values") {
  const Tensor a = hooked_a(), x = hooked_x();
  const Snapshot sa(a), sx(x);

  const xg::GradcheckResult r = xg::gradgradcheck(hooked, {a, x});
  CHECK_FALSE(r.ok);
  // gradgradcheck checks the function (a, x) -> [∂<out, v>/∂a, ∂<out, v>/∂x] (12 values) against
  // finite differences. Its element 0 is a's gradient at [0, 0], v·u[0, 0]: along x[0, 2] its
  // derivative is 0. But the backward that computes that derivative runs through u again, and the
  // hook adds x[0, 2]/2 = 1.25 there once more: analytic 1.25 vs numeric 0, whatever v is.
  check_report_has(r.report, {"gradgradcheck (second derivatives): gradcheck: Jacobian mismatch for input 1 "
                              "(shape [2, 3]) at element 2 (index [0, 2]), output element 0:",
                              "atol 1e-05", "rtol 0.001"});
  const Numbers n = numbers_in(r.report);
  CHECK(n.analytic == 1.25);
  CHECK(n.numeric == 0.0);
  CHECK(sa.unchanged());
  CHECK(sx.unchanged());
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("gradgradcheck catches a gradient that is right in value but cut from the graph, which gradcheck cannot") {
  // sum(sin(u)), u = x · 1, with a hook that returns u's gradient detached: the first derivative
  // cos(x) is exact, but under create_graph it no longer depends on x, so the recorded second
  // derivative is 0 where the finite difference of v·cos(x) gives −v·sin(x). The worst element is
  // the largest |sin x|, x[1] = 1.5 (v, gradgradcheck's fixed random weight, is one number here).
  const Tensor x = f64({0.3, 1.5, -0.7}, {3});
  const auto cut = [](const std::vector<Tensor>& in) {
    Tensor u = in[0] * 1.0;
    u.register_hook([](const Tensor& g) { return g.detach(); });
    return xg::sum(xg::sin(u));
  };
  const xg::GradcheckResult first = xg::gradcheck(cut, {x});
  CHECK_MESSAGE(first.ok, first.report);
  const xg::GradcheckResult second = xg::gradgradcheck(cut, {x});
  CHECK_FALSE(second.ok);
  check_report_has(second.report, {"gradgradcheck (second derivatives): ",
                                   "input 0 (shape [3]) at element 1 (index [1]), output element 1:"});
  const Numbers n = numbers_in(second.report);
  CHECK(n.analytic == 0.0);
  CHECK(n.numeric != 0.0);
  // Without the hook both pass.
  xgt::check_grads([](const std::vector<Tensor>& in) { return xg::sum(xg::sin(in[0] * 1.0)); }, {x});
}

TEST_CASE("gradcheck and gradgradcheck fail when the forward detaches a factor") {
  // y = x ∘ detach(x): the value is x², the recorded gradient is x instead of 2x. The output has
  // 3 elements, so the report also names the output element; the worst mismatch is at the
  // largest |x|, element 1: analytic −3 vs numeric −6.
  const Tensor x = f64({0.5, -3, 1.25}, {3});
  const Snapshot sx(x);
  const auto half_detached = [](const std::vector<Tensor>& in) { return in[0] * in[0].detach(); };
  const xg::GradcheckResult r = xg::gradcheck(half_detached, {x});
  CHECK_FALSE(r.ok);
  check_report_has(r.report, {"input 0 (shape [3]) at element 1 (index [1]), output element 1:"});
  const Numbers n = numbers_in(r.report);
  CHECK(n.analytic == -3.0);
  CHECK(n.numeric == doctest::Approx(-6.0).epsilon(1e-8));

  // The gradient v ∘ detach(x) has no graph at all: its recorded derivative is 0, its finite
  // difference is v (gradgradcheck's fixed random v, so only the analytic side is known here).
  const xg::GradcheckResult r2 = xg::gradgradcheck(half_detached, {x});
  CHECK_FALSE(r2.ok);
  check_report_has(r2.report, {"gradgradcheck (second derivatives): ", "input 0 (shape [3])"});
  const Numbers n2 = numbers_in(r2.report);
  CHECK(n2.analytic == 0.0);
  CHECK(n2.numeric != 0.0);
  CHECK(sx.unchanged());

  // The same function without the detach passes both.
  xgt::check_grads([](const std::vector<Tensor>& in) { return in[0] * in[0]; }, {x});
}

TEST_CASE("gradcheck and gradgradcheck pass a correct function of several inputs, one of them constant") {
  // out = sin(a) ∘ b + c ∘ b², c a constant (not requiring grad), broadcast over rows.
  const Tensor a = f64({0.3, -1.2, 2.0, 0.7, -0.4, 1.1}, {2, 3});
  const Tensor b = f64({1.5, -0.5, 0.25}, {3});
  const Tensor c = f64({2.0, -1.0, 0.5}, {3}, false);
  const Snapshot sa(a), sb(b), sc(c);
  const auto fn = [](const std::vector<Tensor>& in) { return xg::sin(in[0]) * in[1] + in[2] * in[1] * in[1]; };
  const xg::GradcheckResult r1 = xg::gradcheck(fn, {a, b, c});
  CHECK_MESSAGE(r1.ok, r1.report);
  CHECK(r1.report.empty());
  const xg::GradcheckResult r2 = xg::gradgradcheck(fn, {a, b, c});
  CHECK_MESSAGE(r2.ok, r2.report);
  CHECK(sa.unchanged());
  CHECK(sb.unchanged());
  CHECK(sc.unchanged());
  CHECK_FALSE(c.requires_grad());

  // Tolerances matter: with atol = rtol = 0 even the exact x² shows its finite-difference rounding.
  const Tensor x = f64({0.3, -1.7}, {2});
  const auto square = [](const std::vector<Tensor>& in) { return xg::square(in[0]); };
  CHECK(xg::gradcheck(square, {x}).ok);
  const xg::GradcheckResult strict = xg::gradcheck(square, {x}, 1e-6, 0.0, 0.0);
  CHECK_FALSE(strict.ok);
  check_report_has(strict.report, {"atol 0", "rtol 0"});
}

TEST_CASE("gradcheck at a kink sees what central differences see") {
  // relu at 0: the recorded derivative is 0 (relu's mask is x > 0), the central difference is
  // (relu(ε) − relu(−ε)) / 2ε = 1/2: gradcheck fails there and names the element.
  const Tensor x = f64({-1.0, 0.0, 2.0}, {3});
  const auto relu = [](const std::vector<Tensor>& in) { return xg::relu(in[0]); };
  const xg::GradcheckResult r = xg::gradcheck(relu, {x});
  CHECK_FALSE(r.ok);
  check_report_has(r.report, {"input 0 (shape [3]) at element 1 (index [1]), output element 1:"});
  const Numbers n = numbers_in(r.report);
  CHECK(n.analytic == 0.0);
  CHECK(n.numeric == doctest::Approx(0.5).epsilon(1e-8));
  // Away from the kink relu passes.
  CHECK(xg::gradcheck(relu, {f64({-1.0, 0.25, 2.0}, {3})}).ok);
  // abs at 0 is a symmetric kink: the central difference is 0, and so is abs's recorded
  // derivative there (sign(0) = 0), so the check passes.
  const xg::GradcheckResult r_abs = xg::gradcheck([](const std::vector<Tensor>& in) { return xg::abs(in[0]); }, {x});
  CHECK_MESSAGE(r_abs.ok, r_abs.report);
}

TEST_CASE("gradcheck and gradgradcheck refuse float32 inputs with a DTypeError, before calling the function") {
  const Tensor a = f64({1, 2}, {2});
  const Tensor x32 = xg::tensor({1.0, 2.0}, xg::TensorOptions(xg::kFloat32).requires_grad(true));
  const Snapshot sx(x32);
  int calls = 0;
  const auto fn = [&calls](const std::vector<Tensor>& in) {
    ++calls;
    return in[0] * in[1].to(xg::kFloat64);
  };
  XGT_CHECK_THROWS_MSG(xg::gradcheck(fn, {a, x32}), xg::DTypeError, "gradcheck: input 1 is float32", "float64");
  XGT_CHECK_THROWS_MSG(xg::gradgradcheck(fn, {a, x32}), xg::DTypeError, "gradgradcheck: input 1 is float32",
                       "float64");
  CHECK(calls == 0);
  CHECK(sx.unchanged());
  CHECK_FALSE(x32.grad().defined());

  // A float32 input that does not require grad is a constant, and fine.
  const Tensor c32 = xg::tensor({3.0, 4.0}, xg::kFloat32);
  CHECK(xg::gradcheck(fn, {a, c32}).ok);
  CHECK(calls > 0);

  // A function that returns float32 is refused too.
  XGT_CHECK_THROWS_MSG(
      xg::gradcheck([](const std::vector<Tensor>& in) { return in[0].to(xg::kFloat32); }, {a}), xg::DTypeError,
      "gradcheck", "float64");
}
