// gradcheck as PyTorch's: the inputs themselves are perturbed (so closures over them see it) and
// restored bit for bit, also when the function throws; its options (raise_exception, nondet_tol,
// check_undefined_grad, fast_mode) each catch the wrong backward they are for.
#include "check.h"

#include <stdexcept>
#include <string>
#include <vector>

using xg::Tensor;
using xgt::f64;
using xgt::Snapshot;

namespace {

void check_report_has(const std::string& report, const std::vector<std::string>& parts) {
  INFO("report: ", report);
  for (const auto& p : parts) CHECK_MESSAGE(report.find(p) != std::string::npos, "report lacks \"", p, "\"");
}

// sum(x ∘ w), computed from a closure over w (not from in[1]), with a hook on an intermediate of w
// that adds 1 to w's gradient at element 1: d/dw is x + e₁ instead of x.
Tensor closure_broken(const Tensor& w, const std::vector<Tensor>& in) {
  Tensor u = w * 1.0;
  u.register_hook([](const Tensor& g) { return g + f64({0, 1, 0}, {3}, false); });
  return xg::sum(in[0] * u);
}

}  // namespace

TEST_CASE("gradcheck perturbs the given tensors in place, so a closure over a tensor is checked") {
  const Tensor x = f64({0.5, -1.5, 2.0}, {3});
  const Tensor w = f64({1.25, 0.75, -2.0}, {3});
  const Snapshot sx(x), sw(w);
  const auto fn = [&w](const std::vector<Tensor>& in) { return closure_broken(w, in); };
  // w is listed as an input but the function reads it through the closure: only an in-place
  // perturbation of w itself shows the finite difference x that the broken analytic x + e₁ misses.
  const xg::GradcheckResult r = xg::gradcheck(fn, {x, w});
  CHECK_FALSE(r.ok);
  check_report_has(r.report, {"for input 1 (shape [3]) at element 1 (index [1]), output element 0: analytic -0.5 vs "
                              "numeric -1.5"});
  CHECK(sx.unchanged());
  CHECK(sw.unchanged());
  // The same closure without the hook passes.
  CHECK(xg::gradcheck([&w](const std::vector<Tensor>& in) { return xg::sum(in[0] * w); }, {x, w}).ok);
}

TEST_CASE("gradcheck's function sees exactly x ± eps, and the inputs come back bit for bit, also after a throw") {
  // 1e-7 ± eps rounds: (v + eps) - eps != v, so only a saved copy restores it.
  const Tensor x = f64({1e-7, 1.0 / 3.0, -2.5}, {3});
  const std::vector<double> before = x.to_vector<double>();
  CHECK((before[0] + 1e-6) - 1e-6 != before[0]);
  const Snapshot sx(x);
  std::vector<double> seen;
  const auto record = [&seen](const std::vector<Tensor>& in) {
    seen.push_back(in[0].at<double>({0}));
    return in[0] * 2.0;
  };
  CHECK(xg::gradcheck(record, {x}).ok);
  // Calls: forward, then ± eps per element; element 0 is perturbed by the 2nd and 3rd calls.
  REQUIRE(seen.size() == 7);
  CHECK(seen[0] == before[0]);
  CHECK(seen[1] == before[0] + 1e-6);
  CHECK(seen[2] == before[0] - 1e-6);
  CHECK(seen[3] == before[0]);
  CHECK(sx.unchanged());

  // A function that throws on its 3rd call (while element 0 is at x - eps): the exception reaches
  // the caller and x is restored, in both modes and in gradgradcheck.
  for (const bool fast : {false, true}) {
    int calls = 0;
    const auto throws = [&calls](const std::vector<Tensor>& in) {
      if (++calls == 3) throw std::runtime_error("user failure");
      return xg::sin(in[0]);
    };
    xg::GradcheckOptions o;
    o.fast_mode = fast;
    CHECK_THROWS_WITH_AS(xg::gradcheck(throws, {x}, o), "user failure", std::runtime_error);
    CHECK(sx.unchanged());
    calls = 0;
    CHECK_THROWS_WITH_AS(xg::gradgradcheck(throws, {x}, o), "user failure", std::runtime_error);
    CHECK(sx.unchanged());
  }
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("gradcheck options: raise_exception throws GradcheckError carrying the report") {
  const Tensor x = f64({0.5, -3, 1.25}, {3});
  const auto half_detached = [](const std::vector<Tensor>& in) { return in[0] * in[0].detach(); };
  xg::GradcheckOptions o;
  o.raise_exception = true;
  XGT_CHECK_THROWS_MSG(xg::gradcheck(half_detached, {x}, o), xg::GradcheckError,
                       "gradcheck: Jacobian mismatch for input 0 (shape [3]) at element 1", "analytic -3 vs numeric -6");
  XGT_CHECK_THROWS_MSG(xg::gradgradcheck(half_detached, {x}, o), xg::GradcheckError, "gradgradcheck (second derivatives)");
  // GradcheckError is an AutogradError; a passing check throws nothing.
  CHECK_THROWS_AS(xg::gradcheck(half_detached, {x}, o), xg::AutogradError);
  CHECK(xg::gradcheck([](const std::vector<Tensor>& in) { return in[0] * in[0]; }, {x}, o).ok);
}

TEST_CASE("gradcheck options: a backward that is not reentrant fails unless nondet_tol allows it") {
  // Each backward through the hook adds calls · 1e-9 to the gradient: two passes over the same
  // graph differ by 1e-9 per element, far below atol, so only the reentrancy check sees it.
  const Tensor x = f64({0.3, -0.8}, {2});
  int calls = 0;
  const auto drifting = [&calls](const std::vector<Tensor>& in) {
    Tensor u = in[0] * 1.0;
    u.register_hook([&calls](const Tensor& g) { return g + 1e-9 * static_cast<double>(++calls); });
    return xg::square(u);
  };
  for (const bool fast : {false, true}) {
    xg::GradcheckOptions o;
    o.fast_mode = fast;
    const xg::GradcheckResult r = xg::gradcheck(drifting, {x}, o);
    CHECK_FALSE(r.ok);
    check_report_has(r.report, {"backward is not reentrant", "input 0 (shape [2])", "nondet_tol 0"});
    o.nondet_tol = 1e-6;
    o.check_undefined_grad = false;  // the hook adds its drift to a zero gradient too
    const xg::GradcheckResult loose = xg::gradcheck(drifting, {x}, o);
    CHECK_MESSAGE(loose.ok, loose.report);
  }
}

TEST_CASE("gradcheck options: check_undefined_grad catches a backward that gives a gradient for a zero one") {
  // The hook is right for every nonzero gradient but turns a zero one into 0.5s.
  const Tensor x = f64({0.3, -0.8, 1.5}, {3});
  const auto no_zero = [](const std::vector<Tensor>& in) {
    Tensor u = in[0] * 1.0;
    u.register_hook([](const Tensor& g) {
      bool all_zero = true;
      for (double v : g.to_vector<double>()) all_zero = all_zero && v == 0;
      return all_zero ? xg::full_like(g, 0.5) : g;
    });
    return xg::sin(u);
  };
  for (const bool fast : {false, true}) {
    xg::GradcheckOptions o;
    o.fast_mode = fast;
    const xg::GradcheckResult r = xg::gradcheck(no_zero, {x}, o);
    CHECK_FALSE(r.ok);
    check_report_has(r.report, {"a zero output gradient gave input 0 (shape [3]) the gradient 0.5 at element 0 (index [0])",
                                "check_undefined_grad"});
    o.check_undefined_grad = false;
    const xg::GradcheckResult off = xg::gradcheck(no_zero, {x}, o);
    CHECK_MESSAGE(off.ok, off.report);
  }
}

TEST_CASE("gradcheck options: fast_mode checks vᵀJu and fails on a wrong backward in first and second derivatives") {
  const Tensor a = f64({1.5, -2, 3.25, 0.5, 4, -1}, {2, 3});
  const Tensor x = f64({0.5, 1, 2.5, -1.5, 2, 3}, {2, 3});
  const Snapshot sa(a), sx(x);
  xg::GradcheckOptions fast;
  fast.fast_mode = true;
  // x's gradient gets a + x/2 at [0, 2] from a hook (as in test_gradcheck.cpp).
  const auto hooked = [](const std::vector<Tensor>& in) {
    Tensor u = in[1] * 1.0;
    const Tensor mask = f64({0, 0, 0.5, 0, 0, 0}, {2, 3}, false);
    u.register_hook([mask, value = u.detach()](const Tensor& g) { return g + mask * value; });
    return xg::sin(in[0] * u);
  };
  const xg::GradcheckResult r = xg::gradcheck(hooked, {a, x}, fast);
  CHECK_FALSE(r.ok);
  check_report_has(r.report, {"gradcheck (fast_mode): vᵀJu mismatch for input 1 (shape [2, 3])", "rerun with fast_mode = false"});
  const xg::GradcheckResult rr = xg::gradgradcheck(hooked, {a, x}, fast);
  CHECK_FALSE(rr.ok);
  check_report_has(rr.report, {"gradgradcheck (second derivatives): gradcheck (fast_mode): vᵀJu mismatch"});
  CHECK(sa.unchanged());
  CHECK(sx.unchanged());

  // The same function without the hook passes fast mode, first and second derivatives.
  const auto plain = [](const std::vector<Tensor>& in) { return xg::sin(in[0] * in[1]); };
  const xg::GradcheckResult ok1 = xg::gradcheck(plain, {a, x}, fast);
  CHECK_MESSAGE(ok1.ok, ok1.report);
  const xg::GradcheckResult ok2 = xg::gradgradcheck(plain, {a, x}, fast);
  CHECK_MESSAGE(ok2.ok, ok2.report);

  // Fast mode evaluates the function 2 times per input (plus the forward), not 2 per element.
  int calls = 0;
  const Tensor big = xg::randn({40, 30}, xg::TensorOptions(xg::kFloat64).requires_grad(true));
  const auto counted = [&calls](const std::vector<Tensor>& in) {
    ++calls;
    return xg::tanh(in[0]).sum(std::vector<std::int64_t>{1});
  };
  CHECK(xg::gradcheck(counted, {big}, fast).ok);
  CHECK(calls == 3);
}

TEST_CASE("gradcheck options are checked, with the option and its value named") {
  const Tensor x = f64({1, 2}, {2});
  const auto fn = [](const std::vector<Tensor>& in) { return in[0] * 3.0; };
  xg::GradcheckOptions o;
  o.eps = 0;
  XGT_CHECK_THROWS_MSG(xg::gradcheck(fn, {x}, o), xg::ValueError, "gradcheck: eps must be positive", "got 0");
  o = {};
  o.atol = -1;
  XGT_CHECK_THROWS_MSG(xg::gradgradcheck(fn, {x}, o), xg::ValueError, "gradgradcheck: atol must be >= 0", "got -1");
  o = {};
  o.nondet_tol = std::nan("");
  XGT_CHECK_THROWS_MSG(xg::gradcheck(fn, {x}, o), xg::ValueError, "gradcheck: nondet_tol", "nan");
  // The positional form is the same check.
  CHECK_FALSE(xg::gradcheck([](const std::vector<Tensor>& in) { return xg::square(in[0]); }, {x}, 1e-6, 0.0, 0.0).ok);
}

TEST_CASE("gradcheck treats an input computed from another input as an independent variable") {
  // b = a/2 + 1/4 is a non-leaf of a: gradcheck checks d(a∘b)/da = b and d(a∘b)/db = a, as for
  // two unrelated tensors (backward through b's history would add a/2 to a's gradient, which
  // perturbing a's value cannot show), and leaves b as it was.
  const Tensor a = f64({0.3, 1.1}, {2});
  const Tensor b = a * 0.5 + 0.25;
  const Snapshot sa(a), sb(b);
  const auto mul = [](const std::vector<Tensor>& in) { return in[0] * in[1]; };
  const xg::GradcheckResult r = xg::gradcheck(mul, {a, b});
  CHECK_MESSAGE(r.ok, r.report);
  const xg::GradcheckResult r2 = xg::gradgradcheck(mul, {a, b});
  CHECK_MESSAGE(r2.ok, r2.report);
  CHECK(sa.unchanged());
  CHECK(sb.unchanged());
  CHECK(b.grad_fn_name() != "");
}
