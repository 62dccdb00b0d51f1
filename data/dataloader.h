#pragma once
// DataLoader: batches of a dataset, in order or freshly shuffled each epoch from a seeded
// generator.
//
//   xg::data::DataLoader loader(train, /*batch_size=*/64, /*shuffle=*/true, /*drop_last=*/false,
//                               xg::Generator(42));
//   for (int epoch = 0; epoch < 10; ++epoch)
//     for (auto [x, y] : loader) { ... }          // each range-for is one epoch
//
// batch_size = m is full-batch gradient descent, 1 is stochastic, anything between mini-batch.
// With m examples and batch size B an epoch has ⌊m/B⌋ batches, plus one smaller last batch when
// B does not divide m and drop_last is false (the lecture's ⌊m/B⌋ + 1).
#include <concepts>
#include <cstdint>
#include <iterator>
#include <memory>
#include <vector>

#include "data/dataset.h"
#include "data/sampler.h"
#include "tensor/random.h"

namespace xg::data {

class DataLoader {
 public:
  // Without a generator the loader's own stream is seeded from the global generator
  // (xg::manual_seed), as PyTorch does. Throws ValueError for batch_size < 1, an empty dataset,
  // or drop_last with fewer examples than one batch.
  DataLoader(DatasetPtr dataset, std::int64_t batch_size, bool shuffle = false, bool drop_last = false);
  DataLoader(DatasetPtr dataset, std::int64_t batch_size, bool shuffle, bool drop_last, Generator generator);
  // Batches the sampler's indices of each epoch, in its order (e.g. a DistributedSampler).
  // ValueError for a null sampler or one with no indices.
  DataLoader(DatasetPtr dataset, std::int64_t batch_size, SamplerPtr sampler, bool drop_last = false);
  template <class D>
    requires std::derived_from<D, Dataset>
  DataLoader(const D& dataset, std::int64_t batch_size, SamplerPtr sampler, bool drop_last = false)
      : DataLoader(share(dataset), batch_size, std::move(sampler), drop_last) {}
  template <class D>
    requires std::derived_from<D, Dataset>
  DataLoader(const D& dataset, std::int64_t batch_size, bool shuffle = false, bool drop_last = false)
      : DataLoader(share(dataset), batch_size, shuffle, drop_last) {}
  template <class D>
    requires std::derived_from<D, Dataset>
  DataLoader(const D& dataset, std::int64_t batch_size, bool shuffle, bool drop_last, Generator generator)
      : DataLoader(share(dataset), batch_size, shuffle, drop_last, std::move(generator)) {}

  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    using pointer = const Batch*;
    using reference = Batch;

    Iterator() = default;
    Batch operator*() const;
    Iterator& operator++() {
      ++batch_;
      return *this;
    }
    bool operator==(const Iterator& other) const { return batch_ == other.batch_; }

   private:
    friend class DataLoader;
    Iterator(const DataLoader* loader, std::shared_ptr<const std::vector<std::int64_t>> order, std::int64_t batch)
        : loader_(loader), order_(std::move(order)), batch_(batch) {}
    const DataLoader* loader_ = nullptr;
    std::shared_ptr<const std::vector<std::int64_t>> order_;
    std::int64_t batch_ = 0;
  };

  // Starts an epoch: with shuffle, draws a new permutation from the loader's generator.
  Iterator begin();
  Iterator end() const { return Iterator(this, nullptr, num_batches()); }

  // The example order of the next epoch (draws from the generator like begin() does).
  std::vector<std::int64_t> next_epoch_order();

  std::int64_t num_batches() const;  // batches per epoch
  std::int64_t size() const { return num_batches(); }
  std::int64_t batch_size() const { return batch_size_; }
  bool shuffle() const { return shuffle_; }
  bool drop_last() const { return drop_last_; }
  std::int64_t epochs_started() const { return epochs_started_; }
  const Dataset& dataset() const { return *dataset_; }
  // The shuffling stream; save its get_state() in a checkpoint to resume the same order.
  Generator& generator() { return generator_; }
  const Generator& generator() const { return generator_; }

 private:
  Batch batch_at(const std::vector<std::int64_t>& order, std::int64_t b) const;

  DatasetPtr dataset_;
  std::int64_t batch_size_;
  bool shuffle_;
  bool drop_last_;
  Generator generator_;
  SamplerPtr sampler_;
  std::int64_t epochs_started_ = 0;
};

}  // namespace xg::data
