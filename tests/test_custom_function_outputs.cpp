// Custom autograd functions with several outputs (forward returns a variable_list, as LibTorch's):
// backward gets one gradient per output, zeros for an output that received none (or undefined
// after set_materialize_grads(false)); saved outputs keep their history for double backward;
// non-differentiable outputs; the errors.
#include "check.h"

#include <cmath>
#include <limits>
#include <vector>

using xg::Tensor;
using xg::autograd::AutogradContext;
using xg::autograd::variable_list;
using xgt::check_values;
using xgt::f64;

namespace {

// What the last backward of each function received, so tests can look at it.
std::vector<Tensor> last_grads;

// (sin x, cos x), backward in xg ops: d/dx = g0 cos x − g1 sin x.
struct SinCos : xg::autograd::Function<SinCos> {
  static variable_list forward(AutogradContext* ctx, const Tensor& x, bool materialize) {
    ctx->save_for_backward({x});
    ctx->set_materialize_grads(materialize);
    return {xg::sin(x), xg::cos(x)};
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    last_grads = g;
    const Tensor x = ctx->get_saved_variables()[0];
    Tensor dx;
    if (g[0].defined()) dx = g[0] * xg::cos(x);
    if (g[1].defined()) dx = dx.defined() ? dx - g[1] * xg::sin(x) : -(g[1] * xg::sin(x));
    return {dx, Tensor{}};
  }
};

// (e^x, e^{2x}) from its saved outputs: d/dx = g0 y0 + 2 g1 y1. Its second derivative needs the
// saved outputs' history.
struct TwoExps : xg::autograd::Function<TwoExps> {
  static variable_list forward(AutogradContext* ctx, const Tensor& x) {
    Tensor y0 = xg::exp(x), y1 = xg::exp(2.0 * x);
    ctx->save_for_backward({y0, y1});
    return {y0, y1};
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    const auto saved = ctx->get_saved_variables();
    return {g[0] * saved[0] + 2.0 * g[1] * saved[1]};
  }
};

// The row maxima and their indices, as torch.max(x, 1); the indices are not differentiable.
struct RowMax : xg::autograd::Function<RowMax> {
  static variable_list forward(AutogradContext* ctx, const Tensor& x) {
    Tensor idx = xg::argmax(x, 1);
    ctx->save_for_backward({x, idx});
    ctx->mark_non_differentiable({idx});
    return {xg::squeeze(xg::gather(x, 1, xg::unsqueeze(idx, 1)), 1), idx};
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    last_grads = g;
    const auto saved = ctx->get_saved_variables();
    const Tensor onehot = xg::one_hot(saved[1], saved[0].shape()[1], saved[0].dtype());
    return {onehot * xg::unsqueeze(g[0], 1)};
  }
};

struct Empty : xg::autograd::Function<Empty> {
  static variable_list forward(AutogradContext*, const Tensor&) { return {}; }
  static variable_list backward(AutogradContext*, variable_list) { return {Tensor{}}; }
};

struct DirtyPair : xg::autograd::Function<DirtyPair> {
  static variable_list forward(AutogradContext* ctx, Tensor x) {
    x.mul_(2.0);
    ctx->mark_dirty({x});
    return {x, x * 2.0};
  }
  static variable_list backward(AutogradContext*, variable_list g) { return {g[0]}; }
};

}  // namespace

TEST_CASE("Function with several outputs: values and gradients by hand, gradcheck and gradgradcheck") {
  const double half_pi = std::acos(0.0);
  const Tensor x = f64({0.0, half_pi}, {2});
  const variable_list out = SinCos::apply(x, true);
  REQUIRE(out.size() == 2);
  check_values(out[0], {0.0, 1.0}, 1e-15);
  check_values(out[1], {1.0, std::cos(half_pi)}, 1e-15);
  CHECK(out[0].requires_grad());
  CHECK(out[1].requires_grad());
  (xg::sum(out[0]) + 3.0 * xg::sum(out[1])).backward();
  check_values(x.grad(), {1.0, -3.0}, 1e-15);  // cos x − 3 sin x
  xgt::check_grads([](const std::vector<Tensor>& in) {
    const auto o = SinCos::apply(in[0], true);
    return o[0] * 2.0 + o[1] * o[1] * in[0];
  }, {f64({0.3, -1.1, 2.0}, {3})});
}

TEST_CASE("Function with several outputs: an output without a gradient reaches backward as zeros, or undefined") {
  const Tensor x = f64({0.5, 1.5}, {2});
  xg::sum(SinCos::apply(x, true)[0]).backward();
  REQUIRE(last_grads.size() == 2);
  check_values(last_grads[0], {1.0, 1.0});
  REQUIRE(last_grads[1].defined());
  check_values(last_grads[1], {0.0, 0.0});
  check_values(x.grad(), {std::cos(0.5), std::cos(1.5)});

  x.grad().zero_();
  xg::sum(SinCos::apply(x, false)[1]).backward();
  CHECK_FALSE(last_grads[0].defined());
  check_values(last_grads[1], {1.0, 1.0});
  check_values(x.grad(), {-std::sin(0.5), -std::sin(1.5)});

  // Several backward sweeps through one graph: each sees only its own gradients.
  x.grad().zero_();
  const auto o = SinCos::apply(x, false);
  xg::sum(o[0]).backward({}, /*retain_graph=*/true);
  CHECK(last_grads[0].defined());
  CHECK_FALSE(last_grads[1].defined());
  xg::sum(o[1]).backward();
  CHECK_FALSE(last_grads[0].defined());
  CHECK(last_grads[1].defined());
  check_values(x.grad(), {std::cos(0.5) - std::sin(0.5), std::cos(1.5) - std::sin(1.5)});
}

TEST_CASE("Function with several outputs: saved outputs keep their history, so double backward is right") {
  const Tensor x = f64({0.2, -0.7}, {2});
  const auto o = TwoExps::apply(x);
  const Tensor g = xg::autograd::grad({xg::sum(o[0] + o[1])}, {x}, {}, true, true)[0];
  // d/dx = e^x + 2 e^{2x}; d²/dx² = e^x + 4 e^{2x}
  check_values(g, {std::exp(0.2) + 2 * std::exp(0.4), std::exp(-0.7) + 2 * std::exp(-1.4)}, 1e-14);
  xg::sum(g).backward();
  check_values(x.grad(), {std::exp(0.2) + 4 * std::exp(0.4), std::exp(-0.7) + 4 * std::exp(-1.4)}, 1e-14);
  xgt::check_grads([](const std::vector<Tensor>& in) {
    const auto y = TwoExps::apply(in[0]);
    return y[0] * y[1] + y[1];
  }, {f64({0.1, -0.4, 0.9}, {3})});
}

TEST_CASE("Function with several outputs: a non-differentiable output has no history; its gradient is zeros") {
  const Tensor x = f64({1.0, 5.0, 2.0, 7.0, 3.0, 4.0}, {2, 3});
  const auto o = RowMax::apply(x);
  check_values(o[0], {5.0, 7.0});
  CHECK(o[1].dtype() == xg::kInt64);
  CHECK_FALSE(o[1].requires_grad());
  CHECK(o[1].to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 0});
  (xg::sum(o[0] * f64({2.0, 3.0}, {2}, false))).backward();
  check_values(x.grad(), {0, 2, 0, 3, 0, 0});
  REQUIRE(last_grads.size() == 2);
  CHECK(last_grads[1].dtype() == xg::kInt64);
  CHECK(last_grads[1].to_vector<std::int64_t>() == std::vector<std::int64_t>{0, 0});
  xgt::check_grads([](const std::vector<Tensor>& in) { return RowMax::apply(in[0])[0]; }, {x});
}

TEST_CASE("Function with several outputs: an argument returned as an output is a new handle; no grad mode records nothing") {
  struct PassThrough : xg::autograd::Function<PassThrough> {
    static variable_list forward(AutogradContext*, const Tensor& x) { return {x, x * 3.0}; }
    static variable_list backward(AutogradContext*, variable_list g) { return {g[0] + 3.0 * g[1]}; }
  };
  const Tensor x = f64({1.0, 2.0}, {2});
  const auto o = PassThrough::apply(x);
  CHECK(o[0].impl() != x.impl());
  CHECK(o[0].grad_fn());
  xg::sum(o[0] + o[1]).backward();
  check_values(x.grad(), {4.0, 4.0});
  xg::NoGradGuard no_grad;
  const auto p = PassThrough::apply(x);
  CHECK_FALSE(p[0].requires_grad());
  CHECK_FALSE(p[1].requires_grad());
}

TEST_CASE("Function with several outputs: errors name the function") {
  const Tensor x = f64({1.0, 2.0}, {2});
  XGT_CHECK_THROWS_MSG(Empty::apply(x), xg::ValueError, "Empty", "empty variable_list");
  const Tensor y = f64({1.0, 2.0}, {2}) * 1.0;
  // mark_dirty with several outputs is supported now (errors for it: tests/test_libtorch_compat.cpp).
  const auto o = DirtyPair::apply(y);
  CHECK(o[0].is_same(y));
  check_values(o[1], {4.0, 8.0});
}

TEST_CASE("needs_input_grad counts tensor arguments only, as LibTorch") {
  struct Scale : xg::autograd::Function<Scale> {
    static Tensor forward(AutogradContext* ctx, double k, const Tensor& x, const Tensor& y) {
      ctx->saved_data["k"] = k;
      ctx->save_for_backward({y});
      return x * y * k;
    }
    static variable_list backward(AutogradContext* ctx, variable_list g) {
      CHECK(ctx->needs_input_grad(0) == true);   // x
      CHECK(ctx->needs_input_grad(1) == false);  // y: a constant
      XGT_CHECK_THROWS_MSG(ctx->needs_input_grad(2), xg::IndexError, "needs_input_grad", "index 2", "2 tensor arguments");
      return {Tensor{}, g[0] * ctx->get_saved_variables()[0] * ctx->saved_data["k"].toDouble(), Tensor{}};
    }
  };
  const Tensor x = f64({1.0, 2.0}, {2});
  const Tensor y = f64({3.0, 4.0}, {2}, false);
  xg::sum(Scale::apply(2.0, x, y)).backward();
  check_values(x.grad(), {6, 8});
}

TEST_CASE("a custom function's node says where it comes from in errors") {
  const Tensor x = f64({0.0, 1.0}, {2});
  const auto o = SinCos::apply(x, true);
  xg::DetectAnomalyGuard anomaly;
  XGT_CHECK_THROWS_MSG(o[0].backward(xg::full_like(o[0], std::numeric_limits<double>::infinity())), xg::AutogradError,
                       "SinCos", "recorded by Function<T>::apply");
}
