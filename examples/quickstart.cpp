// Quickstart: fit a two-layer network to noisy samples of y = sin(x) with plain autodiff ops
// and a hand-written gradient-descent step, printing the loss as it falls.
#include <xgrad.h>

#include <cstdio>

int main() {
  xg::manual_seed(0);
  const xg::Tensor x = xg::linspace(-3, 3, 128).reshape({128, 1});
  const xg::Tensor y = xg::sin(x) + 0.05 * xg::randn({128, 1});

  // Parameters: 1 -> 32 -> 1, tanh hidden layer.
  xg::Tensor w1 = (xg::randn({32, 1}) * 0.5).requires_grad_();
  xg::Tensor b1 = xg::zeros({32}).requires_grad_();
  xg::Tensor w2 = (xg::randn({1, 32}) * 0.2).requires_grad_();
  xg::Tensor b2 = xg::zeros({1}).requires_grad_();
  const double lr = 0.05;

  for (int step = 0; step <= 2000; ++step) {
    const xg::Tensor pred = xg::linear(xg::tanh(xg::linear(x, w1, b1)), w2, b2);
    const xg::Tensor loss = xg::mean(xg::square(pred - y));
    for (auto* p : {&w1, &b1, &w2, &b2}) p->set_grad({});
    loss.backward();
    {
      xg::NoGradGuard no_grad;
      for (auto* p : {&w1, &b1, &w2, &b2}) p->sub_(p->grad(), lr);
    }
    if (step % 200 == 0) std::printf("step %4d  loss %.5f\n", step, loss.item<double>());
  }
  return 0;
}
