#pragma once
// Train/dev/test splits and k-fold cross-validation, reproducible from a generator's seed.
//
//   xg::Generator g(42);
//   auto parts = xg::data::random_split(full, {0.8, 0.1, 0.1}, g);   // train, dev, test
//   auto folds = xg::data::k_fold(parts[0], 5, g);                  // cross-validation
//   for (auto& [train, val] : folds) { ... }
#include <concepts>
#include <cstdint>
#include <vector>

#include "data/dataset.h"
#include "tensor/random.h"

namespace xg::data {

// Splits a random permutation of the dataset into disjoint Subsets that together cover it.
// `lengths` are either fractions summing to 1 (each floor(f·m), the remainder handed out one by
// one from the first split on, as torch.utils.data.random_split) or counts summing to m.
// ValueError for negative lengths, fractions that do not sum to 1, counts that do not sum to m.
std::vector<Subset> random_split(DatasetPtr dataset, const std::vector<double>& lengths,
                                 Generator& generator = default_generator());
template <class D>
  requires std::derived_from<D, Dataset>
std::vector<Subset> random_split(const D& dataset, const std::vector<double>& lengths,
                                 Generator& generator = default_generator()) {
  return random_split(share(dataset), lengths, generator);
}

// The split sizes random_split uses for m examples (exposed for tests and reports).
std::vector<std::int64_t> split_sizes(std::int64_t m, const std::vector<double>& lengths);

// One cross-validation round: train on `train`, evaluate on `validation`.
struct Fold {
  Subset train;
  Subset validation;
};

// k folds of a shuffled permutation: the validation sets are disjoint, cover the dataset, and
// differ in size by at most one (the first m mod k folds get the extra example); each train set
// is the rest. ValueError unless 2 <= k <= m.
std::vector<Fold> k_fold(DatasetPtr dataset, std::int64_t k, Generator& generator = default_generator());
template <class D>
  requires std::derived_from<D, Dataset>
std::vector<Fold> k_fold(const D& dataset, std::int64_t k, Generator& generator = default_generator()) {
  return k_fold(share(dataset), k, generator);
}

}  // namespace xg::data
