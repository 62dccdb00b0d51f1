#include "data/split.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace xg::data {

namespace {
std::vector<std::int64_t> permutation(std::int64_t m, Generator& g) {
  std::vector<std::int64_t> p(static_cast<std::size_t>(m));
  for (std::int64_t i = 0; i < m; ++i) p[static_cast<std::size_t>(i)] = i;
  for (std::int64_t i = m - 1; i > 0; --i)
    std::swap(p[static_cast<std::size_t>(i)], p[static_cast<std::size_t>(g.below(static_cast<std::uint64_t>(i + 1)))]);
  return p;
}
}  // namespace

std::vector<std::int64_t> split_sizes(std::int64_t m, const std::vector<double>& lengths) {
  if (lengths.empty()) throw ValueError("random_split: no lengths given");
  double total = 0;
  bool all_fractions = true;
  for (double f : lengths) {
    if (!std::isfinite(f) || f < 0)
      throw ValueError(fmt::format("random_split: lengths must be non-negative, got {}", fmt::join(lengths, ", ")));
    total += f;
    all_fractions = all_fractions && f <= 1;
  }
  std::vector<std::int64_t> sizes(lengths.size());
  if (all_fractions && std::abs(total - 1) < 1e-6) {
    std::int64_t used = 0;
    for (std::size_t i = 0; i < lengths.size(); ++i) {
      sizes[i] = static_cast<std::int64_t>(std::floor(lengths[i] * static_cast<double>(m)));
      used += sizes[i];
    }
    for (std::size_t i = 0; used < m; i = (i + 1) % sizes.size(), ++used) ++sizes[i];
    return sizes;
  }
  const bool whole = std::all_of(lengths.begin(), lengths.end(), [](double f) { return f == std::floor(f); });
  if (all_fractions && !whole)
    throw ValueError(fmt::format("random_split: fractions {} sum to {}, not 1", fmt::join(lengths, ", "), total));
  std::int64_t sum = 0;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    if (lengths[i] != std::floor(lengths[i]))
      throw ValueError(fmt::format(
          "random_split: lengths {} are neither fractions summing to 1 nor whole counts (length {} is {})",
          fmt::join(lengths, ", "), i, lengths[i]));
    // Counts are checked before they become int64, and summed without overflow.
    if (!(lengths[i] <= static_cast<double>(m)) || __builtin_add_overflow(sum, static_cast<std::int64_t>(lengths[i]), &sum))
      throw ValueError(fmt::format("random_split: length {} (index {}) of counts {} exceeds the dataset's {} examples",
                                   lengths[i], i, fmt::join(lengths, ", "), m));
    sizes[i] = static_cast<std::int64_t>(lengths[i]);
  }
  if (sum != m)
    throw ValueError(fmt::format("random_split: counts {} sum to {} but the dataset has {} examples (fractions must sum to 1)",
                                 fmt::join(lengths, ", "), sum, m));
  return sizes;
}

std::vector<Subset> random_split(DatasetPtr dataset, const std::vector<double>& lengths, Generator& generator) {
  if (!dataset) throw ValueError("random_split: the dataset is null");
  const std::int64_t m = dataset->size();
  const auto sizes = split_sizes(m, lengths);
  const auto perm = permutation(m, generator);
  std::vector<Subset> out;
  out.reserve(sizes.size());
  std::int64_t start = 0;
  for (std::int64_t n : sizes) {
    out.emplace_back(dataset, std::vector<std::int64_t>(perm.begin() + start, perm.begin() + start + n));
    start += n;
  }
  return out;
}

std::vector<Fold> k_fold(DatasetPtr dataset, std::int64_t k, Generator& generator) {
  if (!dataset) throw ValueError("k_fold: the dataset is null");
  const std::int64_t m = dataset->size();
  if (k < 2 || k > m)
    throw ValueError(fmt::format("k_fold: k must be between 2 and the number of examples ({}), got {}", m, k));
  const auto perm = permutation(m, generator);
  std::vector<Fold> folds;
  folds.reserve(static_cast<std::size_t>(k));
  std::int64_t start = 0;
  for (std::int64_t f = 0; f < k; ++f) {
    const std::int64_t n = m / k + (f < m % k ? 1 : 0);
    std::vector<std::int64_t> val(perm.begin() + start, perm.begin() + start + n);
    std::vector<std::int64_t> train(perm.begin(), perm.begin() + start);
    train.insert(train.end(), perm.begin() + start + n, perm.end());
    folds.push_back(Fold{Subset(dataset, std::move(train)), Subset(dataset, std::move(val))});
    start += n;
  }
  return folds;
}

}  // namespace xg::data
