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

#include "optim/option_io.h"
#include "optim/option_list.h"
#include "optim/option_rules.h"
#include "optim/optimizer.h"
#include "optim/reduce_lr_on_plateau.h"  // a schedule too, though not an LRScheduler

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

// A schedule whose options are a Settings struct that lists each of them once, with its key and
// rules (for_each_option, as an optimizer's options): checked at construction and on load, saved
// and loaded here. The subclass calls initial_step() at the end of its constructor.
template <class Settings> class LRSchedulerWith : public LRScheduler {
 public:
  const char* name() const override { return Settings::kSchedulerName; }

 protected:
  LRSchedulerWith(Optimizer& optimizer, Settings settings) : LRScheduler(optimizer), settings_(std::move(settings)) {
    detail::validate_options(settings_, Settings::kSchedulerName);
  }
  void save_options(StateDict& dict) const override { detail::save_options(settings_, dict, ""); }
  std::function<void()> load_options(const StateDict& dict) override {
    const std::string who = std::string(Settings::kSchedulerName) + ".load_state_dict";
    return [this, loaded = detail::loaded_options(settings_, dict, "", who.c_str())] { settings_ = loaded; };
  }

  Settings settings_;
};

namespace detail {
#define XG_STEP_LR_SETTINGS(option)               \
  option(std::int64_t, step_size, 1, rule::at_least_1) \
  option(double, gamma, 0.1, rule::nonneg)
struct StepLRSettings {
  static constexpr const char* kSchedulerName = "StepLR";
  XG_SETTINGS(XG_STEP_LR_SETTINGS)
};
#define XG_MULTI_STEP_LR_SETTINGS(option)              \
  option(std::vector<std::int64_t>, milestones, {}) /* sorted */ \
  option(double, gamma, 0.1, rule::nonneg)
struct MultiStepLRSettings {
  static constexpr const char* kSchedulerName = "MultiStepLR";
  XG_SETTINGS(XG_MULTI_STEP_LR_SETTINGS)
};
#define XG_EXPONENTIAL_LR_SETTINGS(option) option(double, gamma, 0.1, rule::nonneg)
struct ExponentialLRSettings {
  static constexpr const char* kSchedulerName = "ExponentialLR";
  XG_SETTINGS(XG_EXPONENTIAL_LR_SETTINGS)
};
#define XG_COSINE_ANNEALING_LR_SETTINGS(option)    \
  option(std::int64_t, T_max, 1, rule::at_least_1) \
  option(double, eta_min, 0, rule::nonneg)
struct CosineAnnealingLRSettings {
  static constexpr const char* kSchedulerName = "CosineAnnealingLR";
  XG_SETTINGS(XG_COSINE_ANNEALING_LR_SETTINGS)
};
struct LambdaLRSettings {  // none: the functions are not saved
  static constexpr const char* kSchedulerName = "LambdaLR";
  static void for_each_option(auto&, auto&&) {}
};
#define XG_INVERSE_TIME_LR_SETTINGS(option) option(double, decay, 0, rule::nonneg)
struct InverseTimeLRSettings {
  static constexpr const char* kSchedulerName = "InverseTimeLR";
  XG_SETTINGS(XG_INVERSE_TIME_LR_SETTINGS)
};
}  // namespace detail

// lr ← lr·gamma every step_size epochs.
class StepLR : public LRSchedulerWith<detail::StepLRSettings> {
 public:
  StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma = 0.1);

 protected:
  std::vector<double> get_lr() override;
};

// lr ← lr·gamma^k at each milestone epoch (k = how often the epoch is listed).
class MultiStepLR : public LRSchedulerWith<detail::MultiStepLRSettings> {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<std::int64_t> milestones, double gamma = 0.1);

 protected:
  std::vector<double> get_lr() override;
};

// lr ← lr·gamma every epoch.
class ExponentialLR : public LRSchedulerWith<detail::ExponentialLRSettings> {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);

 protected:
  std::vector<double> get_lr() override;
};

// η_t = η_min + (η_base − η_min)·(1 + cos(π·t/T_max))/2, in PyTorch's recursive form (which
// keeps going as a cosine after T_max).
class CosineAnnealingLR : public LRSchedulerWith<detail::CosineAnnealingLRSettings> {
 public:
  CosineAnnealingLR(Optimizer& optimizer, std::int64_t T_max, double eta_min = 0.0);

 protected:
  std::vector<double> get_lr() override;
};

// lr = base_lr·λ(epoch), one λ for all groups or one per group. The functions are not saved.
class LambdaLR : public LRSchedulerWith<detail::LambdaLRSettings> {
 public:
  using Lambda = std::function<double(std::int64_t epoch)>;
  LambdaLR(Optimizer& optimizer, Lambda lr_lambda);
  LambdaLR(Optimizer& optimizer, std::vector<Lambda> lr_lambdas);

 protected:
  std::vector<double> get_lr() override;

 private:
  std::vector<Lambda> lambdas_;
};

// The lecture's learning-rate decay α = α₀ / (1 + decay·epoch).
class InverseTimeLR : public LRSchedulerWith<detail::InverseTimeLRSettings> {
 public:
  InverseTimeLR(Optimizer& optimizer, double decay);

 protected:
  std::vector<double> get_lr() override;
};

}  // namespace xg::optim
