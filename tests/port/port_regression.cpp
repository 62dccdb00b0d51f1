// pytorch/examples cpp/regression, written again: fit a degree-4 polynomial with one Linear layer
// and SGD on random batches until the loss is below 1e-3, then check the learned coefficients.
// (The example's smooth_l1_loss is mse_loss here, xgrad has no smooth_l1_loss yet; with the squared
// loss, inputs are drawn from U(-1, 1) instead of N(0, 1) so that x^4 stays small.)
#include <xgrad/torch.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <vector>

namespace {
constexpr int64_t kDegree = 4;

// The columns [x, x^2, x^3, x^4] of a column of inputs.
torch::Tensor make_features(torch::Tensor x) {
  x = x.unsqueeze(1);
  std::vector<torch::Tensor> xs;
  for (int64_t i = 0; i < kDegree; ++i) xs.push_back(x.pow(static_cast<double>(i + 1)));
  return torch::cat(xs, 1);
}

torch::Tensor f(torch::Tensor x, torch::Tensor w_target, torch::Tensor b_target) {
  return torch::mm(x, w_target) + b_target.item<double>();
}

std::pair<torch::Tensor, torch::Tensor> get_batch(torch::Tensor w_target, torch::Tensor b_target, int64_t batch_size = 32) {
  auto x = make_features(torch::rand({batch_size}) * 2.0 - 1.0);
  return {x, f(x, w_target, b_target)};
}
}  // namespace

int main() {
  torch::manual_seed(0);
  auto w_target = torch::randn({kDegree, 1}) * 0.5;
  auto b_target = torch::randn({1}) * 0.5;

  auto fc = torch::nn::Linear(w_target.size(0), 1);
  torch::optim::SGD optim(fc->parameters(), .1);

  double loss = 0;
  int64_t batch_idx = 0;
  while (++batch_idx <= 20000) {
    auto [batch_x, batch_y] = get_batch(w_target, b_target);
    optim.zero_grad();
    auto output = torch::nn::functional::mse_loss(fc(batch_x), batch_y);
    loss = output.item<double>();
    output.backward();
    optim.step();
    if (loss < 1e-3) break;
  }
  std::cout << "Loss: " << loss << " after " << batch_idx << " batches\n";
  if (!(loss < 1e-3)) {
    std::printf("FAILED: the loss did not fall below 1e-3\n");
    return 1;
  }
  // The learned function is the target one, on fresh inputs.
  torch::NoGradGuard no_grad;
  auto [test_x, test_y] = get_batch(w_target, b_target, 1000);
  const double test_loss = torch::nn::functional::mse_loss(fc(test_x), test_y).item<double>();
  std::cout << "fresh inputs: loss " << test_loss << "\n";
  if (!(test_loss < 3e-3)) {
    std::printf("FAILED: on 1000 fresh inputs the loss is %g\n", test_loss);
    return 1;
  }
  std::printf("port_regression: passed\n");
  return 0;
}
