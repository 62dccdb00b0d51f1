#pragma once
// Helpers shared by the optimizers (6) and transfer (7) experiments: Fashion-MNIST subsets by
// class (with a synthetic stand-in when Debian's files are missing), a 3-layer MLP, one epoch of
// mini-batch training and dev evaluation.
#include <cstdint>
#include <string>
#include <vector>

#include <xgrad.h>

namespace xg::experiments::fmnist_b {

struct Pool {
  Tensor x;                // float32 [m, 784], standardized with the training pixels' mean/std
  Tensor y;                // int64 [m], labels 0..9
  bool synthetic = false;  // true when /usr/share/datasets/fashion-mnist was missing
  std::string source;      // what was loaded (for the printed note)
};

// The 60000 training images of Fashion-MNIST (scalar standardization), or, if the files are
// missing, 60000 synthetic 784-dim examples of 10 classes built on a shared low-rank basis
// (so features learned on some classes help on the others).
Pool load_train_pool();

// Up to `per_class` examples of each class in `classes`, taken in a seeded random order and
// skipping the indices in `exclude`; labels are remapped to their position in `classes`.
// `taken` receives the pool indices used.
data::TensorDataset take(const Pool& pool, const std::vector<std::int64_t>& classes, std::int64_t per_class,
                         std::uint64_t seed, const std::vector<std::int64_t>& exclude = {},
                         std::vector<std::int64_t>* taken = nullptr);

// in -> h1 -> h2 -> out, ReLU, He-initialized hidden layers.
struct Mlp : nn::Module {
  nn::Linear fc1, fc2, fc3;
  Mlp(std::int64_t in, std::int64_t h1, std::int64_t h2, std::int64_t out);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Mlp"; }
};

// One epoch of mini-batch training with cross-entropy; returns the mean training loss (NaN or
// inf once the run has diverged).
double train_epoch(nn::Module& net, optim::Optimizer& opt, data::DataLoader& loader);

struct Eval {
  double loss = 0, accuracy = 0;
};
Eval evaluate(nn::Module& net, const data::TensorDataset& ds);

}  // namespace xg::experiments::fmnist_b
