#include "data/normalize.h"

#include <cmath>
#include <fmt/format.h>

#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"

namespace xg::data {

Standardizer::Standardizer(Tensor mean, Tensor stdev) {
  if (!mean.defined() || !stdev.defined()) throw ValueError("Standardizer: mean and std must be defined tensors");
  if (!(mean.shape() == stdev.shape()))
    throw ShapeError(fmt::format("Standardizer: mean {} and std {} must have the same shape", to_string(mean.shape()),
                                 to_string(stdev.shape())));
  for (double s : stdev.to_vector<double>())
    if (!(s > 0) || !std::isfinite(s)) throw ValueError(fmt::format("Standardizer: std must be positive and finite, got {}", s));
  mean_ = mean.detach().to(kFloat64);
  std_ = stdev.detach().to(kFloat64);
}

Standardizer Standardizer::fit(const Tensor& train_features, bool per_feature, double eps) {
  if (!train_features.defined() || train_features.dim() == 0 || train_features.size(0) == 0)
    throw ValueError("Standardizer::fit: needs training features with at least one example");
  if (!train_features.is_floating_point())
    throw DTypeError(fmt::format("Standardizer::fit: features must be floating point, got {}",
                                 dtype_name(train_features.dtype())));
  NoGradGuard no_grad;
  const Tensor x = train_features.detach().to(kFloat64);
  Tensor mu = per_feature ? xg::mean(x, {0}) : xg::mean(x);
  Tensor sigma = per_feature ? sqrt(xg::mean(square(sub(x, mu)), {0})) : sqrt(xg::mean(square(sub(x, mu))));
  sigma = where(lt(sigma, eps), ones_like(sigma), sigma);
  Standardizer s;
  s.mean_ = mu;
  s.std_ = sigma;
  return s;
}

Standardizer Standardizer::fit(const Dataset& train, bool per_feature, double eps) {
  return fit(materialize(train).features(), per_feature, eps);
}

Tensor Standardizer::apply(const Tensor& x) const {
  if (!mean_.defined()) throw ValueError("Standardizer::apply: not fitted (call Standardizer::fit on the training split)");
  if (!x.defined()) throw ValueError("Standardizer::apply: the features are an undefined tensor");
  if (!x.is_floating_point())
    throw DTypeError(fmt::format("Standardizer::apply: features must be floating point, got {}", dtype_name(x.dtype())));
  if (!(broadcast_shapes("Standardizer::apply", x.shape(), mean_.shape()) == x.shape()))
    throw ShapeError(fmt::format("Standardizer::apply: features of shape {} do not fit the fitted mean and std of shape {}",
                                 to_string(x.shape()), to_string(mean_.shape())));
  NoGradGuard no_grad;
  return div(sub(x, mean_.to(x.dtype())), std_.to(x.dtype()));
}

TensorDataset Standardizer::apply(const Dataset& dataset) const {
  const TensorDataset all = materialize(dataset);
  return TensorDataset(apply(all.features()), all.targets());
}

StateDict Standardizer::state_dict() const {
  if (!mean_.defined()) throw ValueError("Standardizer::state_dict: not fitted");
  return {{"mean", mean_}, {"std", std_}};
}

void Standardizer::load_state_dict(const StateDict& sd) {
  const auto m = sd.find("mean");
  const auto s = sd.find("std");
  if (m == sd.end() || s == sd.end()) throw ValueError("Standardizer::load_state_dict: needs the keys 'mean' and 'std'");
  *this = Standardizer(m->second.clone(), s->second.clone());
}

}  // namespace xg::data
