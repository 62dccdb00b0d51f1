#include "experiments_a_util.h"

#include <chrono>
#include <cmath>

namespace xg::experiments::util_a {

namespace {

// Ten Gaussian classes in 784 dimensions whose means differ in a random 20-dim subspace, so the
// problem is learnable but not trivial (used only when Fashion-MNIST is not installed).
std::pair<Tensor, Tensor> synthetic(std::int64_t m, std::uint64_t seed) {
  Generator g(seed);
  const std::int64_t d = 784, k = 10, r = 20;
  const Tensor basis = randn({r, d}, kFloat32, &g) * (1.0 / std::sqrt(static_cast<double>(r)));
  const Tensor centers = mm(randn({k, r}, kFloat32, &g) * 1.2, basis);  // [k, d]
  const Tensor labels = randint(0, k, {m}, &g);
  const Tensor x = index_select(centers, 0, labels) + randn({m, d}, kFloat32, &g);
  return {x, labels};
}

}  // namespace

SmallData small_fashion_mnist(std::int64_t n_train, std::int64_t n_dev, std::uint64_t seed) {
  Generator g(seed);
  std::shared_ptr<const data::Dataset> full;
  SmallData out{data::TensorDataset(zeros({1, 1}), zeros({1}, kInt64)), data::TensorDataset(zeros({1, 1}), zeros({1}, kInt64)), false, {}};
  try {
    data::FashionMNISTOptions opts;
    opts.flatten = true;
    full = std::make_shared<data::FashionMNIST>(data::FashionMNIST::default_root(), data::Split::Train, opts);
    out.source = "Fashion-MNIST";
  } catch (const IOError&) {
    auto [x, y] = synthetic(n_train + n_dev, seed);
    full = std::make_shared<data::TensorDataset>(x, y);
    out.synthetic = true;
    out.source = "SYNTHETIC 10-class Gaussian data (Fashion-MNIST files missing)";
  }
  const auto m = full->size();
  const auto parts = data::random_split(full, {static_cast<double>(n_train), static_cast<double>(n_dev),
                                               static_cast<double>(m - n_train - n_dev)}, g);
  const auto norm = data::Standardizer::fit(parts[0], /*per_feature=*/false);
  out.train = norm.apply(parts[0]);
  out.dev = norm.apply(parts[1]);
  out.source += " (" + std::to_string(n_train) + " train / " + std::to_string(n_dev) + " dev images)";
  return out;
}

std::shared_ptr<nn::Sequential> make_mlp(const MlpSpec& spec) {
  auto net = std::make_shared<nn::Sequential>();
  const std::size_t n = spec.sizes.size();
  for (std::size_t i = 0; i + 1 < n; ++i) {
    net->emplace_back<nn::Linear>(spec.sizes[i], spec.sizes[i + 1]);
    if (i + 2 == n) break;  // output layer: logits
    if (spec.batch_norm) net->emplace_back<nn::BatchNorm1d>(spec.sizes[i + 1]);
    if (spec.activation == "tanh") net->emplace_back<nn::Tanh>();
    else if (spec.activation == "sigmoid") net->emplace_back<nn::Sigmoid>();
    else if (spec.activation == "relu") net->emplace_back<nn::ReLU>();
    else throw ValueError("make_mlp: unknown activation '" + spec.activation + "'");
    if (spec.dropout_p > 0) net->emplace_back<nn::Dropout>(spec.dropout_p);
  }
  return net;
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

}  // namespace xg::experiments::util_a
