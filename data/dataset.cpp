#include "data/dataset.h"

#include <fmt/format.h>

#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"

namespace xg::data {

namespace detail {
std::int64_t wrap_index(const char* who, std::int64_t i, std::int64_t n) {
  const std::int64_t j = i < 0 ? i + n : i;
  if (j < 0 || j >= n)
    throw IndexError(fmt::format("{}: index {} is out of range for a dataset of {} examples", who, i, n));
  return j;
}

Tensor index_tensor(const std::vector<std::int64_t>& indices) {
  return from_vector(indices, Shape{static_cast<std::int64_t>(indices.size())});
}
}  // namespace detail

namespace {
// Row j of x without its first dimension (a 0-d tensor for a 1-D x).
Tensor select_row(const Tensor& x, std::int64_t j) {
  Shape rest = x.shape();
  rest.erase(0);
  return reshape(narrow(x, 0, j, 1), rest);
}
}  // namespace

Batch Dataset::get_batch(const std::vector<std::int64_t>& indices) const {
  if (indices.empty()) throw ValueError("Dataset::get_batch: no indices given");
  std::vector<Tensor> xs, ys;
  xs.reserve(indices.size());
  ys.reserve(indices.size());
  for (std::int64_t i : indices) {
    Example<> e = get(i);
    xs.push_back(std::move(e.data));
    ys.push_back(std::move(e.target));
  }
  NoGradGuard no_grad;
  return {stack(xs, 0), stack(ys, 0)};
}

TensorDataset::TensorDataset(Tensor features, Tensor targets) {
  if (!features.defined() || !targets.defined())
    throw ValueError("TensorDataset: features and targets must be defined tensors");
  if (features.dim() == 0 || targets.dim() == 0)
    throw ShapeError(fmt::format("TensorDataset: features {} and targets {} need a first (example) dimension",
                                 to_string(features.shape()), to_string(targets.shape())));
  if (features.size(0) != targets.size(0))
    throw ShapeError(fmt::format("TensorDataset: features {} and targets {} disagree on the number of examples ({} vs {})",
                                 to_string(features.shape()), to_string(targets.shape()), features.size(0),
                                 targets.size(0)));
  features_ = features.detach();
  targets_ = targets.detach();
}

std::int64_t TensorDataset::size() const { return features_.size(0); }

Example<> TensorDataset::get(std::int64_t i) const {
  const std::int64_t j = detail::wrap_index("TensorDataset::get", i, size());
  NoGradGuard no_grad;
  return {select_row(features_, j), select_row(targets_, j)};
}

Batch TensorDataset::get_batch(const std::vector<std::int64_t>& indices) const {
  if (indices.empty()) throw ValueError("TensorDataset::get_batch: no indices given");
  std::vector<std::int64_t> wrapped(indices.size());
  for (std::size_t k = 0; k < indices.size(); ++k)
    wrapped[k] = detail::wrap_index("TensorDataset::get_batch", indices[k], size());
  const Tensor idx = detail::index_tensor(wrapped);
  NoGradGuard no_grad;
  return {index_select(features_, 0, idx), index_select(targets_, 0, idx)};
}

Subset::Subset(DatasetPtr base, std::vector<std::int64_t> indices) : base_(std::move(base)), indices_(std::move(indices)) {
  if (!base_) throw ValueError("Subset: the base dataset is null");
  const std::int64_t n = base_->size();
  for (auto& i : indices_) i = detail::wrap_index("Subset", i, n);
}

std::int64_t Subset::size() const { return static_cast<std::int64_t>(indices_.size()); }

Example<> Subset::get(std::int64_t i) const {
  return base_->get(indices_[static_cast<std::size_t>(detail::wrap_index("Subset::get", i, size()))]);
}

Batch Subset::get_batch(const std::vector<std::int64_t>& indices) const {
  std::vector<std::int64_t> mapped(indices.size());
  for (std::size_t k = 0; k < indices.size(); ++k)
    mapped[k] = indices_[static_cast<std::size_t>(detail::wrap_index("Subset::get_batch", indices[k], size()))];
  return base_->get_batch(mapped);
}

TensorDataset materialize(const Dataset& dataset) {
  const std::int64_t n = dataset.size();
  if (n == 0) throw ValueError("materialize: the dataset is empty");
  std::vector<std::int64_t> all(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) all[static_cast<std::size_t>(i)] = i;
  Batch b = dataset.get_batch(all);
  return TensorDataset(b.data, b.target);
}

}  // namespace xg::data
