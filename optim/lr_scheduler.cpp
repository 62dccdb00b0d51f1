#include "optim/lr_scheduler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

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
  detail::put(d, "last_epoch", last_epoch_);
  detail::put(d, "step_count", step_count_);
  detail::put(d, "base_lrs", base_lrs_);
  detail::put(d, "last_lr", last_lr_);
  save_options(d);
  return d;
}

void LRScheduler::load_state_dict(const StateDict& d) {
  const std::string who_s = std::string(name()) + ".load_state_dict";
  const char* who = who_s.c_str();
  const std::int64_t last_epoch = detail::get<std::int64_t>(d, "last_epoch", who);
  const std::int64_t step_count = detail::get<std::int64_t>(d, "step_count", who);
  auto base = detail::get<std::vector<double>>(d, "base_lrs", who);
  auto last = detail::get<std::vector<double>>(d, "last_lr", who);
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
    : LRSchedulerWith(optimizer, {step_size, gamma}) {
  initial_step();
}

std::vector<double> StepLR::get_lr() {
  auto lrs = group_lrs();
  if (last_epoch_ == 0 || last_epoch_ % settings_.step_size != 0) return lrs;
  for (auto& lr : lrs) lr = lr * settings_.gamma;
  return lrs;
}

// ----- MultiStepLR -----
namespace {
std::vector<std::int64_t> sorted(std::vector<std::int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}
}  // namespace

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<std::int64_t> milestones, double gamma)
    : LRSchedulerWith(optimizer, {sorted(std::move(milestones)), gamma}) {
  initial_step();
}

std::vector<double> MultiStepLR::get_lr() {
  auto lrs = group_lrs();
  const auto k = std::count(settings_.milestones.begin(), settings_.milestones.end(), last_epoch_);
  if (k == 0) return lrs;
  for (auto& lr : lrs) lr = lr * std::pow(settings_.gamma, static_cast<double>(k));
  return lrs;
}

// ----- ExponentialLR -----
ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma) : LRSchedulerWith(optimizer, {gamma}) {
  initial_step();
}

std::vector<double> ExponentialLR::get_lr() {
  auto lrs = group_lrs();
  if (last_epoch_ == 0) return lrs;
  for (auto& lr : lrs) lr = lr * settings_.gamma;
  return lrs;
}

// ----- CosineAnnealingLR -----
CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, std::int64_t T_max, double eta_min)
    : LRSchedulerWith(optimizer, {T_max, eta_min}) {
  initial_step();
}

std::vector<double> CosineAnnealingLR::get_lr() {
  // PyTorch's recursive form, with the same operation order (so the numbers agree to the bit).
  constexpr double pi = std::numbers::pi;
  auto lrs = group_lrs();
  if (last_epoch_ == 0) return lrs;
  const std::int64_t T_max = settings_.T_max;
  const double eta_min = settings_.eta_min;
  const double T = static_cast<double>(T_max), e = static_cast<double>(last_epoch_);
  const std::int64_t period = 2 * T_max;
  std::int64_t r = (last_epoch_ - 1 - T_max) % period;  // Python's modulo is non-negative
  if (r < 0) r += period;
  for (std::size_t i = 0; i < lrs.size(); ++i) {
    if (r == 0) lrs[i] = lrs[i] + (base_lrs_[i] - eta_min) * (1 - std::cos(pi / T)) / 2;
    else
      lrs[i] = (1 + std::cos(pi * e / T)) / (1 + std::cos(pi * (e - 1) / T)) * (lrs[i] - eta_min) + eta_min;
  }
  return lrs;
}

// ----- LambdaLR -----
LambdaLR::LambdaLR(Optimizer& optimizer, Lambda lr_lambda) : LRSchedulerWith(optimizer, {}) {
  if (!lr_lambda) throw ValueError("LambdaLR: lr_lambda is empty");
  lambdas_.push_back(std::move(lr_lambda));
  initial_step();
}

LambdaLR::LambdaLR(Optimizer& optimizer, std::vector<Lambda> lr_lambdas)
    : LRSchedulerWith(optimizer, {}), lambdas_(std::move(lr_lambdas)) {
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
InverseTimeLR::InverseTimeLR(Optimizer& optimizer, double decay) : LRSchedulerWith(optimizer, {decay}) {
  initial_step();
}

std::vector<double> InverseTimeLR::get_lr() {
  std::vector<double> lrs;
  for (double base : base_lrs_) lrs.push_back(base / (1 + settings_.decay * static_cast<double>(last_epoch_)));
  return lrs;
}

}  // namespace xg::optim
