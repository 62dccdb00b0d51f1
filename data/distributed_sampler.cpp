#include "data/distributed_sampler.h"

#include <fmt/format.h>

#include <numeric>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace xg::data {

DistributedSampler::DistributedSampler(std::int64_t dataset_size, std::int64_t num_replicas, std::int64_t rank, bool shuffle,
                                       std::uint64_t seed, bool drop_last)
    : dataset_size_(dataset_size), num_replicas_(num_replicas), rank_(rank), shuffle_(shuffle), seed_(seed),
      drop_last_(drop_last) {
  if (num_replicas < 1) throw ValueError(fmt::format("DistributedSampler: num_replicas must be at least 1, got {}", num_replicas));
  if (rank < 0 || rank >= num_replicas)
    throw ValueError(fmt::format("DistributedSampler: rank {} is not in [0, {}] (num_replicas {})", rank, num_replicas - 1,
                                 num_replicas));
  if (dataset_size < 0) throw ValueError(fmt::format("DistributedSampler: dataset_size must be >= 0, got {}", dataset_size));
  const bool even = dataset_size % num_replicas == 0;
  num_samples_ = dataset_size / num_replicas + ((drop_last || even) ? 0 : 1);
}

std::vector<std::int64_t> DistributedSampler::indices() const {
  const std::int64_t m = dataset_size_;
  std::vector<std::int64_t> order(static_cast<std::size_t>(m));
  if (shuffle_ && m > 0) {
    Generator g(seed_ + static_cast<std::uint64_t>(epoch_));
    order = randperm(m, &g).to_vector<std::int64_t>();
  } else {
    std::iota(order.begin(), order.end(), std::int64_t{0});
  }
  const std::int64_t total = total_size();
  std::vector<std::int64_t> mine;
  mine.reserve(static_cast<std::size_t>(num_samples_));
  // Position k of the padded permutation is order[k mod m] (padding repeats it from the start).
  for (std::int64_t k = rank_; k < total; k += num_replicas_) mine.push_back(order[static_cast<std::size_t>(k % m)]);
  return mine;
}

}  // namespace xg::data
