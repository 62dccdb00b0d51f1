#include "optim/reduce_lr_on_plateau.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "optim/option_io.h"

namespace xg::optim {

void ReduceLROnPlateauOptions::validate(std::size_t n_groups) const {
  const char* who = "ReduceLROnPlateau";
  detail::validate_options(*this, who);
  if (!min_lrs_.empty() && min_lrs_.size() != n_groups)
    throw ValueError(fmt::format("{}: expected {} min_lrs (one per param group), got {}", who, n_groups, min_lrs_.size()));
  for (double m : min_lrs_) rule::nonneg.check(who, "min_lrs entry", m);
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
  detail::save_options(options_, d, "");
  detail::put(d, "min_lrs", min_lrs_);
  detail::put(d, "best", best_);
  detail::put(d, "num_bad_epochs", num_bad_epochs_);
  detail::put(d, "cooldown_counter", cooldown_counter_);
  detail::put(d, "last_epoch", last_epoch_);
  detail::put(d, "last_lr", last_lr_);
  return d;
}

void ReduceLROnPlateau::load_state_dict(const StateDict& d) {
  const char* who = "ReduceLROnPlateau.load_state_dict";
  ReduceLROnPlateauOptions o;
  detail::load_options(o, d, "", who);
  auto min_lrs = detail::get<std::vector<double>>(d, "min_lrs", who);
  const std::size_t n = optimizer_.param_groups().size();
  if (min_lrs.size() > n)
    throw ValueError(fmt::format("{}: the state has {} min_lrs, the optimizer {} param groups", who, min_lrs.size(), n));
  o.validate(n);
  for (double m : min_lrs) rule::nonneg.check(who, "min_lrs entry", m);
  const double best = detail::get<double>(d, "best", who);
  const std::int64_t bad = detail::get<std::int64_t>(d, "num_bad_epochs", who);
  const std::int64_t cool = detail::get<std::int64_t>(d, "cooldown_counter", who);
  const std::int64_t last_epoch = detail::get<std::int64_t>(d, "last_epoch", who);
  auto last_lr = detail::get<std::vector<double>>(d, "last_lr", who);
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
