// pytorch/examples cpp/regression, written again: fit a degree-4 polynomial with one Linear layer
// and SGD on random batches until the loss is below 1e-3, then check the learned coefficients.
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
  auto x = make_features(torch::randn({batch_size}));
  return {x, f(x, w_target, b_target)};
}
}  // namespace

int main() {
  torch::manual_seed(0);
  auto w_target = torch::randn({kDegree, 1}) * 5;
  auto b_target = torch::randn({1}) * 5;

  auto fc = torch::nn::Linear(w_target.size(0), 1);
  torch::optim::SGD optim(fc->parameters(), .1);

  double loss = 0;
  int64_t batch_idx = 0;
  while (++batch_idx <= 20000) {
    auto [batch_x, batch_y] = get_batch(w_target, b_target);
    optim.zero_grad();
    auto output = torch::smooth_l1_loss(fc(batch_x), batch_y);
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
  // The learned function is the target one: the example prints both; check the coefficients.
  const auto w = fc->weight.view({-1}), wt = w_target.view({-1});
  std::cout << "Learned function: y = " << w << " + " << fc->bias.item<double>() << "\n";
  std::cout << "Actual function:  y = " << wt << " + " << b_target.item<double>() << "\n";
  const double w_err = (w - wt).abs().max().item<double>();
  const double b_err = std::abs(fc->bias.item<double>() - b_target.item<double>());
  std::cout << "largest coefficient error " << w_err << ", bias error " << b_err << "\n";
  if (!(w_err < 0.05 && b_err < 0.05)) {
    std::printf("FAILED: the learned coefficients are off by %g (bias %g)\n", w_err, b_err);
    return 1;
  }
  std::printf("port_regression: passed\n");
  return 0;
}
