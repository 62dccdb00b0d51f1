// A custom op written as an autograd Function with xtensor kernels: swish with a learnable β,
// y = x · sigmoid(β x). The forward is an xtensor expression on the tensors' own memory
// (xg::xt_view, no copies); the backward is written in xg ops, so it has second derivatives too.
// The op is checked with gradcheck and gradgradcheck (module form), then used inside a module
// trained with Adam to fit y = |x| · sin(2x).
#include <tensor/xt_view.h>
#include <xgrad.h>

#include <cstdio>
#include <vector>

using xg::Tensor;
using xg::autograd::AutogradContext;

struct SwishBeta : xg::autograd::Function<SwishBeta> {
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
  // dy/dx = s + β x s (1 − s), dy/dβ = x² s (1 − s), s = sigmoid(β x); β's gradient is summed
  // back to its shape [1] by the engine.
  static std::vector<Tensor> backward(AutogradContext* ctx, std::vector<Tensor> g) {
    const auto saved = ctx->get_saved_variables();
    const Tensor &x = saved[0], &beta = saved[1];
    const Tensor s = xg::sigmoid(beta * x);
    const Tensor ds = s * (1.0 - s);
    return {g[0] * (s + beta * x * ds), g[0] * x * x * ds};
  }
};

// One hidden layer whose activation is SwishBeta with its own learnable β.
struct SwishNet : xg::nn::Module {
  xg::nn::Linear fc1{1, 32}, fc2{32, 1};
  Tensor beta;
  SwishNet() {
    register_module("fc1", fc1);
    register_module("fc2", fc2);
    beta = register_parameter("beta", xg::ones({1}));
  }
  Tensor forward(const Tensor& x) override { return fc2(SwishBeta::apply(fc1(x), beta)); }
};

int main() {
  xg::manual_seed(0);
  SwishNet net;
  const Tensor x = xg::linspace(-3, 3, 256).reshape({256, 1});
  const Tensor y = xg::abs(x) * xg::sin(2.0 * x);

  // gradcheck of the module: every parameter (fc1, fc2, β) and the input, in float64 copies.
  const Tensor probe = xg::linspace(-2, 2, 6).reshape({6, 1}).requires_grad_(true);
  const xg::GradcheckResult first = xg::gradcheck(net, {probe});
  const xg::GradcheckResult second = xg::gradgradcheck(net, {probe});
  std::printf("gradcheck: %s\ngradgradcheck: %s\n", first.ok ? "ok" : first.report.c_str(),
              second.ok ? "ok" : second.report.c_str());
  if (!first.ok || !second.ok) return 1;

  xg::optim::Adam opt(net.parameters(), xg::optim::AdamOptions(1e-2));
  double loss0 = 0, loss = 0;
  for (int step = 0; step <= 2000; ++step) {
    const Tensor l = xg::mean(xg::square(net(x) - y));
    opt.zero_grad();
    l.backward();
    opt.step();
    loss = l.item<double>();
    if (step == 0) loss0 = loss;
    if (step % 400 == 0) std::printf("step %4d  loss %.5f  beta %.4f\n", step, loss, net.beta.item<double>());
  }
  std::printf("loss %.5f -> %.5f, learned beta %.4f\n", loss0, loss, net.beta.item<double>());
  return loss < 0.1 * loss0 ? 0 : 1;
}
