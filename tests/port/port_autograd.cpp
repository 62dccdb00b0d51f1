// Autograd the way the LibTorch autograd tutorial walks through it (pytorch/examples cpp/autograd):
// basic operations, vector-Jacobian products, no-grad, detach, a gradient penalty with
// autograd::grad, and custom Functions. Our own program in that style; it checks every result
// itself (against values derived by hand in the comments) and returns 1 on a mismatch.
#include <cmath>
#include <iostream>

#include <xgrad/torch.h>

using namespace torch::autograd;

namespace {
int failures = 0;

void expect(bool ok, const char* what) {
  if (!ok) {
    ++failures;
    std::cerr << "FAILED: " << what << "\n";
  }
}

// |a - b| <= tol * (1 + |b|) elementwise, same shape.
bool near(const torch::Tensor& a, const torch::Tensor& b, double tol = 1e-5) {
  return a.sizes() == b.sizes() && torch::allclose(a.to(torch::kDouble), b.to(torch::kDouble), tol, tol);
}

void basic_operations() {
  std::cout << "== basic autograd operations ==\n";
  auto x = torch::ones({2, 2}, torch::requires_grad());
  auto y = x + 2;
  std::cout << y.grad_fn()->name() << "\n";
  expect(y.grad_fn()->name() == "AddBackward0", "y.grad_fn()->name() is AddBackward0");
  auto z = y * y * 3;
  auto out = z.mean();
  std::cout << z << "\n" << z.grad_fn()->name() << "\n" << out << "\n" << out.grad_fn()->name() << "\n";
  expect(z.grad_fn()->name() == "MulBackward0" && out.grad_fn()->name() == "MeanBackward0", "z and out grad_fn names");

  auto a = torch::randn({2, 2});
  a = ((a * 3) / (a - 1));
  expect(!a.requires_grad(), "a made from plain tensors does not require grad");
  a.requires_grad_(true);
  expect(a.requires_grad(), "requires_grad_(true)");
  auto b = (a * a).sum();
  expect(b.grad_fn()->name() == "SumBackward0", "b.grad_fn()->name() is SumBackward0");

  out.backward();
  // out = mean(3 (x + 2)^2), d/dx = 6 (x + 2) / 4 = 4.5 at x = 1
  std::cout << x.grad() << "\n";
  expect(near(x.grad(), torch::full({2, 2}, 4.5)), "d(out)/dx = 4.5");
  expect(out.item().toFloat() == 27.0f, "out = 27");

  // A vector-Jacobian product: y = x * 2^k, so x.grad() = v * 2^k.
  torch::manual_seed(7);
  x = torch::randn(3, torch::requires_grad());
  y = x * 2;
  int doublings = 1;
  while (y.norm().item<double>() < 1000) {
    y = y * 2;
    ++doublings;
  }
  auto v = torch::tensor({0.1, 1.0, 0.0001}, torch::kFloat);
  y.backward(v);
  std::cout << x.grad() << "\n";
  expect(near(x.grad(), v * std::pow(2.0, doublings)), "vector-Jacobian product");
  expect(near(y / x, torch::full(3, std::pow(2.0, doublings))), "y = x * 2^k");

  expect(x.requires_grad(), "x requires grad");
  expect(x.pow(2).requires_grad(), "x.pow(2) requires grad");
  {
    torch::NoGradGuard no_grad;
    expect(!x.pow(2).requires_grad(), "no grad under NoGradGuard");
  }
  y = x.detach();
  expect(!y.requires_grad(), "detach() does not require grad");
  expect(x.eq(y).all().item<bool>(), "x.eq(x.detach()).all()");
  expect(x.eq(y).dtype() == torch::kBool, "eq gives a bool mask");
}

void higher_order_gradients() {
  std::cout << "== higher-order gradients ==\n";
  torch::manual_seed(11);
  auto model = torch::nn::Linear(4, 3);
  auto input = torch::randn({3, 4}).requires_grad_(true);
  auto output = model(input);
  auto target = torch::randn({3, 3});
  auto loss = torch::nn::MSELoss()(output, target);

  auto grad_output = torch::ones_like(output);
  // As in the tutorial, the fourth argument of grad is retain_graph (create_graph is the fifth).
  auto gradient = torch::autograd::grad({output}, {input}, /*grad_outputs=*/{grad_output}, /*retain_graph=*/true)[0];
  auto gradient_penalty = torch::pow((gradient.norm(2, /*dim=*/1) - 1), 2).mean();

  // Row j of the weight is the gradient of output[:, j].sum() with respect to any input row, so
  // d(loss)/d(input) = 2 (output - target) W / 9 (the penalty is a constant here).
  auto expected = torch::zeros({3, 4});
  for (int64_t j = 0; j < 3; ++j) {
    auto w_row = torch::autograd::grad({output.index({torch::indexing::Slice(), j}).sum()}, {input}, {}, true)[0];
    expected += w_row * (output.detach() - target).index({torch::indexing::Slice(), j}).unsqueeze(1) * (2.0 / 9.0);
  }
  expect(near(gradient, torch::autograd::grad({output.sum()}, {input}, {}, true)[0]),
         "grad with grad_outputs = ones equals grad of the sum");

  auto combined_loss = loss + gradient_penalty;
  combined_loss.backward();
  std::cout << input.grad() << "\n";
  expect(!gradient.requires_grad(), "without create_graph the gradient is a constant");
  expect(near(input.grad(), expected, 1e-4), "input.grad() = 2 (output - target) W / 9");
}

// y = x w^T + b, with the three gradients by hand.
class LinearFunction : public Function<LinearFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor input, torch::Tensor weight,
                               torch::Tensor bias = torch::Tensor()) {
    ctx->save_for_backward({input, weight, bias});
    auto output = input.mm(weight.t());
    if (bias.defined()) output += bias.unsqueeze(0).expand_as(output);
    return output;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    auto input = saved[0];
    auto weight = saved[1];
    auto bias = saved[2];
    auto grad_output = grad_outputs[0];
    auto grad_bias = bias.defined() ? grad_output.sum(0) : torch::Tensor();
    return {grad_output.mm(weight), grad_output.t().mm(input), grad_bias};
  }
};

class MulConstant : public Function<MulConstant> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor tensor, double constant) {
    ctx->saved_data["constant"] = constant;
    return tensor * constant;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    return {grad_outputs[0] * ctx->saved_data["constant"].toDouble(), torch::Tensor()};
  }
};

void custom_functions() {
  std::cout << "== custom autograd functions ==\n";
  torch::manual_seed(5);
  {
    auto x = torch::randn({2, 3}).requires_grad_();
    auto weight = torch::randn({4, 3}).requires_grad_();
    auto bias = torch::randn(4).requires_grad_();
    auto y = LinearFunction::apply(x, weight, bias);
    expect(near(y, x.mm(weight.t()) + bias), "LinearFunction forward");
    y.sum().backward();
    std::cout << x.grad() << "\n" << weight.grad() << "\n";
    expect(near(x.grad(), torch::ones({2, 4}).mm(weight)), "LinearFunction d/dx");
    expect(near(weight.grad(), torch::ones({4, 2}).mm(x)), "LinearFunction d/dweight");
    expect(near(bias.grad(), torch::full(4, 2.0)), "LinearFunction d/dbias");
    auto no_bias = LinearFunction::apply(x, weight);
    expect(near(no_bias, x.mm(weight.t())), "LinearFunction without bias");
  }
  {
    auto x = torch::randn({2}).requires_grad_();
    auto y = MulConstant::apply(x, 5.5);
    y.sum().backward();
    std::cout << x.grad() << "\n";
    expect(near(x.grad(), torch::full(2, 5.5)), "MulConstant d/dx = 5.5");
  }
}
}  // namespace

int main() {
  std::cout << std::boolalpha;
  try {
    basic_operations();
    higher_order_gradients();
    custom_functions();
  } catch (const std::exception& e) {
    std::cerr << "FAILED with an exception: " << e.what() << "\n";
    return 1;
  }
  std::cout << (failures ? "port_autograd: FAILED\n" : "port_autograd: all checks passed\n");
  return failures ? 1 : 0;
}
