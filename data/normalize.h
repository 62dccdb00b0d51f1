#pragma once
// Feature standardization fitted on the training split only, then applied unchanged to the dev
// and test splits (fitting on them would leak their statistics into training):
//
//   auto norm = xg::data::Standardizer::fit(train);          // mean and std of train's features
//   auto train_n = norm.apply(train), test_n = norm.apply(test);
//
// x' = (x − μ) / σ with the population std (divide by m). Per feature (the lecture's
// per-input μ_j, σ_j) or one scalar over all features (torchvision's Normalize((0.2860,), (0.3530,))).
// A feature with σ < eps (a constant pixel) is only centred: its σ is stored as 1.
#include "data/dataset.h"
#include "tensor/state_dict.h"

namespace xg::data {

class Standardizer {
 public:
  Standardizer() = default;
  // From given statistics (scalars or tensors broadcastable to one example's shape).
  Standardizer(Tensor mean, Tensor stdev);
  static Standardizer fit(const Dataset& train, bool per_feature = true, double eps = 1e-8);
  static Standardizer fit(const Tensor& train_features, bool per_feature = true, double eps = 1e-8);

  // Batched features [n, ...] or one example: (x − mean) / std in x's float dtype.
  Tensor apply(const Tensor& x) const;
  // Every example of `dataset` standardized into a new TensorDataset (targets unchanged).
  TensorDataset apply(const Dataset& dataset) const;

  const Tensor& mean() const { return mean_; }  // float64, one example's shape (or 0-d)
  const Tensor& std() const { return std_; }
  // {"mean", "std"}, so the statistics travel with a checkpoint.
  StateDict state_dict() const;
  void load_state_dict(const StateDict& sd);

 private:
  Tensor mean_;
  Tensor std_;
};

}  // namespace xg::data
