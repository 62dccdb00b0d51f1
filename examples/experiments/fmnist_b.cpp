#include "fmnist_b.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace xg::experiments::fmnist_b {

Pool load_train_pool() {
  Pool p;
  try {
    data::FashionMNISTOptions opts;
    opts.flatten = true;
    opts.normalize = std::make_pair(data::FashionMNIST::kMean, data::FashionMNIST::kStd);
    data::FashionMNIST train(data::FashionMNIST::default_root(), data::Split::Train, opts);
    p.x = train.features();
    p.y = train.targets();
    p.source = "Fashion-MNIST training images (" + data::FashionMNIST::default_root() + ")";
    return p;
  } catch (const IOError&) {
  }
  // Synthetic stand-in: x = relu(B u_c + noise), B a shared 784x24 basis, u_c one code per class.
  Generator g(1234);
  const std::int64_t m = 60000, d = 784, r = 24;
  const Tensor basis = randn({d, r}, kFloat32, &g) / std::sqrt(static_cast<double>(r));
  const Tensor codes = randn({10, r}, kFloat32, &g) * 1.5;
  const Tensor y = randint(0, 10, {m}, &g);
  const Tensor z = index_select(codes, 0, y) + randn({m, r}, kFloat32, &g);
  Tensor x = relu(matmul(z, basis.t()) + 0.5 * randn({m, d}, kFloat32, &g));
  x = (x - xg::mean(x)) / xg::std(x);
  p.x = x;
  p.y = y;
  p.synthetic = true;
  p.source = "SYNTHETIC stand-in (Fashion-MNIST files missing; apt-get install dataset-fashion-mnist)";
  return p;
}

data::TensorDataset take(const Pool& pool, const std::vector<std::int64_t>& classes, std::int64_t per_class,
                         std::uint64_t seed, const std::vector<std::int64_t>& exclude,
                         std::vector<std::int64_t>* taken) {
  Generator g(seed);
  const auto labels = pool.y.to_vector<std::int64_t>();
  const auto order = randperm(static_cast<std::int64_t>(labels.size()), &g).to_vector<std::int64_t>();
  const std::unordered_set<std::int64_t> skip(exclude.begin(), exclude.end());
  std::vector<std::int64_t> count(classes.size(), 0), idx, new_label;
  for (std::int64_t i : order) {
    if (skip.count(i)) continue;
    const auto it = std::find(classes.begin(), classes.end(), labels[static_cast<std::size_t>(i)]);
    if (it == classes.end()) continue;
    const auto c = static_cast<std::size_t>(it - classes.begin());
    if (count[c] >= per_class) continue;
    ++count[c];
    idx.push_back(i);
    new_label.push_back(static_cast<std::int64_t>(c));
  }
  if (taken) *taken = idx;
  const auto n = static_cast<std::int64_t>(idx.size());
  return data::TensorDataset(index_select(pool.x, 0, from_vector(idx, {n})), from_vector(new_label, {n}));
}

Mlp::Mlp(std::int64_t in, std::int64_t h1, std::int64_t h2, std::int64_t out) : fc1(in, h1), fc2(h1, h2), fc3(h2, out) {
  register_module("fc1", fc1);
  register_module("fc2", fc2);
  register_module("fc3", fc3);
  for (auto* l : {&fc1, &fc2}) {
    nn::init::kaiming_normal_(l->weight, 0, nn::init::FanMode::FanIn, "relu");
    nn::init::zeros_(l->bias);
  }
}

Tensor Mlp::forward(const Tensor& x) { return fc3(relu(fc2(relu(fc1(x))))); }

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
  net.eval();
  NoGradGuard no_grad;
  const Tensor logits = net(ds.features());
  Eval e;
  e.loss = nn::functional::cross_entropy(logits, ds.targets()).item<double>();
  e.accuracy = mean(eq(argmax(logits, 1), ds.targets()).to(kFloat32)).item<double>();
  return e;
}

}  // namespace xg::experiments::fmnist_b
