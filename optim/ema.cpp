#include "optim/ema.h"

#include <fmt/format.h>

#include <cmath>

#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"
#include "optim/option_io.h"

namespace xg::optim {

namespace detail {
double EmaSettings::correction(std::int64_t count) const {
  return bias_correction && count > 0 ? 1 - std::pow(beta, static_cast<double>(count)) : 1.0;
}

namespace {
EmaSettings checked_settings(double beta, bool bias_correction, const char* who) {
  const EmaSettings s{beta, bias_correction};
  validate_options(s, who);
  return s;
}

// The settings and the value count of a saved average, checked.
std::pair<EmaSettings, std::int64_t> load_settings_and_count(const StateDict& d, const char* who) {
  EmaSettings s{};
  load_options(s, d, "", who);
  validate_options(s, who);
  const std::int64_t count = get_int(d, "count", who);
  if (count < 0) throw ValueError(fmt::format("{}: invalid count {} (must be >= 0)", who, count));
  return {s, count};
}

void save_settings_and_count(StateDict& d, const EmaSettings& s, std::int64_t count) {
  save_options(s, d, "");
  put_int(d, "count", count);
}
}  // namespace
}  // namespace detail

ExponentialMovingAverage::ExponentialMovingAverage(double beta, bool bias_correction)
    : settings_(detail::checked_settings(beta, bias_correction, "ExponentialMovingAverage")) {}

double ExponentialMovingAverage::update(double y) {
  v_ = settings_.beta * v_ + (1 - settings_.beta) * y;
  ++count_;
  return value();
}

double ExponentialMovingAverage::value() const { return v_ / settings_.correction(count_); }

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
  detail::save_settings_and_count(d, settings_, count_);
  detail::put_double(d, "value", v_);
  return d;
}

void ExponentialMovingAverage::load_state_dict(const StateDict& d) {
  const char* who = "ExponentialMovingAverage.load_state_dict";
  const auto [settings, count] = detail::load_settings_and_count(d, who);
  const double v = detail::get_double(d, "value", who);
  settings_ = settings;
  v_ = v;
  count_ = count;
}

// ----- tensors -----
TensorExponentialMovingAverage::TensorExponentialMovingAverage(std::vector<Tensor> tensors, double beta,
                                                               bool bias_correction)
    : tensors_(std::move(tensors)),
      settings_(detail::checked_settings(beta, bias_correction, "TensorExponentialMovingAverage")) {
  for (std::size_t i = 0; i < tensors_.size(); ++i) {
    if (!tensors_[i].defined() || !tensors_[i].is_floating_point())
      throw ValueError(fmt::format("TensorExponentialMovingAverage: tensor {} must be a defined float tensor", i));
    shadow_.push_back(zeros_like(tensors_[i]));
  }
}

void TensorExponentialMovingAverage::update() {
  NoGradGuard guard;
  for (std::size_t i = 0; i < tensors_.size(); ++i) {
    shadow_[i].mul_(settings_.beta);
    shadow_[i].add_(tensors_[i].detach(), 1 - settings_.beta);
  }
  ++count_;
}

std::vector<Tensor> TensorExponentialMovingAverage::averages() const {
  NoGradGuard guard;
  std::vector<Tensor> out;
  const double corr = settings_.correction(count_);
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
  detail::save_settings_and_count(d, settings_, count_);
  for (std::size_t i = 0; i < shadow_.size(); ++i) d[fmt::format("shadow.{}", i)] = shadow_[i].clone();
  return d;
}

void TensorExponentialMovingAverage::load_state_dict(const StateDict& d) {
  const char* who = "TensorExponentialMovingAverage.load_state_dict";
  const auto [settings, count] = detail::load_settings_and_count(d, who);
  std::vector<Tensor> shadow;
  for (std::size_t i = 0; i < shadow_.size(); ++i) {
    const Tensor& s = detail::get_tensor(d, fmt::format("shadow.{}", i), who);
    if (!(s.shape() == shadow_[i].shape()) || s.dtype() != shadow_[i].dtype())
      throw ValueError(fmt::format("{}: 'shadow.{}' has shape {} ({}), expected {} ({})", who, i, to_string(s.shape()),
                                   dtype_name(s.dtype()), to_string(shadow_[i].shape()), dtype_name(shadow_[i].dtype())));
    shadow.push_back(s.detach().clone());
  }
  settings_ = settings;
  count_ = count;
  shadow_ = std::move(shadow);
}

}  // namespace xg::optim
