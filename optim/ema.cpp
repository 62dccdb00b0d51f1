#include "optim/ema.h"

#include <fmt/format.h>

#include <cmath>

#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"
#include "optim/option_io.h"

namespace xg::optim {

double detail::EmaState::correction() const {
  return bias_correction && count > 0 ? 1 - std::pow(beta, static_cast<double>(count)) : 1.0;
}

ExponentialMovingAverage::ExponentialMovingAverage(double beta, bool bias_correction)
    : state_{beta, bias_correction} {
  detail::validate_options(state_, "ExponentialMovingAverage");
}

double ExponentialMovingAverage::update(double y) {
  v_ = state_.beta * v_ + (1 - state_.beta) * y;
  ++state_.count;
  return value();
}

double ExponentialMovingAverage::value() const { return v_ / state_.correction(); }

double ExponentialMovingAverage::raw_value() const { return v_; }

void ExponentialMovingAverage::reset() {
  v_ = 0;
  state_.count = 0;
}

std::vector<double> ExponentialMovingAverage::smooth(const std::vector<double>& series) {
  std::vector<double> out;
  out.reserve(series.size());
  for (double y : series) out.push_back(update(y));
  return out;
}

StateDict ExponentialMovingAverage::state_dict() const {
  StateDict d;
  detail::save_options(state_, d, "");
  detail::put(d, "value", v_);
  return d;
}

void ExponentialMovingAverage::load_state_dict(const StateDict& d) {
  const char* who = "ExponentialMovingAverage.load_state_dict";
  const auto state = detail::loaded_options(state_, d, "", who);
  const double v = detail::get<double>(d, "value", who);
  state_ = state;
  v_ = v;
}

// ----- tensors -----
TensorExponentialMovingAverage::TensorExponentialMovingAverage(std::vector<Tensor> tensors, double beta,
                                                               bool bias_correction)
    : tensors_(std::move(tensors)), state_{beta, bias_correction} {
  detail::validate_options(state_, "TensorExponentialMovingAverage");
  for (std::size_t i = 0; i < tensors_.size(); ++i) {
    if (!tensors_[i].defined() || !tensors_[i].is_floating_point())
      throw ValueError(fmt::format("TensorExponentialMovingAverage: tensor {} must be a defined float tensor", i));
    shadow_.push_back(zeros_like(tensors_[i]));
  }
}

void TensorExponentialMovingAverage::update() {
  NoGradGuard guard;
  for (std::size_t i = 0; i < tensors_.size(); ++i) {
    shadow_[i].mul_(state_.beta);
    shadow_[i].add_(tensors_[i].detach(), 1 - state_.beta);
  }
  ++state_.count;
}

std::vector<Tensor> TensorExponentialMovingAverage::averages() const {
  NoGradGuard guard;
  std::vector<Tensor> out;
  const double corr = state_.correction();
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
  detail::save_options(state_, d, "");
  for (std::size_t i = 0; i < shadow_.size(); ++i) d[fmt::format("shadow.{}", i)] = shadow_[i].clone();
  return d;
}

void TensorExponentialMovingAverage::load_state_dict(const StateDict& d) {
  const char* who = "TensorExponentialMovingAverage.load_state_dict";
  const auto state = detail::loaded_options(state_, d, "", who);
  std::vector<Tensor> shadow;
  for (std::size_t i = 0; i < shadow_.size(); ++i) {
    const Tensor& s = detail::get_tensor(d, fmt::format("shadow.{}", i), who);
    if (!(s.shape() == shadow_[i].shape()) || s.dtype() != shadow_[i].dtype())
      throw ValueError(fmt::format("{}: 'shadow.{}' has shape {} ({}), expected {} ({})", who, i, to_string(s.shape()),
                                   dtype_name(s.dtype()), to_string(shadow_[i].shape()), dtype_name(shadow_[i].dtype())));
    shadow.push_back(s.detach().clone());
  }
  state_ = state;
  shadow_ = std::move(shadow);
}

}  // namespace xg::optim
