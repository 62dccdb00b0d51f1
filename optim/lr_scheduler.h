#pragma once
// Learning-rate schedules acting on an optimizer's param groups, as torch.optim.lr_scheduler:
// constructing one records each group's lr as its base lr and takes step 0; call step() once
// per epoch (after the epoch's optimizer steps); get_last_lr() gives the lrs now in effect.
// The chainable ones (StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR) update the current
// lr recursively exactly as PyTorch does; LambdaLR and InverseTimeLR compute base_lr·f(epoch).
// A param group added later (e.g. by GradualUnfreezing) is adopted at the next step() with its
// lr at that moment as its base lr (PyTorch would leave it unscheduled).
// state_dict()/load_state_dict() hold the epoch, the base and last lrs and the options; load the
// optimizer's state as well to resume (lrs live in its param groups).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "optim/optimizer.h"

namespace xg::optim {

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  void step();
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  std::int64_t last_epoch() const { return last_epoch_; }
  virtual const char* name() const = 0;

  StateDict state_dict() const;
  // Atomic: on a missing or invalid entry (ValueError) nothing changes.
  void load_state_dict(const StateDict& dict);

 protected:
  explicit LRScheduler(Optimizer& optimizer);
  // Records the base lrs and takes step 0; called at the end of each subclass's constructor.
  void initial_step();
  // The lrs for last_epoch_ (already advanced), one per param group.
  virtual std::vector<double> get_lr() = 0;
  virtual void save_options(StateDict& dict) const = 0;
  // Reads and validates the options from dict, then returns a function that applies them (so
  // nothing is changed before every entry has been checked).
  virtual std::function<void()> load_options(const StateDict& dict) = 0;
  std::vector<double> group_lrs() const;

  Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  std::vector<double> last_lr_;
  std::int64_t last_epoch_ = -1;
  std::int64_t step_count_ = 0;

 private:
  void adopt_new_groups();
};

// lr ← lr·gamma every step_size epochs.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma = 0.1);
  const char* name() const override { return "StepLR"; }

 protected:
  std::vector<double> get_lr() override;
  void save_options(StateDict& dict) const override;
  std::function<void()> load_options(const StateDict& dict) override;

 private:
  std::int64_t step_size_;
  double gamma_;
};

// lr ← lr·gamma^k at each milestone epoch (k = how often the epoch is listed).
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<std::int64_t> milestones, double gamma = 0.1);
  const char* name() const override { return "MultiStepLR"; }

 protected:
  std::vector<double> get_lr() override;
  void save_options(StateDict& dict) const override;
  std::function<void()> load_options(const StateDict& dict) override;

 private:
  std::vector<std::int64_t> milestones_;
  double gamma_;
};

// lr ← lr·gamma every epoch.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);
  const char* name() const override { return "ExponentialLR"; }

 protected:
  std::vector<double> get_lr() override;
  void save_options(StateDict& dict) const override;
  std::function<void()> load_options(const StateDict& dict) override;

 private:
  double gamma_;
};

// η_t = η_min + (η_base − η_min)·(1 + cos(π·t/T_max))/2, in PyTorch's recursive form (which
// keeps going as a cosine after T_max).
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, std::int64_t T_max, double eta_min = 0.0);
  const char* name() const override { return "CosineAnnealingLR"; }

 protected:
  std::vector<double> get_lr() override;
  void save_options(StateDict& dict) const override;
  std::function<void()> load_options(const StateDict& dict) override;

 private:
  std::int64_t T_max_;
  double eta_min_;
};

// lr = base_lr·λ(epoch), one λ for all groups or one per group. The functions are not saved.
class LambdaLR : public LRScheduler {
 public:
  using Lambda = std::function<double(std::int64_t epoch)>;
  LambdaLR(Optimizer& optimizer, Lambda lr_lambda);
  LambdaLR(Optimizer& optimizer, std::vector<Lambda> lr_lambdas);
  const char* name() const override { return "LambdaLR"; }

 protected:
  std::vector<double> get_lr() override;
  void save_options(StateDict&) const override {}
  std::function<void()> load_options(const StateDict&) override {
    return [] {};
  }

 private:
  std::vector<Lambda> lambdas_;
};

// The lecture's learning-rate decay α = α₀ / (1 + decay·epoch).
class InverseTimeLR : public LRScheduler {
 public:
  InverseTimeLR(Optimizer& optimizer, double decay);
  const char* name() const override { return "InverseTimeLR"; }

 protected:
  std::vector<double> get_lr() override;
  void save_options(StateDict& dict) const override;
  std::function<void()> load_options(const StateDict& dict) override;

 private:
  double decay_;
};

// ----- ReduceLROnPlateau -----
enum class PlateauMode { min, max };
enum class ThresholdMode { rel, abs };

struct ReduceLROnPlateauOptions {
  XG_OPTIM_ARG(PlateauMode, mode) = PlateauMode::min;
  XG_OPTIM_ARG(double, factor) = 0.1;
  XG_OPTIM_ARG(std::int64_t, patience) = 10;
  XG_OPTIM_ARG(double, threshold) = 1e-4;
  XG_OPTIM_ARG(ThresholdMode, threshold_mode) = ThresholdMode::rel;
  XG_OPTIM_ARG(std::int64_t, cooldown) = 0;
  // One lower bound for every group, or min_lrs with one per group (overrides min_lr).
  XG_OPTIM_ARG(double, min_lr) = 0;
  XG_OPTIM_ARG(std::vector<double>, min_lrs);
  XG_OPTIM_ARG(double, eps) = 1e-8;

 public:
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
