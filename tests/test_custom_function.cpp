// Custom autograd functions (xg::autograd::Function<T>, as LibTorch's) and zero-copy xtensor views
// (xg::xt_view): forward with an xtensor kernel, backward in xg ops (double backward works) or
// with a kernel (differentiable once: a second derivative is an error naming the function);
// save_for_backward and the version check, saved_data, needs_input_grad,
// mark_non_differentiable, mark_dirty; gradcheck catches a wrong custom backward.
#include "check.h"

#include <tensor/xt_view.h>

#include <cmath>
#include <vector>

using xg::Tensor;
using xg::autograd::AutogradContext;
using xgt::f64;
using Grads = std::vector<Tensor>;

namespace {

// swish with a learnable β: y = x · sigmoid(β x). Forward is an xtensor kernel on the tensors'
// own memory; backward is written in xg ops, so it can be differentiated again:
//   dy/dx = s + β x s (1 − s),   dy/dβ = x² s (1 − s),   s = sigmoid(β x).
struct Swish : xg::autograd::Function<Swish> {
  static Tensor forward(AutogradContext* ctx, const Tensor& x, const Tensor& beta) {
    ctx->save_for_backward({x, beta});
    Tensor y = xg::empty_like(x);
    xg::dispatch_float(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T b = static_cast<T>(beta.item<double>());
      auto xv = xg::xt_view<T>(x);
      auto yv = xg::xt_view<T>(y);
      yv = xv / (T(1) + xt::exp(-b * xv));
    });
    return y;
  }
  static Grads backward(AutogradContext* ctx, Grads g) {
    const auto saved = ctx->get_saved_variables();
    const Tensor& x = saved[0];
    const Tensor& beta = saved[1];
    const Tensor s = xg::sigmoid(beta * x);
    const Tensor ds = s * (1.0 - s);
    return {g[0] * (s + beta * x * ds), g[0] * x * x * ds};
  }
};

// x² with a backward computed by a kernel: right once, not differentiable again.
struct KernelSquare : xg::autograd::Function<KernelSquare> {
  static Tensor forward(AutogradContext* ctx, const Tensor& x) {
    ctx->save_for_backward({x});
    return x * x;
  }
  static Grads backward(AutogradContext* ctx, Grads g) {
    const Tensor x = ctx->get_saved_variables()[0];
    Tensor out = xg::empty_like(x);
    auto ov = xg::xt_view<double>(out);
    ov = 2.0 * xg::xt_view<double>(x) * xg::xt_view<double>(g[0]);
    return {out};
  }
};

int a_grads_computed = 0;

// a · x^p with p a plain number kept in saved_data; `wrong` scales x's gradient by 1.5.
struct ScaledPow : xg::autograd::Function<ScaledPow> {
  static Tensor forward(AutogradContext* ctx, const Tensor& a, const Tensor& x, double p, bool wrong) {
    ctx->save_for_backward({a, x});
    ctx->saved_data["p"] = p;
    ctx->saved_data["wrong"] = wrong;
    return a * xg::pow(x, p);
  }
  static Grads backward(AutogradContext* ctx, Grads g) {
    const auto s = ctx->get_saved_variables();
    const double p = ctx->saved_data["p"].toDouble();
    const double k = ctx->saved_data["wrong"].toBool() ? 1.5 : 1.0;
    Tensor ga, gx;
    if (ctx->needs_input_grad(0)) {
      ga = g[0] * xg::pow(s[1], p);
      ++a_grads_computed;
    }
    if (ctx->needs_input_grad(1)) gx = g[0] * s[0] * p * xg::pow(s[1], p - 1) * k;
    return {ga, gx, Tensor{}, Tensor{}};
  }
};

// exp, saving its output for backward.
struct Exp : xg::autograd::Function<Exp> {
  static Tensor forward(AutogradContext* ctx, const Tensor& x) {
    Tensor y = xg::exp(x);
    ctx->save_for_backward({y});
    return y;
  }
  static Grads backward(AutogradContext* ctx, Grads g) { return {g[0] * ctx->get_saved_variables()[0]}; }
};

Tensor beta64(double b) { return xg::from_vector(std::vector<double>{b}, {1}, true); }

}  // namespace

TEST_CASE("Function: swish with learnable beta, forward an xtensor kernel, by hand and with gradcheck/gradgradcheck") {
  const Tensor x = f64({-1.0, 0.0, 2.0}, {3});
  const Tensor beta = beta64(0.5);
  const Tensor y = Swish::apply(x, beta);
  CHECK(y.requires_grad());
  CHECK(y.grad_fn_name().find("Swish") != std::string::npos);
  // By hand: s = sigmoid(0.5 x) at x = -1, 0, 2.
  const auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
  xgt::check_values(y, {-sig(-0.5), 0.0, 2 * sig(1.0)});
  xg::sum(y).backward();
  std::vector<double> gx, gb(1, 0.0);
  for (double v : {-1.0, 0.0, 2.0}) {
    const double s = sig(0.5 * v);
    gx.push_back(s + 0.5 * v * s * (1 - s));
    gb[0] += v * v * s * (1 - s);
  }
  xgt::check_values(x.grad(), gx);
  xgt::check_values(beta.grad(), gb);

  const auto fn = [](const std::vector<Tensor>& in) { return Swish::apply(in[0], in[1]); };
  xgt::check_grads(fn, {f64({-1.3, 0.2, 0.7, 2.5}, {2, 2}), beta64(1.7)});
  // float32 works too (the kernel is instantiated for each dtype).
  const Tensor x32 = xg::tensor({1.0, -2.0}, xg::TensorOptions(xg::kFloat32).requires_grad(true));
  const Tensor y32 = Swish::apply(x32, xg::tensor({1.0}, xg::kFloat32));
  CHECK(y32.dtype() == xg::kFloat32);
  CHECK(y32.at<float>({0}) == doctest::Approx(sig(1.0)));
}

TEST_CASE("Function: gradcheck fails on a wrong custom backward and names the input") {
  const Tensor a = f64({1.5, -0.5}, {2}), x = f64({0.8, 1.2}, {2});
  const auto wrong = [](const std::vector<Tensor>& in) { return ScaledPow::apply(in[0], in[1], 3.0, true); };
  const xg::GradcheckResult r = xg::gradcheck(wrong, {a, x});
  CHECK_FALSE(r.ok);
  // d/dx = 3 a x², recorded 1.5 times too large; the worst element is 0: 4.32 vs 2.88.
  INFO(r.report);
  CHECK(r.report.find("for input 1 (shape [2]) at element 0 (index [0]), output element 0: analytic 4.32 vs numeric 2.8") !=
        std::string::npos);
  const auto right = [](const std::vector<Tensor>& in) { return ScaledPow::apply(in[0], in[1], 3.0, false); };
  xgt::check_grads(right, {a, x});
  // needs_input_grad: with a constant `a`, backward skips a's gradient.
  const Tensor a_const = f64({1.5, -0.5}, {2}, false);
  const int before = a_grads_computed;
  xg::sum(ScaledPow::apply(a_const, x, 2.0, false)).backward();
  CHECK(a_grads_computed == before);
  xgt::check_values(x.grad(), {1.5 * 2 * 0.8, -0.5 * 2 * 1.2});
  xg::sum(ScaledPow::apply(a, x, 2.0, false)).backward();
  CHECK(a_grads_computed == before + 1);
}

TEST_CASE("Function: a backward computed with a kernel is right once; a second derivative names the function") {
  const Tensor x = f64({0.5, -1.5}, {2});
  const auto fn = [](const std::vector<Tensor>& in) { return KernelSquare::apply(in[0]); };
  const xg::GradcheckResult first = xg::gradcheck(fn, {x});
  CHECK_MESSAGE(first.ok, first.report);
  XGT_CHECK_THROWS_MSG(xg::gradgradcheck(fn, {x}), xg::AutogradError, "the custom function", "KernelSquare",
                       "its backward is not differentiable", "xg ops");
  XGT_CHECK_THROWS_MSG(xg::autograd::functional::hessian([](const Tensor& t) { return xg::sum(KernelSquare::apply(t)); }, x),
                       xg::AutogradError, "KernelSquare");
  // Without create_graph nothing changes: the gradient is 2x.
  xg::sum(KernelSquare::apply(x)).backward();
  xgt::check_values(x.grad(), {1.0, -3.0});
}

TEST_CASE("Function: saving the output supports double backward; an in-place change of a saved input is caught") {
  xgt::check_grads([](const std::vector<Tensor>& in) { return Exp::apply(in[0]); }, {f64({0.3, -1.1}, {2})});
  const Tensor x = f64({0.3, -1.1}, {2});
  const Tensor gx = xg::autograd::grad({xg::sum(Exp::apply(x))}, {x}, {}, false, true)[0];
  xgt::check_values(gx, {std::exp(0.3), std::exp(-1.1)});
  xg::sum(gx).backward();
  xgt::check_values(x.grad(), {std::exp(0.3), std::exp(-1.1)});

  // ScaledPow saves `a`; changing it in place before backward is an error naming the function.
  Tensor a = f64({1.0, 2.0}, {2}, false);
  const Tensor y = ScaledPow::apply(a, x, 2.0, false);
  a.add_(1.0);
  XGT_CHECK_THROWS_MSG(xg::sum(y).backward(), xg::AutogradError, "ScaledPow", "modified by an in-place operation");
}

namespace {
// argmax-like: an index output that is marked non-differentiable.
struct Round : xg::autograd::Function<Round> {
  static Tensor forward(AutogradContext* ctx, const Tensor& x) {
    Tensor y = x.clone();
    auto v = xg::xt_view<double>(y);
    v = xt::round(v);
    ctx->mark_non_differentiable({y});
    return y;
  }
  static Grads backward(AutogradContext*, Grads) { return {Tensor{}}; }
};

// Doubles its input in place and returns it (mark_dirty).
struct DoubleInPlace : xg::autograd::Function<DoubleInPlace> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    x.mul_(2.0);
    ctx->mark_dirty({x});
    return x;
  }
  static Grads backward(AutogradContext*, Grads g) { return {g[0] * 2.0}; }
};

struct TwoGrads : xg::autograd::Function<TwoGrads> {
  static Tensor forward(AutogradContext*, const Tensor& x, double) { return x * 3.0; }
  static Grads backward(AutogradContext*, Grads g) { return {g[0] * 3.0, g[0]}; }
};
struct OneGrad : xg::autograd::Function<OneGrad> {
  static Tensor forward(AutogradContext*, const Tensor& x, const Tensor&) { return x * 3.0; }
  static Grads backward(AutogradContext*, Grads g) { return {g[0] * 3.0}; }
};
}  // namespace

TEST_CASE("Function: mark_non_differentiable, mark_dirty, and backward results that do not fit") {
  const Tensor x = f64({0.4, 1.6}, {2});
  const Tensor r = Round::apply(x);
  CHECK_FALSE(r.requires_grad());
  xgt::check_values(r, {0.0, 2.0});

  // mark_dirty on a non-leaf: the same handle now carries the function's history.
  const Tensor leaf = f64({1.0, -2.0}, {2});
  Tensor u = leaf * 1.5;
  const std::uint32_t v0 = u.version();
  const Tensor w = DoubleInPlace::apply(u);
  CHECK(w.impl() == u.impl());
  CHECK(u.version() > v0);
  CHECK(u.grad_fn_name().find("DoubleInPlace") != std::string::npos);
  xgt::check_values(u, {3.0, -6.0});
  xg::sum(u).backward();
  xgt::check_values(leaf.grad(), {3.0, 3.0});
  // ... and on a leaf that requires grad it is refused.
  XGT_CHECK_THROWS_MSG(DoubleInPlace::apply(f64({1.0}, {1})), xg::AutogradError, "DoubleInPlace", "leaf");

  XGT_CHECK_THROWS_MSG(xg::sum(OneGrad::apply(x, x)).backward(), xg::AutogradError, "OneGrad", "returned 1 gradients, expected 2");
  XGT_CHECK_THROWS_MSG(xg::sum(TwoGrads::apply(x, 2.0)).backward(), xg::AutogradError, "TwoGrads",
                       "returned a gradient for argument 1, which is not a tensor");
  // A wrong gradient shape is caught by the engine, naming the function.
  struct BadShape : xg::autograd::Function<BadShape> {
    static Tensor forward(AutogradContext*, const Tensor& x) { return x * 1.0; }
    static Grads backward(AutogradContext*, Grads) { return {xg::ones({3}, xg::kFloat64)}; }
  };
  XGT_CHECK_THROWS_MSG(xg::sum(BadShape::apply(x)).backward(), xg::AutogradError, "BadShape", "shape [3]");
  // saved_data of the wrong type.
  struct WrongType : xg::autograd::Function<WrongType> {
    static Tensor forward(AutogradContext* ctx, const Tensor& x) {
      ctx->saved_data["n"] = std::int64_t{3};
      return x * 1.0;
    }
    static Grads backward(AutogradContext* ctx, Grads g) { return {g[0] * ctx->saved_data["n"].toDouble()}; }
  };
  XGT_CHECK_THROWS_MSG(xg::sum(WrongType::apply(x)).backward(), xg::DTypeError, "toDouble() on a value that holds a int");
  // No gradient needed: no node, the output is a plain tensor.
  const Tensor c = OneGrad::apply(f64({1.0}, {1}, false), f64({2.0}, {1}, false));
  CHECK(c.requires_grad() == false);
}

TEST_CASE("xt_view: zero-copy, shape and dtype checked, read-only for const tensors") {
  Tensor t = xg::from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3});
  auto v = xg::xt_view<double>(t);
  CHECK(v.shape().size() == 2);
  CHECK(v.shape()[0] == 2);
  CHECK(v.shape()[1] == 3);
  CHECK(v(1, 0) == 4.0);
  v(0, 2) = 30.0;  // writes the tensor's memory
  CHECK(t.at<double>({0, 2}) == 30.0);
  CHECK(&v(0, 0) == t.data_ptr<double>());
  const Tensor& ct = t;
  auto cv = xg::xt_view<double>(ct);
  static_assert(std::is_const_v<std::remove_reference_t<decltype(*cv.data())>>);
  CHECK(xt::sum(cv)() == doctest::Approx(1 + 2 + 30 + 4 + 5 + 6));
  XGT_CHECK_THROWS_MSG(xg::xt_view<float>(t), xg::DTypeError, "xt_view: the tensor is float64, the view asked for float32");
  XGT_CHECK_THROWS_MSG(xg::xt_view<double>(Tensor{}), xg::ValueError, "xt_view: the tensor is undefined");
}
