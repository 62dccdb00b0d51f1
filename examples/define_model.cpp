// Defining a model: a module struct with forward, trained with the regularized cost J(θ).
// This file is the README's "Defining a model" section and is built with the examples.
#include <xgrad.h>

#include <cstdio>

namespace nn = xg::nn;

struct Net : nn::Module {
  nn::Linear fc1{2, 16}, fc2{16, 16}, fc3{16, 2};
  nn::BatchNorm1d bn{16};
  nn::Dropout drop{0.1};  // p = drop probability (the lecture's keep probability is 0.9)

  Net() {
    register_module("fc1", fc1);
    register_module("bn", bn);
    register_module("fc2", fc2);
    register_module("drop", drop);
    register_module("fc3", fc3);
    for (auto* layer : {&fc1, &fc2}) nn::init::kaiming_normal_((*layer)->weight, 0, nn::init::FanMode::FanIn, "relu");
  }
  xg::Tensor forward(const xg::Tensor& x) override {
    xg::Tensor h = xg::relu(bn(fc1(x)));
    h = drop(xg::relu(fc2(h)));
    return fc3(h);  // logits
  }
  std::string type_name() const override { return "Net"; }
};

int main() {
  xg::manual_seed(0);
  // Two interleaved half-moons-like classes: label = 1 when x1 > sin(3 x0).
  const xg::Tensor x = xg::rand({512, 2}) * 2.0 - 1.0;
  const xg::Tensor y = xg::gt(xg::narrow(x, 1, 1, 1), xg::sin(xg::narrow(x, 1, 0, 1) * 3.0)).reshape({-1}).to(xg::kInt64);

  Net net;
  std::printf("%s\n%s", nn::to_string(net).c_str(), nn::summary(net).c_str());
  const double lr = 0.1, lambda = 1e-3;
  const double m = static_cast<double>(x.size(0));
  for (int epoch = 0; epoch <= 300; ++epoch) {
    net.train();
    // J(θ) = (1/m) Σ L + (λ/2m) Σ ‖W‖²
    const xg::Tensor J = nn::functional::cross_entropy(net(x), y) + nn::l2_penalty(net, lambda, m);
    net.zero_grad();
    J.backward();
    {
      xg::NoGradGuard no_grad;
      for (auto& p : net.parameters()) p.sub_(p.grad(), lr);
    }
    if (epoch % 50 == 0) {
      net.eval();
      xg::NoGradGuard no_grad;
      const double acc = xg::mean(xg::eq(xg::argmax(net(x), 1), y).to(xg::kFloat32)).item<double>();
      std::printf("epoch %3d  J %.4f  train accuracy %.3f\n", epoch, J.item<double>(), acc);
    }
  }
}
