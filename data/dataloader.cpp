#include "data/dataloader.h"

#include <algorithm>
#include <fmt/format.h>

namespace xg::data {

DataLoader::DataLoader(DatasetPtr dataset, std::int64_t batch_size, bool shuffle, bool drop_last)
    : DataLoader(std::move(dataset), batch_size, shuffle, drop_last, Generator(default_generator().next_u64())) {}

DataLoader::DataLoader(DatasetPtr dataset, std::int64_t batch_size, bool shuffle, bool drop_last, Generator generator)
    : dataset_(std::move(dataset)), batch_size_(batch_size), shuffle_(shuffle), drop_last_(drop_last),
      generator_(std::move(generator)) {
  if (!dataset_) throw ValueError("DataLoader: the dataset is null");
  if (batch_size_ < 1) throw ValueError(fmt::format("DataLoader: batch_size must be at least 1, got {}", batch_size_));
  const std::int64_t m = dataset_->size();
  if (m == 0) throw ValueError("DataLoader: the dataset is empty");
  if (drop_last_ && m < batch_size_)
    throw ValueError(fmt::format(
        "DataLoader: drop_last with batch_size {} and only {} examples would give no batch at all", batch_size_, m));
}

DataLoader::DataLoader(DatasetPtr dataset, std::int64_t batch_size, SamplerPtr sampler, bool drop_last)
    : DataLoader(std::move(dataset), batch_size, false, false, Generator(0)) {
  if (!sampler) throw ValueError("DataLoader: the sampler is null");
  const std::int64_t m = sampler->size();
  if (m == 0) throw ValueError("DataLoader: the sampler gives no indices");
  if (drop_last && m < batch_size_)
    throw ValueError(fmt::format(
        "DataLoader: drop_last with batch_size {} and only {} sampled examples would give no batch at all", batch_size_, m));
  sampler_ = std::move(sampler);
  drop_last_ = drop_last;
}

std::int64_t DataLoader::num_batches() const {
  const std::int64_t m = sampler_ ? sampler_->size() : dataset_->size();
  return m / batch_size_ + ((!drop_last_ && m % batch_size_ != 0) ? 1 : 0);
}

std::vector<std::int64_t> DataLoader::next_epoch_order() {
  if (sampler_) {
    std::vector<std::int64_t> order = sampler_->indices();
    const std::int64_t m = dataset_->size();
    for (std::int64_t i : order)
      if (i < 0 || i >= m)
        throw IndexError(fmt::format("DataLoader: the sampler gave index {} for a dataset of {} examples", i, m));
    ++epochs_started_;
    return order;
  }
  const std::int64_t m = dataset_->size();
  std::vector<std::int64_t> order(static_cast<std::size_t>(m));
  for (std::int64_t i = 0; i < m; ++i) order[static_cast<std::size_t>(i)] = i;
  if (shuffle_) {
    // Fisher-Yates from the loader's own stream (the same draws as xg::randperm).
    for (std::int64_t i = m - 1; i > 0; --i)
      std::swap(order[static_cast<std::size_t>(i)],
                order[static_cast<std::size_t>(generator_.below(static_cast<std::uint64_t>(i + 1)))]);
  }
  ++epochs_started_;
  return order;
}

DataLoader::Iterator DataLoader::begin() {
  auto order = std::make_shared<const std::vector<std::int64_t>>(next_epoch_order());
  return Iterator(this, std::move(order), 0);
}

Batch DataLoader::batch_at(const std::vector<std::int64_t>& order, std::int64_t b) const {
  const std::int64_t m = static_cast<std::int64_t>(order.size());
  const std::int64_t first = b * batch_size_;
  const std::int64_t last = std::min(first + batch_size_, m);
  return dataset_->get_batch(std::vector<std::int64_t>(order.begin() + first, order.begin() + last));
}

Batch DataLoader::Iterator::operator*() const {
  if (!loader_ || !order_ || batch_ >= loader_->num_batches())
    throw IndexError("DataLoader: dereferencing an iterator that is not inside an epoch");
  return loader_->batch_at(*order_, batch_);
}

}  // namespace xg::data
