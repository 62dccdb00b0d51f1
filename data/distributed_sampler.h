#pragma once
// DistributedSampler: each of num_replicas ranks visits its own part of the dataset, as
// PyTorch's torch.utils.data.DistributedSampler.
//
//   auto sampler = std::make_shared<xg::data::DistributedSampler>(train.size(), world_size, rank,
//                                                                 /*shuffle=*/true, /*seed=*/0);
//   xg::data::DataLoader loader(train, 64, sampler);   // 64 examples per rank and step
//   for (int epoch = 0; epoch < E; ++epoch) {
//     sampler->set_epoch(epoch);                       // a new order, the same on every rank
//     for (auto [x, y] : loader) { ... }
//   }
//
// Every rank draws the same permutation (seed + epoch) and takes every num_replicas-th index from
// position rank on. Unless drop_last, the permutation is padded with its own first indices up to
// a multiple of num_replicas, so every rank has ceil(m / num_replicas) examples (a few repeated);
// with drop_last the tail is dropped and each rank has floor(m / num_replicas).
#include <cstdint>
#include <vector>

#include "data/dataset.h"
#include "data/sampler.h"

namespace xg::data {

class DistributedSampler : public Sampler {
 public:
  // ValueError for num_replicas < 1, or rank outside [0, num_replicas), or dataset_size < 0.
  DistributedSampler(std::int64_t dataset_size, std::int64_t num_replicas, std::int64_t rank, bool shuffle = true,
                     std::uint64_t seed = 0, bool drop_last = false);
  DistributedSampler(const Dataset& dataset, std::int64_t num_replicas, std::int64_t rank, bool shuffle = true,
                     std::uint64_t seed = 0, bool drop_last = false)
      : DistributedSampler(dataset.size(), num_replicas, rank, shuffle, seed, drop_last) {}

  std::vector<std::int64_t> indices() const override;
  std::int64_t size() const override { return num_samples_; }
  // The shuffle of epoch e is drawn from seed + e; call it before each epoch.
  void set_epoch(std::int64_t epoch) { epoch_ = epoch; }
  std::int64_t epoch() const { return epoch_; }
  std::int64_t num_replicas() const { return num_replicas_; }
  std::int64_t rank() const { return rank_; }
  std::int64_t total_size() const { return num_samples_ * num_replicas_; }

 private:
  std::int64_t dataset_size_, num_replicas_, rank_;
  bool shuffle_;
  std::uint64_t seed_;
  bool drop_last_;
  std::int64_t epoch_ = 0;
  std::int64_t num_samples_ = 0;
};

}  // namespace xg::data
