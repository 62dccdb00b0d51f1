#pragma once
// ReduceLROnPlateau, as torch.optim.lr_scheduler: lowers the lrs when a metric stops improving.
#include <cstdint>
#include <vector>

#include "optim/option_list.h"
#include "optim/option_rules.h"
#include "optim/optimizer.h"

namespace xg::optim {

enum class PlateauMode { min, max };
enum class ThresholdMode { rel, abs };

// min_lr is one lower bound for every group; min_lrs (one per group, overriding it) is not in the
// list: the scheduler saves it resolved, one per group, with its state.
#define XG_PLATEAU_OPTIONS(option)                                                              \
  option(PlateauMode, mode, PlateauMode::min, rule::Enumerator{2, "must be min or max"})        \
  option(double, factor, 0.1, rule::unit)                                                       \
  option(std::int64_t, patience, 10, rule::at_least_0)                                          \
  option(double, threshold, 1e-4, rule::nonneg)                                                 \
  option(ThresholdMode, threshold_mode, ThresholdMode::rel, rule::Enumerator{2, "must be rel or abs"}) \
  option(std::int64_t, cooldown, 0, rule::at_least_0)                                           \
  option(double, min_lr, 0, rule::nonneg)                                                       \
  option(double, eps, 1e-8, rule::nonneg)

struct ReduceLROnPlateauOptions {
  XG_OPTIONS(ReduceLROnPlateauOptions, XG_PLATEAU_OPTIONS)
  XG_OPTIM_ARG(std::vector<double>, min_lrs);

 public:
  // The list's rules, then min_lrs: one per param group, each finite and >= 0.
  void validate(std::size_t n_groups) const;
};

// Reduces every group's lr by `factor` once the metric has not improved for more than
// `patience` epochs, exactly as PyTorch: in mode min with threshold_mode rel an epoch improves
// when metric < best·(1 − threshold) (abs: metric < best − threshold; max mode mirrored);
// after a reduction `cooldown` epochs are not counted; lr ← max(lr·factor, min_lr) and only if
// that changes it by more than eps.
class ReduceLROnPlateau {
 public:
  explicit ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options = {});
  void step(double metric);
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  const ReduceLROnPlateauOptions& options() const { return options_; }
  double best() const { return best_; }
  std::int64_t num_bad_epochs() const { return num_bad_epochs_; }
  std::int64_t cooldown_counter() const { return cooldown_counter_; }
  std::int64_t last_epoch() const { return last_epoch_; }
  bool in_cooldown() const { return cooldown_counter_ > 0; }
  bool is_better(double metric, double best) const;

  StateDict state_dict() const;
  void load_state_dict(const StateDict& dict);

 private:
  Optimizer& optimizer_;
  ReduceLROnPlateauOptions options_;
  std::vector<double> min_lrs_;
  double best_;
  std::int64_t num_bad_epochs_ = 0;
  std::int64_t cooldown_counter_ = 0;
  std::int64_t last_epoch_ = 0;
  std::vector<double> last_lr_;
};

}  // namespace xg::optim
