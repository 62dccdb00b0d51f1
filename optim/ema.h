#pragma once
// The lecture's exponentially weighted moving average, v_t = β·v_{t−1} + (1 − β)·y_t with
// v_0 = 0, and its bias correction v_t / (1 − βᵗ) (t = number of values seen). The building
// block of momentum, RMSProp and Adam, and useful on its own:
//   ExponentialMovingAverage       smooths a scalar series (a loss curve);
//   TensorExponentialMovingAverage keeps an average of tensors (e.g. of weights, "EMA weights").
#include <cstdint>
#include <vector>

#include "optim/option_list.h"
#include "optim/option_rules.h"
#include "tensor/state_dict.h"
#include "tensor/tensor.h"

namespace xg::optim {

namespace detail {
// What both averages keep besides their values, listed once for checking, saving and loading.
// count: the values seen.
#define XG_EMA_STATE(option)              \
  option(double, beta, 0.9, rule::unit)   \
  option(bool, bias_correction, true)     \
  option(std::int64_t, count, 0, rule::at_least_0)
struct EmaState {
  XG_SETTINGS(XG_EMA_STATE)
  // What the average is divided by: 1 − βᶜᵒᵘⁿᵗ, or 1 without correction.
  double correction() const;
};
}  // namespace detail

class ExponentialMovingAverage {
 public:
  // ValueError unless beta is in [0, 1).
  explicit ExponentialMovingAverage(double beta = 0.9, bool bias_correction = true);
  // Adds y and returns the (bias-corrected if enabled) average.
  double update(double y);
  double value() const;      // the average (bias-corrected if enabled); 0 before any update
  double raw_value() const;  // v_t without correction
  std::int64_t count() const { return state_.count; }
  double beta() const { return state_.beta; }
  bool bias_correction() const { return state_.bias_correction; }
  void reset();
  // Smooths a whole series: the average after each value.
  std::vector<double> smooth(const std::vector<double>& series);

  StateDict state_dict() const;           // beta, bias_correction, value, count
  void load_state_dict(const StateDict&);  // atomic; ValueError on a bad entry

 private:
  detail::EmaState state_;
  double v_ = 0;
};

class TensorExponentialMovingAverage {
 public:
  // Tracks the average of `tensors` (e.g. a model's parameters); the shadows start at zero.
  explicit TensorExponentialMovingAverage(std::vector<Tensor> tensors, double beta = 0.999,
                                          bool bias_correction = true);
  // Folds in the tensors' current values (grad mode off; no graph is recorded).
  void update();
  // The averages (bias-corrected if enabled), as new tensors without grad.
  std::vector<Tensor> averages() const;
  // Writes the averages into the tracked tensors (e.g. to evaluate with averaged weights).
  void copy_to(std::vector<Tensor>& tensors) const;
  std::int64_t count() const { return state_.count; }
  const std::vector<Tensor>& tracked() const { return tensors_; }

  StateDict state_dict() const;  // "beta", "bias_correction", "count", "shadow.<i>"
  void load_state_dict(const StateDict&);

 private:
  std::vector<Tensor> tensors_;
  std::vector<Tensor> shadow_;
  detail::EmaState state_;
};

}  // namespace xg::optim
