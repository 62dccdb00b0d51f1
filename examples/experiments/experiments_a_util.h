#pragma once
// Helpers shared by the experiments bias_variance, regularization, batch_norm and batch_size:
// a small seeded Fashion-MNIST train/dev subset (with a synthetic fallback), an MLP builder and
// evaluation. Everything is in xg::experiments::util_a so it cannot collide with other helpers.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <xgrad.h>

namespace xg::experiments::util_a {

struct SmallData {
  data::TensorDataset train, dev;  // float32 [m, 784] standardized with train's scalar μ, σ; int64 labels
  bool synthetic = false;          // true when the Fashion-MNIST files were missing
  std::string source;              // what the data is, for the printed conclusion
};

// n_train + n_dev images drawn (without overlap, seeded) from Fashion-MNIST's 60000 training
// images; if the Debian files are missing, a synthetic 10-class problem of the same shape.
SmallData small_fashion_mnist(std::int64_t n_train, std::int64_t n_dev, std::uint64_t seed);

// Linear layers sizes[0] -> ... -> sizes.back(); after every hidden linear layer optionally
// BatchNorm1d, then the activation ("relu", "tanh", "sigmoid"), then optionally Dropout(p).
struct MlpSpec {
  std::vector<std::int64_t> sizes;
  std::string activation = "relu";
  bool batch_norm = false;
  double dropout_p = 0;  // drop probability (lecture's keep probability = 1 - p)
};
std::shared_ptr<nn::Sequential> make_mlp(const MlpSpec& spec);

struct Eval {
  double loss = 0, accuracy = 0;
};
// Cross-entropy and accuracy of `net` on the whole dataset, in eval mode without a graph; the
// module's training flag is restored afterwards.
Eval evaluate(nn::Module& net, const data::TensorDataset& ds);

// Wall-clock seconds since construction.
class Stopwatch {
 public:
  Stopwatch();
  double seconds() const;

 private:
  std::int64_t start_ns_;
};

}  // namespace xg::experiments::util_a
