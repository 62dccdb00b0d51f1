#pragma once
// Datasets: an indexable collection of (features, target) examples.
//
//   xg::data::TensorDataset ds(x, y);            // x: [m, ...] features, y: [m] targets
//   auto [xi, yi] = ds.get(3);                   // one example
//   xg::data::Subset first_ten(ds, {0, 1, ..., 9});
//
// Datasets are cheap to copy (tensors are shared handles); a Subset keeps its base dataset alive.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace xg::data {

// One example, or a batch of them stacked along a new first dimension. A template as LibTorch's
// torch::data::Example<Data, Target>; Example<> holds two tensors.
template <class Data = Tensor, class Target = Tensor>
struct Example {
  Data data;
  Target target;
};
using Batch = Example<>;

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual std::int64_t size() const = 0;
  // Example i, 0 <= i < size() (negative i counts from the end); IndexError otherwise.
  virtual Example<> get(std::int64_t i) const = 0;
  // The examples at `indices`, stacked: data [n, ...], target [n, ...]. The default stacks get(i);
  // TensorDataset gathers in one copy.
  virtual Batch get_batch(const std::vector<std::int64_t>& indices) const;
};
using DatasetPtr = std::shared_ptr<const Dataset>;

// A shared copy of a dataset value (TensorDataset, Subset, FashionMNIST, ...), for the APIs that
// keep a dataset alive; passing a DatasetPtr shares it instead.
template <class D>
DatasetPtr share(const D& dataset) {
  return std::make_shared<D>(dataset);
}
inline DatasetPtr share(DatasetPtr dataset) { return dataset; }

// Features and targets held in memory; example i is (features[i], targets[i]). The tensors are
// detached (a dataset never records a graph); their first dimensions must agree.
class TensorDataset : public Dataset {
 public:
  TensorDataset(Tensor features, Tensor targets);
  std::int64_t size() const override;
  Example<> get(std::int64_t i) const override;
  Batch get_batch(const std::vector<std::int64_t>& indices) const override;
  const Tensor& features() const { return features_; }
  const Tensor& targets() const { return targets_; }

 private:
  Tensor features_;
  Tensor targets_;
};

// The examples of `base` at `indices` (in that order); example i is base.get(indices[i]).
class Subset : public Dataset {
 public:
  Subset(DatasetPtr base, std::vector<std::int64_t> indices);
  template <class D>
  Subset(const D& base, std::vector<std::int64_t> indices) : Subset(share(base), std::move(indices)) {}
  std::int64_t size() const override;
  Example<> get(std::int64_t i) const override;
  Batch get_batch(const std::vector<std::int64_t>& indices) const override;
  const std::vector<std::int64_t>& indices() const { return indices_; }
  const DatasetPtr& base() const { return base_; }

 private:
  DatasetPtr base_;
  std::vector<std::int64_t> indices_;
};

// Every example of `dataset` gathered into one TensorDataset (e.g. a Subset made contiguous).
TensorDataset materialize(const Dataset& dataset);

namespace detail {
// Wraps i into [0, n) (negative counts from the end); IndexError naming `who` otherwise.
std::int64_t wrap_index(const char* who, std::int64_t i, std::int64_t n);
Tensor index_tensor(const std::vector<std::int64_t>& indices);
}  // namespace detail

}  // namespace xg::data
