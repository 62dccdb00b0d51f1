#pragma once
// Fashion-MNIST's training images for the lecture's experiments (a synthetic stand-in from
// shared/synthetic_data.h when Debian's files are missing, and the output says so): a seeded
// random train/dev subset, or the whole pool to take per-class subsets from.
#include <cstdint>
#include <string>
#include <vector>

#include <xgrad.h>

namespace xg::experiments {

struct TrainDev {
  data::TensorDataset train, dev;  // float32 [m, 784] standardized with train's scalar μ, σ; int64 labels
  bool synthetic = false;          // true when the Fashion-MNIST files were missing
  std::string source;              // what the data is, for the printed conclusion
};

// n_train + n_dev images drawn (without overlap, seeded) from the 60000 training images, or from
// as many subspace_blobs (same seed) if the files are missing.
TrainDev fashion_mnist_train_dev(std::int64_t n_train, std::int64_t n_dev, std::uint64_t seed);

struct ImagePool {
  Tensor x;                // float32 [m, 784]
  Tensor y;                // int64 [m], labels 0..9
  bool synthetic = false;  // true when the Fashion-MNIST files were missing
  std::string source;      // what the data is, for the printed conclusion
};

// The 60000 training images standardized with FashionMNIST::kMean and kStd, or, if the files are
// missing, 60000 shared_basis_classes (features learned on some classes help on the others).
ImagePool fashion_mnist_pool();

// Up to `per_class` examples of each class in `classes`, taken in a seeded random order and
// skipping the indices in `exclude`; labels are remapped to their position in `classes`.
// `taken` receives the pool indices used.
data::TensorDataset take_per_class(const ImagePool& pool, const std::vector<std::int64_t>& classes, std::int64_t per_class,
                                   std::uint64_t seed, const std::vector<std::int64_t>& exclude = {},
                                   std::vector<std::int64_t>* taken = nullptr);

}  // namespace xg::experiments
