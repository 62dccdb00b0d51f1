#pragma once

namespace xg {

// Whether ops record the graph (thread-local; on by default).
struct GradMode {
  static bool is_enabled();
  static void set_enabled(bool on);
};

// Turns recording off in its scope, as torch::NoGradGuard (optimizer steps, evaluation).
class NoGradGuard {
 public:
  NoGradGuard() : prev_(GradMode::is_enabled()) { GradMode::set_enabled(false); }
  ~NoGradGuard() { GradMode::set_enabled(prev_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool prev_;
};

class AutoGradMode {
 public:
  explicit AutoGradMode(bool on) : prev_(GradMode::is_enabled()) { GradMode::set_enabled(on); }
  ~AutoGradMode() { GradMode::set_enabled(prev_); }
  AutoGradMode(const AutoGradMode&) = delete;
  AutoGradMode& operator=(const AutoGradMode&) = delete;

 private:
  bool prev_;
};

// In its scope every backward checks each op's gradients for NaN/Inf and names the first op
// that produced one, with the user's call site where that op was recorded.
class DetectAnomalyGuard {
 public:
  // check_nan = false turns the checks off in its scope (LibTorch's spelling; xgrad records call
  // sites always, so there is nothing else to turn on).
  explicit DetectAnomalyGuard(bool check_nan = true);
  ~DetectAnomalyGuard();
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;
  static bool is_enabled();

 private:
  bool prev_;
};

namespace autograd {
using xg::DetectAnomalyGuard;  // torch::autograd::DetectAnomalyGuard
}  // namespace autograd

}  // namespace xg
