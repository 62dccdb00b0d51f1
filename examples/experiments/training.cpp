#include "training.h"

#include <chrono>

#include "shared/mlp.h"

namespace xg::experiments {

std::shared_ptr<nn::SequentialImpl> he_relu_mlp(const std::vector<std::int64_t>& widths) {
  auto net = examples::make_mlp({.widths = widths});
  auto layers = examples::linear_layers(*net);
  layers.pop_back();  // the output layer
  for (nn::LinearImpl* l : layers) {
    nn::init::kaiming_normal_(l->weight, 0, nn::init::FanMode::FanIn, "relu");
    nn::init::zeros_(l->bias);
  }
  return net;
}

double train_epoch(nn::Module& net, optim::Optimizer& opt, data::DataLoader& loader) {
  net.train();
  double total = 0;
  std::int64_t n = 0;
  for (auto [x, y] : loader) {
    opt.zero_grad();
    const Tensor loss = nn::functional::cross_entropy(net(x), y);
    loss.backward();
    opt.step();
    total += loss.item<double>() * static_cast<double>(x.size(0));
    n += x.size(0);
  }
  return total / static_cast<double>(n);
}

Eval evaluate(nn::Module& net, const data::TensorDataset& ds) {
  const bool was_training = net.is_training();
  net.eval();
  Eval e;
  {
    NoGradGuard no_grad;
    const Tensor logits = net(ds.features());
    e.loss = nn::functional::cross_entropy(logits, ds.targets()).item<double>();
    e.accuracy = mean(eq(argmax(logits, 1), ds.targets()).to(kFloat32)).item<double>();
  }
  net.train(was_training);
  return e;
}

Stopwatch::Stopwatch()
    : start_ns_(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count()) {}

double Stopwatch::seconds() const {
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  return static_cast<double>(now - start_ns_) * 1e-9;
}

}  // namespace xg::experiments
