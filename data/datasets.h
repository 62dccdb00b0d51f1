#pragma once
// torch::data's datasets and example transforms, as LibTorch spells them, for data that the
// seeded DataLoader (data/dataloader.h) then batches (data/make_data_loader.h):
//
//   struct MyData : xg::data::datasets::Dataset<MyData> {
//     xg::data::Example<> get(std::size_t i) override { ... }
//     std::optional<std::size_t> size() const override { ... }
//   };
//   auto ds = xg::data::datasets::MNIST(root)
//                 .map(xg::data::transforms::Normalize<>(0.1307, 0.3081))
//                 .map(xg::data::transforms::Stack<>());
//
// get() may be called from several threads at once when the loader has workers.
#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "autodiff/ops.h"
#include "data/dataset.h"
#include "data/transforms.h"

namespace xg {
template <class T> using optional = std::optional<T>;  // torch::optional
}

namespace xg::data {

namespace transforms {
// A transform of a whole batch of examples (Stack); the others transform each example.
struct BatchTransform {};

// The examples of a batch stacked: data [B, ...] and target [B, ...].
template <class E = Example<>>
struct Stack : BatchTransform {
  E apply_batch(const std::vector<E>& examples) const {
    std::vector<Tensor> data, target;
    data.reserve(examples.size());
    target.reserve(examples.size());
    for (const auto& e : examples) data.push_back(e.data), target.push_back(e.target);
    return {xg::stack(data), xg::stack(target)};
  }
};

// (data − mean) / stddev for each example: one value for every element, or one per channel of
// [C, H, W] images. ValueError for a zero stddev.
template <class Target = Tensor>
class Normalize {
 public:
  Normalize(double mean, double stddev) : Normalize(std::vector<double>{mean}, std::vector<double>{stddev}) {}
  Normalize(std::vector<double> mean, std::vector<double> stddev);
  Example<Tensor, Target> apply(Example<Tensor, Target> e) const {
    e.data = (*this)(e.data);
    return e;
  }
  Tensor operator()(const Tensor& x) const;

 private:
  std::vector<double> mean_, std_;
};
Tensor normalize_example(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& stddev);
void check_normalize(const std::vector<double>& mean, const std::vector<double>& stddev);
template <class Target>
Normalize<Target>::Normalize(std::vector<double> mean, std::vector<double> stddev) : mean_(std::move(mean)), std_(std::move(stddev)) {
  check_normalize(mean_, std_);
}
template <class Target> Tensor Normalize<Target>::operator()(const Tensor& x) const { return normalize_example(x, mean_, std_); }
}  // namespace transforms

namespace datasets {

template <class Source, class Transform> class MapDataset;

namespace detail {
template <class Source, class Transform, bool batch_transform> struct MapTypes {  // Stack
  using Example = typename Source::ExampleType;
  using Batch = Example;
};
template <class Source, class Transform> struct MapTypes<Source, Transform, false> {
  using Example = decltype(std::declval<const Transform&>().apply(std::declval<typename Source::ExampleType>()));
  using Batch = std::vector<Example>;
};
}  // namespace detail

// A dataset as LibTorch's: get(index) returns one example, size() their number (nullopt if
// unknown, which a loader refuses); map(transform) chains a transform.
template <class Self, class SingleExample = Example<>>
class Dataset {
 public:
  using ExampleType = SingleExample;
  using BatchType = std::vector<SingleExample>;
  virtual ~Dataset() = default;
  virtual ExampleType get(std::size_t index) = 0;
  virtual std::optional<std::size_t> size() const = 0;
  virtual BatchType get_batch(const std::vector<std::size_t>& indices) {
    BatchType batch;
    batch.reserve(indices.size());
    for (auto i : indices) batch.push_back(get(i));
    return batch;
  }
  template <class T> MapDataset<Self, T> map(T transform) & { return {static_cast<Self&>(*this), std::move(transform)}; }
  template <class T> MapDataset<Self, T> map(T transform) && { return {std::move(static_cast<Self&>(*this)), std::move(transform)}; }
};

// A dataset with a transform applied: to each example, or (Stack) to each batch.
template <class Source, class Transform>
class MapDataset {
 public:
  static constexpr bool kBatchTransform = std::is_base_of_v<transforms::BatchTransform, Transform>;
  using ExampleType = typename detail::MapTypes<Source, Transform, kBatchTransform>::Example;
  using BatchType = typename detail::MapTypes<Source, Transform, kBatchTransform>::Batch;

  MapDataset(Source source, Transform transform) : source_(std::move(source)), transform_(std::move(transform)) {}
  ExampleType get(std::size_t index) {
    if constexpr (kBatchTransform) return source_.get(index);
    else return transform_.apply(source_.get(index));
  }
  BatchType get_batch(const std::vector<std::size_t>& indices) {
    if constexpr (kBatchTransform) {
      return transform_.apply_batch(source_.get_batch(indices));
    } else {
      BatchType batch;
      batch.reserve(indices.size());
      for (auto i : indices) batch.push_back(get(i));
      return batch;
    }
  }
  std::optional<std::size_t> size() const { return source_.size(); }
  template <class T> MapDataset<MapDataset, T> map(T transform) & { return {*this, std::move(transform)}; }
  template <class T> MapDataset<MapDataset, T> map(T transform) && { return {std::move(*this), std::move(transform)}; }
  const Source& dataset() const noexcept { return source_; }
  const Transform& transform() const noexcept { return transform_; }

 private:
  Source source_;
  Transform transform_;
};

// MNIST (and Fashion-MNIST, the same format) from <root>/{train,t10k}-{images-idx3,labels-idx1}-ubyte
// (or .gz): images [N, 1, 28, 28] float32 in [0, 1], targets [N] int64, as LibTorch's MNIST.
// IOError naming the missing file; FormatError for a malformed one.
class MNIST : public Dataset<MNIST> {
 public:
  enum class Mode { kTrain, kTest };
  explicit MNIST(const std::string& root, Mode mode = Mode::kTrain);
  Example<> get(std::size_t index) override;  // IndexError past the end
  std::optional<std::size_t> size() const override;
  bool is_train() const noexcept { return train_; }
  const Tensor& images() const { return images_.features(); }
  const Tensor& targets() const { return images_.targets(); }

 private:
  TensorDataset images_;
  bool train_;
};

}  // namespace datasets
}  // namespace xg::data
