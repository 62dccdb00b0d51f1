#include "optim/lr_scheduler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "optim/checks.h"
#include "optim/state_io.h"

namespace xg::optim {

// ----- LRScheduler -----
LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {}

std::vector<double> LRScheduler::group_lrs() const {
  std::vector<double> out;
  for (const auto& g : optimizer_.param_groups()) out.push_back(g.lr());
  return out;
}

void LRScheduler::initial_step() {
  base_lrs_ = group_lrs();
  last_lr_ = base_lrs_;
  last_epoch_ = -1;
  step_count_ = 0;
  step();
}

void LRScheduler::adopt_new_groups() {
  const auto& groups = optimizer_.param_groups();
  for (std::size_t i = base_lrs_.size(); i < groups.size(); ++i) base_lrs_.push_back(groups[i].lr());
}

void LRScheduler::step() {
  adopt_new_groups();
  ++step_count_;
  ++last_epoch_;
  const auto lrs = get_lr();
  auto& groups = optimizer_.param_groups();
  for (std::size_t i = 0; i < groups.size() && i < lrs.size(); ++i) groups[i].set_lr(lrs[i]);
  last_lr_ = group_lrs();
}

StateDict LRScheduler::state_dict() const {
  StateDict d;
  detail::put_int(d, "last_epoch", last_epoch_);
  detail::put_int(d, "step_count", step_count_);
  detail::put_doubles(d, "base_lrs", base_lrs_);
  detail::put_doubles(d, "last_lr", last_lr_);
  save_options(d);
  return d;
}

void LRScheduler::load_state_dict(const StateDict& d) {
  const std::string who_s = std::string(name()) + ".load_state_dict";
  const char* who = who_s.c_str();
  const std::int64_t last_epoch = detail::get_int(d, "last_epoch", who);
  const std::int64_t step_count = detail::get_int(d, "step_count", who);
  auto base = detail::get_doubles(d, "base_lrs", who);
  auto last = detail::get_doubles(d, "last_lr", who);
  const std::size_t n = optimizer_.param_groups().size();
  if (base.size() > n || last.size() != base.size())
    throw ValueError(fmt::format("{}: the state has {} base lrs and {} last lrs; the optimizer has {} param groups", who,
                                 base.size(), last.size(), n));
  if (last_epoch < 0 || step_count < 0)
    throw ValueError(fmt::format("{}: invalid last_epoch {} / step_count {}", who, last_epoch, step_count));
  const auto apply = load_options(d);
  apply();
  last_epoch_ = last_epoch;
  step_count_ = step_count;
  base_lrs_ = std::move(base);
  last_lr_ = std::move(last);
}

// ----- StepLR -----
StepLR::StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  if (step_size < 1) detail::invalid("StepLR", "step_size", static_cast<double>(step_size), "must be >= 1");
  detail::check_nonneg("StepLR", "gamma", gamma);
  initial_step();
}

std::vector<double> StepLR::get_lr() {
  auto lrs = group_lrs();
  if (last_epoch_ == 0 || last_epoch_ % step_size_ != 0) return lrs;
  for (auto& lr : lrs) lr = lr * gamma_;
  return lrs;
}

void StepLR::save_options(StateDict& d) const {
  detail::put_int(d, "step_size", step_size_);
  detail::put_double(d, "gamma", gamma_);
}

std::function<void()> StepLR::load_options(const StateDict& d) {
  const std::int64_t step_size = detail::get_int(d, "step_size", "StepLR.load_state_dict");
  const double gamma = detail::get_double(d, "gamma", "StepLR.load_state_dict");
  if (step_size < 1) detail::invalid("StepLR.load_state_dict", "step_size", static_cast<double>(step_size), "must be >= 1");
  detail::check_nonneg("StepLR.load_state_dict", "gamma", gamma);
  return [this, step_size, gamma] {
    step_size_ = step_size;
    gamma_ = gamma;
  };
}

// ----- MultiStepLR -----
MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<std::int64_t> milestones, double gamma)
    : LRScheduler(optimizer), milestones_(std::move(milestones)), gamma_(gamma) {
  detail::check_nonneg("MultiStepLR", "gamma", gamma);
  std::sort(milestones_.begin(), milestones_.end());
  initial_step();
}

std::vector<double> MultiStepLR::get_lr() {
  auto lrs = group_lrs();
  const auto k = std::count(milestones_.begin(), milestones_.end(), last_epoch_);
  if (k == 0) return lrs;
  for (auto& lr : lrs) lr = lr * std::pow(gamma_, static_cast<double>(k));
  return lrs;
}

void MultiStepLR::save_options(StateDict& d) const {
  d["milestones"] = from_vector(milestones_, Shape{static_cast<std::int64_t>(milestones_.size())});
  detail::put_double(d, "gamma", gamma_);
}

std::function<void()> MultiStepLR::load_options(const StateDict& d) {
  const char* who = "MultiStepLR.load_state_dict";
  const Tensor& m = detail::get_tensor(d, "milestones", who);
  if (m.dtype() != kInt64 || m.dim() != 1) throw ValueError(fmt::format("{}: 'milestones' must be 1-D int64", who));
  auto milestones = m.to_vector<std::int64_t>();
  std::sort(milestones.begin(), milestones.end());
  const double gamma = detail::get_double(d, "gamma", who);
  detail::check_nonneg(who, "gamma", gamma);
  return [this, milestones = std::move(milestones), gamma] {
    milestones_ = milestones;
    gamma_ = gamma;
  };
}

// ----- ExponentialLR -----
ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma) : LRScheduler(optimizer), gamma_(gamma) {
  detail::check_nonneg("ExponentialLR", "gamma", gamma);
  initial_step();
}

std::vector<double> ExponentialLR::get_lr() {
  auto lrs = group_lrs();
  if (last_epoch_ == 0) return lrs;
  for (auto& lr : lrs) lr = lr * gamma_;
  return lrs;
}

void ExponentialLR::save_options(StateDict& d) const { detail::put_double(d, "gamma", gamma_); }

std::function<void()> ExponentialLR::load_options(const StateDict& d) {
  const double gamma = detail::get_double(d, "gamma", "ExponentialLR.load_state_dict");
  detail::check_nonneg("ExponentialLR.load_state_dict", "gamma", gamma);
  return [this, gamma] { gamma_ = gamma; };
}

// ----- CosineAnnealingLR -----
CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, std::int64_t T_max, double eta_min)
    : LRScheduler(optimizer), T_max_(T_max), eta_min_(eta_min) {
  if (T_max < 1) detail::invalid("CosineAnnealingLR", "T_max", static_cast<double>(T_max), "must be >= 1");
  detail::check_nonneg("CosineAnnealingLR", "eta_min", eta_min);
  initial_step();
}

std::vector<double> CosineAnnealingLR::get_lr() {
  // PyTorch's recursive form, with the same operation order (so the numbers agree to the bit).
  constexpr double pi = std::numbers::pi;
  auto lrs = group_lrs();
  if (last_epoch_ == 0) return lrs;
  const double T = static_cast<double>(T_max_), e = static_cast<double>(last_epoch_);
  const std::int64_t period = 2 * T_max_;
  std::int64_t r = (last_epoch_ - 1 - T_max_) % period;  // Python's modulo is non-negative
  if (r < 0) r += period;
  for (std::size_t i = 0; i < lrs.size(); ++i) {
    if (r == 0) lrs[i] = lrs[i] + (base_lrs_[i] - eta_min_) * (1 - std::cos(pi / T)) / 2;
    else
      lrs[i] = (1 + std::cos(pi * e / T)) / (1 + std::cos(pi * (e - 1) / T)) * (lrs[i] - eta_min_) + eta_min_;
  }
  return lrs;
}

void CosineAnnealingLR::save_options(StateDict& d) const {
  detail::put_int(d, "T_max", T_max_);
  detail::put_double(d, "eta_min", eta_min_);
}

std::function<void()> CosineAnnealingLR::load_options(const StateDict& d) {
  const char* who = "CosineAnnealingLR.load_state_dict";
  const std::int64_t T_max = detail::get_int(d, "T_max", who);
  const double eta_min = detail::get_double(d, "eta_min", who);
  if (T_max < 1) detail::invalid(who, "T_max", static_cast<double>(T_max), "must be >= 1");
  detail::check_nonneg(who, "eta_min", eta_min);
  return [this, T_max, eta_min] {
    T_max_ = T_max;
    eta_min_ = eta_min;
  };
}

// ----- LambdaLR -----
LambdaLR::LambdaLR(Optimizer& optimizer, Lambda lr_lambda) : LRScheduler(optimizer) {
  if (!lr_lambda) throw ValueError("LambdaLR: lr_lambda is empty");
  lambdas_.push_back(std::move(lr_lambda));
  initial_step();
}

LambdaLR::LambdaLR(Optimizer& optimizer, std::vector<Lambda> lr_lambdas)
    : LRScheduler(optimizer), lambdas_(std::move(lr_lambdas)) {
  if (lambdas_.size() != optimizer.param_groups().size())
    throw ValueError(fmt::format("LambdaLR: expected {} lr_lambdas (one per param group), got {}",
                                 optimizer.param_groups().size(), lambdas_.size()));
  for (std::size_t i = 0; i < lambdas_.size(); ++i)
    if (!lambdas_[i]) throw ValueError(fmt::format("LambdaLR: lr_lambda {} is empty", i));
  initial_step();
}

std::vector<double> LambdaLR::get_lr() {
  std::vector<double> lrs;
  for (std::size_t i = 0; i < base_lrs_.size(); ++i) {
    // Groups added later share the last lambda.
    const auto& f = lambdas_[std::min(i, lambdas_.size() - 1)];
    lrs.push_back(base_lrs_[i] * f(last_epoch_));
  }
  return lrs;
}

// ----- InverseTimeLR -----
InverseTimeLR::InverseTimeLR(Optimizer& optimizer, double decay) : LRScheduler(optimizer), decay_(decay) {
  detail::check_nonneg("InverseTimeLR", "decay", decay);
  initial_step();
}

std::vector<double> InverseTimeLR::get_lr() {
  std::vector<double> lrs;
  for (double base : base_lrs_) lrs.push_back(base / (1 + decay_ * static_cast<double>(last_epoch_)));
  return lrs;
}

void InverseTimeLR::save_options(StateDict& d) const { detail::put_double(d, "decay", decay_); }

std::function<void()> InverseTimeLR::load_options(const StateDict& d) {
  const double decay = detail::get_double(d, "decay", "InverseTimeLR.load_state_dict");
  detail::check_nonneg("InverseTimeLR.load_state_dict", "decay", decay);
  return [this, decay] { decay_ = decay; };
}

// ----- ReduceLROnPlateau -----
void ReduceLROnPlateauOptions::validate(std::size_t n_groups) const {
  const char* who = "ReduceLROnPlateau";
  if (mode_ != PlateauMode::min && mode_ != PlateauMode::max)
    throw ValueError(fmt::format("{}: invalid mode {} (must be min or max)", who, static_cast<int>(mode_)));
  if (threshold_mode_ != ThresholdMode::rel && threshold_mode_ != ThresholdMode::abs)
    throw ValueError(fmt::format("{}: invalid threshold_mode {} (must be rel or abs)", who, static_cast<int>(threshold_mode_)));
  detail::check_unit(who, "factor", factor_);
  if (patience_ < 0) detail::invalid(who, "patience", static_cast<double>(patience_), "must be >= 0");
  if (cooldown_ < 0) detail::invalid(who, "cooldown", static_cast<double>(cooldown_), "must be >= 0");
  detail::check_nonneg(who, "threshold", threshold_);
  detail::check_nonneg(who, "min_lr", min_lr_);
  detail::check_nonneg(who, "eps", eps_);
  if (!min_lrs_.empty() && min_lrs_.size() != n_groups)
    throw ValueError(fmt::format("{}: expected {} min_lrs (one per param group), got {}", who, n_groups, min_lrs_.size()));
  for (double m : min_lrs_) detail::check_nonneg(who, "min_lrs entry", m);
}

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options)
    : optimizer_(optimizer), options_(std::move(options)) {
  options_.validate(optimizer.param_groups().size());
  min_lrs_ = options_.min_lrs().empty() ? std::vector<double>(optimizer.param_groups().size(), options_.min_lr())
                                        : options_.min_lrs();
  best_ = options_.mode() == PlateauMode::min ? std::numeric_limits<double>::infinity()
                                              : -std::numeric_limits<double>::infinity();
  for (const auto& g : optimizer_.param_groups()) last_lr_.push_back(g.lr());
}

bool ReduceLROnPlateau::is_better(double a, double best) const {
  const double th = options_.threshold();
  if (options_.mode() == PlateauMode::min)
    return options_.threshold_mode() == ThresholdMode::rel ? a < best * (1. - th) : a < best - th;
  return options_.threshold_mode() == ThresholdMode::rel ? a > best * (th + 1.) : a > best + th;
}

void ReduceLROnPlateau::step(double metric) {
  auto& groups = optimizer_.param_groups();
  while (min_lrs_.size() < groups.size()) min_lrs_.push_back(options_.min_lr());  // groups added later
  ++last_epoch_;
  if (is_better(metric, best_)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (in_cooldown()) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;  // bad epochs in cooldown are not counted
  }
  if (num_bad_epochs_ > options_.patience()) {
    for (std::size_t i = 0; i < groups.size(); ++i) {
      const double old_lr = groups[i].lr();
      const double new_lr = std::max(old_lr * options_.factor(), min_lrs_[i]);
      if (old_lr - new_lr > options_.eps()) groups[i].set_lr(new_lr);
    }
    cooldown_counter_ = options_.cooldown();
    num_bad_epochs_ = 0;
  }
  last_lr_.clear();
  for (const auto& g : groups) last_lr_.push_back(g.lr());
}

StateDict ReduceLROnPlateau::state_dict() const {
  StateDict d;
  detail::put_int(d, "mode", options_.mode() == PlateauMode::min ? 0 : 1);
  detail::put_double(d, "factor", options_.factor());
  detail::put_int(d, "patience", options_.patience());
  detail::put_double(d, "threshold", options_.threshold());
  detail::put_int(d, "threshold_mode", options_.threshold_mode() == ThresholdMode::rel ? 0 : 1);
  detail::put_int(d, "cooldown", options_.cooldown());
  detail::put_double(d, "min_lr", options_.min_lr());
  detail::put_doubles(d, "min_lrs", min_lrs_);
  detail::put_double(d, "eps", options_.eps());
  detail::put_double(d, "best", best_);
  detail::put_int(d, "num_bad_epochs", num_bad_epochs_);
  detail::put_int(d, "cooldown_counter", cooldown_counter_);
  detail::put_int(d, "last_epoch", last_epoch_);
  detail::put_doubles(d, "last_lr", last_lr_);
  return d;
}

void ReduceLROnPlateau::load_state_dict(const StateDict& d) {
  const char* who = "ReduceLROnPlateau.load_state_dict";
  ReduceLROnPlateauOptions o;
  const std::int64_t mode = detail::get_int(d, "mode", who), tmode = detail::get_int(d, "threshold_mode", who);
  if (mode != 0 && mode != 1) throw ValueError(fmt::format("{}: invalid mode {} (0 = min, 1 = max)", who, mode));
  if (tmode != 0 && tmode != 1) throw ValueError(fmt::format("{}: invalid threshold_mode {} (0 = rel, 1 = abs)", who, tmode));
  o.mode(mode == 0 ? PlateauMode::min : PlateauMode::max)
      .factor(detail::get_double(d, "factor", who))
      .patience(detail::get_int(d, "patience", who))
      .threshold(detail::get_double(d, "threshold", who))
      .threshold_mode(tmode == 0 ? ThresholdMode::rel : ThresholdMode::abs)
      .cooldown(detail::get_int(d, "cooldown", who))
      .min_lr(detail::get_double(d, "min_lr", who))
      .eps(detail::get_double(d, "eps", who));
  auto min_lrs = detail::get_doubles(d, "min_lrs", who);
  const std::size_t n = optimizer_.param_groups().size();
  if (min_lrs.size() > n)
    throw ValueError(fmt::format("{}: the state has {} min_lrs, the optimizer {} param groups", who, min_lrs.size(), n));
  o.validate(n);
  for (double m : min_lrs) detail::check_nonneg(who, "min_lrs entry", m);
  const double best = detail::get_double(d, "best", who);
  const std::int64_t bad = detail::get_int(d, "num_bad_epochs", who);
  const std::int64_t cool = detail::get_int(d, "cooldown_counter", who);
  const std::int64_t last_epoch = detail::get_int(d, "last_epoch", who);
  auto last_lr = detail::get_doubles(d, "last_lr", who);
  if (bad < 0 || cool < 0 || last_epoch < 0)
    throw ValueError(fmt::format("{}: invalid counters num_bad_epochs {}, cooldown_counter {}, last_epoch {}", who, bad,
                                 cool, last_epoch));
  options_ = std::move(o);
  min_lrs_ = std::move(min_lrs);
  best_ = best;
  num_bad_epochs_ = bad;
  cooldown_counter_ = cool;
  last_epoch_ = last_epoch;
  last_lr_ = std::move(last_lr);
}

}  // namespace xg::optim
