#include "optim/ema.h"

#include <fmt/format.h>

#include <cmath>

#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"
#include "optim/checks.h"
#include "optim/state_io.h"

namespace xg::optim {

ExponentialMovingAverage::ExponentialMovingAverage(double beta, bool bias_correction)
    : beta_(beta), bias_correction_(bias_correction) {
  detail::check_unit("ExponentialMovingAverage", "beta", beta);
}

double ExponentialMovingAverage::update(double y) {
  v_ = beta_ * v_ + (1 - beta_) * y;
  ++count_;
  return value();
}

double ExponentialMovingAverage::value() const {
  if (!bias_correction_ || count_ == 0) return v_;
  return v_ / (1 - std::pow(beta_, static_cast<double>(count_)));
}

double ExponentialMovingAverage::raw_value() const { return v_; }

void ExponentialMovingAverage::reset() {
  v_ = 0;
  count_ = 0;
}

std::vector<double> ExponentialMovingAverage::smooth(const std::vector<double>& series) {
  std::vector<double> out;
  out.reserve(series.size());
  for (double y : series) out.push_back(update(y));
  return out;
}

StateDict ExponentialMovingAverage::state_dict() const {
  StateDict d;
  detail::put_double(d, "beta", beta_);
  detail::put_bool(d, "bias_correction", bias_correction_);
  detail::put_double(d, "value", v_);
  detail::put_int(d, "count", count_);
  return d;
}

void ExponentialMovingAverage::load_state_dict(const StateDict& d) {
  const char* who = "ExponentialMovingAverage.load_state_dict";
  const double beta = detail::get_double(d, "beta", who);
  detail::check_unit(who, "beta", beta);
  const bool bc = detail::get_bool(d, "bias_correction", who);
  const double v = detail::get_double(d, "value", who);
  const std::int64_t count = detail::get_int(d, "count", who);
  if (count < 0) throw ValueError(fmt::format("{}: invalid count {} (must be >= 0)", who, count));
  beta_ = beta;
  bias_correction_ = bc;
  v_ = v;
  count_ = count;
}

// ----- tensors -----
TensorExponentialMovingAverage::TensorExponentialMovingAverage(std::vector<Tensor> tensors, double beta,
                                                               bool bias_correction)
    : tensors_(std::move(tensors)), beta_(beta), bias_correction_(bias_correction) {
  detail::check_unit("TensorExponentialMovingAverage", "beta", beta);
  for (std::size_t i = 0; i < tensors_.size(); ++i) {
    if (!tensors_[i].defined() || !tensors_[i].is_floating_point())
      throw ValueError(fmt::format("TensorExponentialMovingAverage: tensor {} must be a defined float tensor", i));
    shadow_.push_back(zeros_like(tensors_[i]));
  }
}

void TensorExponentialMovingAverage::update() {
  NoGradGuard guard;
  for (std::size_t i = 0; i < tensors_.size(); ++i) {
    shadow_[i].mul_(beta_);
    shadow_[i].add_(tensors_[i].detach(), 1 - beta_);
  }
  ++count_;
}

std::vector<Tensor> TensorExponentialMovingAverage::averages() const {
  NoGradGuard guard;
  std::vector<Tensor> out;
  const double corr = bias_correction_ && count_ > 0 ? 1 - std::pow(beta_, static_cast<double>(count_)) : 1.0;
  for (const auto& s : shadow_) out.push_back(corr == 1.0 ? s.clone() : s / corr);
  return out;
}

void TensorExponentialMovingAverage::copy_to(std::vector<Tensor>& tensors) const {
  if (tensors.size() != shadow_.size())
    throw ValueError(fmt::format("TensorExponentialMovingAverage.copy_to: got {} tensors, tracking {}",
                                 tensors.size(), shadow_.size()));
  for (std::size_t i = 0; i < tensors.size(); ++i)
    if (!tensors[i].defined() || !(tensors[i].shape() == shadow_[i].shape()))
      throw ValueError(fmt::format("TensorExponentialMovingAverage.copy_to: tensor {} does not have shape {}", i,
                                   to_string(shadow_[i].shape())));
  const auto avg = averages();
  NoGradGuard guard;
  for (std::size_t i = 0; i < tensors.size(); ++i) tensors[i].copy_(avg[i]);
}

StateDict TensorExponentialMovingAverage::state_dict() const {
  StateDict d;
  detail::put_double(d, "beta", beta_);
  detail::put_bool(d, "bias_correction", bias_correction_);
  detail::put_int(d, "count", count_);
  for (std::size_t i = 0; i < shadow_.size(); ++i) d[fmt::format("shadow.{}", i)] = shadow_[i].clone();
  return d;
}

void TensorExponentialMovingAverage::load_state_dict(const StateDict& d) {
  const char* who = "TensorExponentialMovingAverage.load_state_dict";
  const double beta = detail::get_double(d, "beta", who);
  detail::check_unit(who, "beta", beta);
  const bool bc = detail::get_bool(d, "bias_correction", who);
  const std::int64_t count = detail::get_int(d, "count", who);
  if (count < 0) throw ValueError(fmt::format("{}: invalid count {} (must be >= 0)", who, count));
  std::vector<Tensor> shadow;
  for (std::size_t i = 0; i < shadow_.size(); ++i) {
    const Tensor& s = detail::get_tensor(d, fmt::format("shadow.{}", i), who);
    if (!(s.shape() == shadow_[i].shape()) || s.dtype() != shadow_[i].dtype())
      throw ValueError(fmt::format("{}: 'shadow.{}' has shape {} ({}), expected {} ({})", who, i, to_string(s.shape()),
                                   dtype_name(s.dtype()), to_string(shadow_[i].shape()), dtype_name(shadow_[i].dtype())));
    shadow.push_back(s.detach().clone());
  }
  beta_ = beta;
  bias_correction_ = bc;
  count_ = count;
  shadow_ = std::move(shadow);
}

}  // namespace xg::optim
