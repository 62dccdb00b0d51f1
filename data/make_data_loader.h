#pragma once
// torch::data's loader spelling over xgrad's seeded DataLoader (data/dataloader.h):
//
//   auto loader = xg::data::make_data_loader<xg::data::samplers::SequentialSampler>(
//       std::move(dataset), xg::data::DataLoaderOptions().batch_size(64).workers(2));
//   for (auto& batch : *loader) { batch.data; batch.target; }   // each range-for is one epoch
//
// A dataset that ends in .map(transforms::Stack<>()) gives stacked batches (batch.data,
// batch.target); without Stack a batch is a std::vector of the dataset's examples, as LibTorch's
// (workers then compute nothing ahead). RandomSampler
// (the default) shuffles each epoch from the loader's generator, seeded from xg::manual_seed's
// global generator; loader->loader().generator() is the state to save for resuming. With
// workers(n) > 0, n batches ahead are computed on threads while the current one is used; the
// batches and their order are the same as without workers.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <future>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "data/dataloader.h"
#include "data/datasets.h"
#include "optim/option_list.h"

namespace xg::data {

#define XG_DATA_LOADER_OPTIONS(option) \
  option(std::size_t, batch_size, 1)   \
  option(std::size_t, workers, 0)      \
  option(bool, drop_last, false)
struct DataLoaderOptions {
  DataLoaderOptions() = default;
  DataLoaderOptions(std::size_t batch_size) : batch_size_(batch_size) {}  // NOLINT: implicit, as LibTorch
  XG_OPTIONS(DataLoaderOptions, XG_DATA_LOADER_OPTIONS)
};

namespace samplers {
struct SequentialSampler {
  static constexpr bool kShuffle = false;
};
struct RandomSampler {
  static constexpr bool kShuffle = true;
};
}  // namespace samplers

namespace detail {
// A torch-style dataset (get_batch returning a stacked Example<>) as an xg::data::Dataset.
template <class D>
class TorchStyleDataset : public Dataset {
 public:
  explicit TorchStyleDataset(D dataset) : dataset_(std::make_shared<D>(std::move(dataset))) {}
  std::int64_t size() const override {
    const std::optional<std::size_t> n = dataset_->size();
    if (!n) throw ValueError("make_data_loader: the dataset's size() is unknown (nullopt)");
    if (*n > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max()))
      throw ValueError("make_data_loader: the dataset's size() is too large");
    return static_cast<std::int64_t>(*n);
  }
  Example<> get(std::int64_t i) const override { return get_batch({i}); }
  Batch get_batch(const std::vector<std::int64_t>& indices) const override {
    std::vector<std::size_t> idx(indices.begin(), indices.end());  // the DataLoader's, all in [0, size)
    return dataset_->get_batch(idx);
  }

 private:
  std::shared_ptr<D> dataset_;  // get() is not const in LibTorch's datasets
};

// The example order without the examples: the seeded DataLoader shuffles and counts batches of
// a dataset whose examples are kept elsewhere (the loader over unstacked batches).
class OrderOnlyDataset : public Dataset {
 public:
  explicit OrderOnlyDataset(std::int64_t n) : n_(n) {}
  std::int64_t size() const override { return n_; }
  Example<> get(std::int64_t) const override { throw ValueError("make_data_loader: an order-only dataset has no examples"); }

 private:
  std::int64_t n_;
};

template <class D> std::int64_t checked_size(const D& dataset) {
  const std::optional<std::size_t> n = dataset.size();
  if (!n) throw ValueError("make_data_loader: the dataset's size() is unknown (nullopt)");
  if (*n > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max()))
    throw ValueError("make_data_loader: the dataset's size() is too large");
  return static_cast<std::int64_t>(*n);
}

inline std::int64_t checked_batch_size(const DataLoaderOptions& o) {
  if (o.batch_size() == 0 || o.batch_size() > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max()))
    throw ValueError("make_data_loader: batch_size must be at least 1, got " + std::to_string(o.batch_size()));
  if (o.workers() > 1024) throw ValueError("make_data_loader: workers must be at most 1024, got " + std::to_string(o.workers()));
  return static_cast<std::int64_t>(o.batch_size());
}
}  // namespace detail

// A loader over a dataset without Stack: each batch is D::BatchType, a std::vector of examples.
template <class D, class Sampler>
class UnstackedDataLoader {
 public:
  using BatchType = typename D::BatchType;
  UnstackedDataLoader(D dataset, DataLoaderOptions options)
      : options_(options),
        dataset_(std::make_shared<D>(std::move(dataset))),
        loader_(std::make_shared<detail::OrderOnlyDataset>(detail::checked_size(*dataset_)),
                detail::checked_batch_size(options), Sampler::kShuffle, options.drop_last()) {}

  class Iterator {
   public:
    Iterator() = default;
    BatchType& operator*() {
      if (!current_) {
        const std::int64_t first = batch_ * batch_size_;
        const std::int64_t last = std::min<std::int64_t>(first + batch_size_, static_cast<std::int64_t>(order_->size()));
        current_ = dataset_->get_batch(std::vector<std::size_t>(order_->begin() + first, order_->begin() + last));
      }
      return *current_;
    }
    BatchType* operator->() { return &**this; }
    Iterator& operator++() {
      ++batch_;
      current_.reset();
      return *this;
    }
    bool operator==(const Iterator& other) const { return batch_ == other.batch_; }

   private:
    friend class UnstackedDataLoader;
    Iterator(std::shared_ptr<D> dataset, std::shared_ptr<const std::vector<std::int64_t>> order, std::int64_t batch_size)
        : dataset_(std::move(dataset)), order_(std::move(order)), batch_size_(batch_size) {}
    explicit Iterator(std::int64_t end) : batch_(end) {}
    std::shared_ptr<D> dataset_;
    std::shared_ptr<const std::vector<std::int64_t>> order_;
    std::int64_t batch_ = 0, batch_size_ = 1;
    std::optional<BatchType> current_;
  };

  // Starts an epoch (a new permutation with RandomSampler).
  Iterator begin() {
    return Iterator(dataset_, std::make_shared<const std::vector<std::int64_t>>(loader_.next_epoch_order()), loader_.batch_size());
  }
  Iterator end() { return Iterator(loader_.num_batches()); }
  const DataLoaderOptions& options() const noexcept { return options_; }
  DataLoader& loader() noexcept { return loader_; }  // its generator is the order's state

 private:
  DataLoaderOptions options_;
  std::shared_ptr<D> dataset_;  // get() is not const in LibTorch's datasets
  DataLoader loader_;
};

template <class D, class Sampler>
class StatelessDataLoader {
 public:
  StatelessDataLoader(D dataset, DataLoaderOptions options)
      : options_(options),
        loader_(std::make_shared<detail::TorchStyleDataset<D>>(std::move(dataset)), detail::checked_batch_size(options),
                Sampler::kShuffle, options.drop_last()) {}

  class Iterator {
   public:
    Iterator() = default;
    Batch& operator*() {
      if (!current_) current_ = pending_.front().get();
      return *current_;
    }
    Batch* operator->() { return &**this; }
    Iterator& operator++() {
      if (!current_) pending_.front().get();  // a batch skipped unread still had to be computed
      pending_.pop_front();
      current_.reset();
      ++position_;
      schedule();
      return *this;
    }
    bool operator==(const Iterator& other) const { return position_ == other.position_; }

   private:
    friend class StatelessDataLoader;
    Iterator(DataLoader::Iterator first, std::int64_t end, std::size_t workers)
        : next_(first), end_(end), ahead_(workers + 1), threaded_(workers > 0) {
      schedule();
    }
    explicit Iterator(std::int64_t end) : position_(end), end_(end) {}
    // Keeps the current batch and `workers` more pending (without workers, the current one is
    // computed when first used).
    void schedule() {
      while (scheduled_ < end_ && pending_.size() < ahead_) {
        DataLoader::Iterator at = next_;
        pending_.push_back(std::async(threaded_ ? std::launch::async : std::launch::deferred, [at] { return *at; }));
        ++next_;
        ++scheduled_;
      }
    }
    DataLoader::Iterator next_;
    std::int64_t position_ = 0, scheduled_ = 0, end_ = 0;
    std::size_t ahead_ = 1;
    bool threaded_ = false;
    std::deque<std::future<Batch>> pending_;
    std::optional<Batch> current_;
  };

  // Starts an epoch (a new permutation with RandomSampler).
  Iterator begin() {
    Iterator it(loader_.begin(), loader_.num_batches(), options_.workers());
    return it;
  }
  Iterator end() { return Iterator(loader_.num_batches()); }
  const DataLoaderOptions& options() const noexcept { return options_; }
  DataLoader& loader() noexcept { return loader_; }  // the seeded DataLoader underneath

 private:
  DataLoaderOptions options_;
  DataLoader loader_;
};

// Stacked batches (a dataset ending in Stack<>) or vectors of examples.
template <class D, class Sampler>
using LoaderFor = std::conditional_t<std::is_same_v<typename D::BatchType, Example<>>, StatelessDataLoader<D, Sampler>,
                                     UnstackedDataLoader<D, Sampler>>;

template <class Sampler = samplers::RandomSampler, class D>
std::unique_ptr<LoaderFor<D, Sampler>> make_data_loader(D dataset, DataLoaderOptions options = {}) {
  return std::make_unique<LoaderFor<D, Sampler>>(std::move(dataset), options);
}
template <class Sampler = samplers::RandomSampler, class D>
std::unique_ptr<LoaderFor<D, Sampler>> make_data_loader(D dataset, std::size_t batch_size) {
  return make_data_loader<Sampler>(std::move(dataset), DataLoaderOptions(batch_size));
}

}  // namespace xg::data
