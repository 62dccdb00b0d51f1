// The engine: recording, accumulation, retain/create graph, hooks, guards, anomaly mode, DOT,
// and a graph of a million ops.
#include <string>

#include "check.h"

using xg::Tensor;
using xgt::check_values;
using xgt::f64;

TEST_CASE("recording happens only in grad mode and when an input requires grad") {
  const Tensor a = xg::tensor({1.0, 2.0});
  Tensor b = xg::tensor({3.0, 4.0}).requires_grad_();
  CHECK_FALSE((a * a).requires_grad());
  CHECK((a * b).requires_grad());
  CHECK((a * b).grad_fn_name() == "mul");
  CHECK_FALSE((a * b).is_leaf());
  CHECK(b.is_leaf());
  {
    xg::NoGradGuard guard;
    const Tensor c = a * b;
    CHECK_FALSE(c.requires_grad());
    CHECK(c.grad_fn() == nullptr);
  }
  CHECK(xg::GradMode::is_enabled());
  CHECK_FALSE(b.detach().requires_grad());
  CHECK(b.detach().raw_data() == b.raw_data());
}

TEST_CASE("gradients accumulate across backward calls until cleared") {
  Tensor x = f64({2}, {1});
  (x * x).sum().backward();
  check_values(x.grad(), {4});
  (x * 3.0).sum().backward();
  check_values(x.grad(), {7});
  x.set_grad({});
  (x * 3.0).sum().backward();
  check_values(x.grad(), {3});
  x.grad().zero_();
  check_values(x.grad(), {0});
}

TEST_CASE("a gradient shared by two leaves is not aliased") {
  Tensor a = f64({1, 2}, {2});
  Tensor b = f64({3, 4}, {2});
  (a + b).sum().backward();
  a.grad().mul_(10);
  check_values(b.grad(), {1, 1});
}

TEST_CASE("non-leaf gradients need retain_grad; hooks see and may replace gradients") {
  Tensor x = f64({1, 2}, {2});
  Tensor h = x * 3.0;
  Tensor h2 = x * 4.0;
  h.retain_grad();
  std::vector<double> seen;
  const auto id = h.register_hook([&seen](const Tensor& g) {
    seen = g.to_vector<double>();
    return g * 2.0;  // doubles the gradient flowing on
  });
  (h * h + h2).sum().backward();
  CHECK(seen == std::vector<double>{6, 12});  // d/dh h^2 = 2h
  check_values(h.grad(), {12, 24});           // retain_grad stores the hooked gradient
  CHECK_FALSE(h2.grad().defined());
  check_values(x.grad(), {12 * 3 + 4, 24 * 3 + 4});
  h.remove_hook(id);

  Tensor leaf = f64({1}, {1});
  leaf.register_hook([](const Tensor& g) { return g * 0.0; });
  (leaf * 5.0).sum().backward();
  check_values(leaf.grad(), {0});
}

TEST_CASE("retain_graph allows a second backward; without it the error is clear") {
  Tensor x = f64({3}, {1});
  Tensor y = (x * x).sum();
  y.backward({}, /*retain_graph=*/true);
  y.backward();
  check_values(x.grad(), {12});
  XGT_CHECK_THROWS_MSG(y.backward(), xg::AutogradError, "second time");
}

TEST_CASE("create_graph gives second derivatives: d2/dx2 x^3 = 6x at several points") {
  for (double v : {-2.0, -0.5, 0.0, 1.0, 3.0}) {
    Tensor x = f64({v}, {1});
    const Tensor y = xg::pow(x, 3.0).sum();
    const auto g = xg::autograd::grad({y}, {x}, {}, false, /*create_graph=*/true);
    CHECK(g[0].item<double>() == doctest::Approx(3 * v * v));
    CHECK(g[0].requires_grad());
    const auto gg = xg::autograd::grad({g[0].sum()}, {x});
    CHECK(gg[0].item<double>() == doctest::Approx(6 * v));
  }
}

TEST_CASE("Hessian-vector product of f(x) = sum(x_i^2 x_j) style function") {
  // f(x) = (x0^2) x1 + sin(x2) x0; H v computed by double backward vs the hand Hessian.
  Tensor x = f64({1.5, -2, 0.7}, {3});
  const Tensor x0 = xg::narrow(x, 0, 0, 1), x1 = xg::narrow(x, 0, 1, 1), x2 = xg::narrow(x, 0, 2, 1);
  const Tensor f = (x0 * x0 * x1 + xg::sin(x2) * x0).sum();
  const Tensor v = xg::tensor({0.3, -1.0, 2.0}, xg::kFloat64);
  const auto g = xg::autograd::grad({f}, {x}, {}, false, true);
  const auto hv = xg::autograd::grad({(g[0] * v).sum()}, {x});
  const double a = 1.5, b = -2, c = 0.7;
  // Hessian rows: [2b, 2a, cos c], [2a, 0, 0], [cos c, 0, -a sin c]
  const double h[3][3] = {{2 * b, 2 * a, std::cos(c)}, {2 * a, 0, 0}, {std::cos(c), 0, -a * std::sin(c)}};
  const double vv[3] = {0.3, -1.0, 2.0};
  std::vector<double> want(3, 0.0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) want[i] += h[i][j] * vv[j];
  check_values(hv[0], want, 1e-12);
}

TEST_CASE("backward with create_graph makes .grad() differentiable") {
  Tensor x = f64({2}, {1});
  xg::pow(x, 3.0).sum().backward({}, false, /*create_graph=*/true);
  const Tensor g = x.grad();  // 3x^2 = 12, with history
  CHECK(g.requires_grad());
  const auto gg = xg::autograd::grad({g.sum()}, {x});
  check_values(gg[0], {12});  // 6x
}

TEST_CASE("autograd::grad leaves .grad() alone and handles non-leaf inputs") {
  Tensor x = f64({1, 2}, {2});
  const Tensor h = x * x;
  const Tensor y = (h * 3.0).sum();
  const auto g = xg::autograd::grad({y}, {h, x});
  check_values(g[0], {3, 3});
  check_values(g[1], {6, 12});
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("in-place change of a saved tensor is caught at backward") {
  Tensor x = f64({1, 2}, {2});
  Tensor w = xg::tensor({3.0, 4.0}, xg::kFloat64);
  const Tensor y = (x * w).sum();
  w.add_(1.0);  // w is saved by mul to compute x's gradient
  XGT_CHECK_THROWS_MSG(y.backward(), xg::AutogradError, "'mul'", "add_");
  CHECK_FALSE(x.grad().defined());
  // The failed backward freed nothing: a second try fails the same way, not with "second time".
  XGT_CHECK_THROWS_MSG(y.backward(), xg::AutogradError, "in-place");
}

TEST_CASE("in-place on a tensor that requires grad is refused in grad mode, allowed under NoGradGuard") {
  Tensor p = f64({1, 2}, {2});
  CHECK_THROWS_AS(p.add_(1.0), xg::AutogradError);
  check_values(p, {1, 2});
  {
    xg::NoGradGuard g;
    p.sub_(xg::tensor({0.5, 0.5}, xg::kFloat64));
  }
  check_values(p, {0.5, 1.5});
}

TEST_CASE("DetectAnomalyGuard names the op whose backward produced NaN, with its call site") {
  Tensor x = f64({0, 1}, {2});
  xg::DetectAnomalyGuard anomaly;
  const Tensor y = xg::sqrt(x);  // d/dx sqrt at 0 is inf
  const int line = __LINE__ - 1;
  XGT_CHECK_THROWS_MSG(y.sum().backward(), xg::AutogradError, "'sqrt'", "test_engine.cpp:" + std::to_string(line));
}

TEST_CASE("without anomaly mode the same backward just yields inf") {
  Tensor x = f64({0, 1}, {2});
  xg::sqrt(x).sum().backward();
  CHECK(std::isinf(x.grad().to_vector<double>()[0]));
}

TEST_CASE("to_dot lists ops, shapes and leaves") {
  Tensor x = f64({1, 2}, {2});
  const Tensor y = (xg::exp(x) * 2.0).sum();
  const std::string dot = xg::to_dot(y);
  CHECK(dot.find("digraph") == 0);
  CHECK(dot.find("sum") != std::string::npos);
  CHECK(dot.find("exp") != std::string::npos);
  CHECK(dot.find("mul") != std::string::npos);
  CHECK(dot.find("leaf [2] float64") != std::string::npos);
  CHECK(dot.find("->") != std::string::npos);
}

TEST_CASE("a chain of 10^6 ops runs forward, backward and is destroyed without recursion") {
  Tensor x = xg::tensor({1.0}, xg::kFloat64).requires_grad_();
  {
    Tensor y = x;
    for (int i = 0; i < 1000000; ++i) y = y * 1.0;
    y.sum().backward();
  }
  check_values(x.grad(), {1});
  {
    // Destroyed without ever running backward.
    Tensor y = x;
    for (int i = 0; i < 1000000; ++i) y = y + 0.0;
  }
  CHECK(x.grad().item<double>() == 1);
}

TEST_CASE("autograd::grad refuses an unused input before doing any work") {
  Tensor x = f64({1, 2}, {2});
  Tensor unused = f64({3}, {1});
  const Tensor y = (x * x).sum();
  XGT_CHECK_THROWS_MSG(xg::autograd::grad({y}, {x, unused}), xg::AutogradError, "input 1 (shape [1]) was not used");
  const auto g = xg::autograd::grad({y}, {x, unused}, {}, false, false, /*allow_unused=*/true);  // the graph is intact
  check_values(g[0], {2, 4});
  CHECK_FALSE(g[1].defined());
}

TEST_CASE("autograd::grad runs only the part of the graph that reaches the requested inputs") {
  Tensor a = f64({1.5, -2}, {2});
  Tensor b = f64({0.5, 3}, {2});
  int hook_calls = 0;
  Tensor hb = b * 2.0;
  hb.register_hook([&](const Tensor&) {
    ++hook_calls;
    return Tensor{};
  });
  const Tensor y = xg::sum(a * a + hb);
  const auto g = xg::autograd::grad({y}, {a}, {}, /*retain_graph=*/true);
  check_values(g[0], {3, -4});
  CHECK(hook_calls == 0);  // b's branch cannot reach a: pruned
  xg::autograd::grad({y}, {a, b});
  CHECK(hook_calls == 1);
}

TEST_CASE("a derivative rule runs only for inputs that need a gradient") {
  // d/de x^e = x^e log x is NaN at x = -1; anomaly mode would name it if the rule for e ran.
  xg::DetectAnomalyGuard anomaly;
  Tensor x = f64({-1}, {1});
  Tensor e_const = f64({2}, {1}, false);
  xg::sum(xg::pow(x, e_const)).backward();
  check_values(x.grad(), {-2});
  Tensor e = f64({2}, {1});
  const auto gx = xg::autograd::grad({xg::sum(xg::pow(x, e))}, {x});  // e requires grad but is not asked for
  check_values(gx[0], {-2});
}

TEST_CASE("the engine sums a broadcast gradient back to each input's shape") {
  Tensor row = f64({1, 2, 3}, {1, 3});
  Tensor col = f64({10, 20}, {2, 1});
  Tensor scalar = f64({0.5}, {});
  xg::sum(row * col * scalar).backward();
  check_values(row.grad(), {15, 15, 15});
  check_values(col.grad(), {3, 3});
  check_values(scalar.grad(), {6 * 30});
  xgt::check_grads([](const std::vector<Tensor>& in) { return in[0] * in[1] + in[2]; },
                   {f64({1, 2, 3}, {1, 3}), f64({10, 20}, {2, 1}), f64({0.5}, {})});
}
