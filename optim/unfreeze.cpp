#include "optim/unfreeze.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_set>

#include "optim/state_io.h"

namespace xg::optim {

UnfreezeStage::UnfreezeStage(std::int64_t epoch_, std::string name_, std::vector<Tensor> params_, double lr_)
    : epoch(epoch_), name(std::move(name_)), params(std::move(params_)), lr(lr_) {}
UnfreezeStage::UnfreezeStage(std::int64_t epoch_, std::string name_, const NamedTensors& named_params, double lr_)
    : UnfreezeStage(epoch_, std::move(name_), tensors_of(named_params), lr_) {}

GradualUnfreezing::GradualUnfreezing(Optimizer& optimizer, std::vector<UnfreezeStage> stages)
    : optimizer_(optimizer), stages_(std::move(stages)), done_(stages_.size(), false) {
  const char* who = "GradualUnfreezing";
  std::unordered_set<const TensorImpl*> in_optimizer;
  for (const auto& p : optimizer_.parameters()) in_optimizer.insert(p.impl().get());
  std::unordered_set<const TensorImpl*> seen;
  std::set<std::string> names;
  for (const auto& s : stages_) {
    if (s.name.empty()) throw ValueError(fmt::format("{}: a stage has an empty name", who));
    if (!names.insert(s.name).second) throw ValueError(fmt::format("{}: stage name '{}' is used twice", who, s.name));
    if (s.epoch < 0)
      throw ValueError(fmt::format("{}: stage '{}' has invalid epoch {} (must be >= 0)", who, s.name, s.epoch));
    if (!(s.lr >= 0) || std::isinf(s.lr))
      throw ValueError(fmt::format("{}: stage '{}' has invalid lr {} (must be finite and >= 0)", who, s.name, s.lr));
    for (std::size_t i = 0; i < s.params.size(); ++i) {
      const Tensor& p = s.params[i];
      if (!p.defined() || !p.is_floating_point() || !p.is_leaf())
        throw ValueError(fmt::format("{}: parameter {} of stage '{}' must be a defined float leaf tensor", who, i, s.name));
      if (in_optimizer.count(p.impl().get()))
        throw ValueError(fmt::format("{}: parameter {} of stage '{}' is already in the optimizer; give the optimizer "
                                     "only the trainable parameters",
                                     who, i, s.name));
      if (!seen.insert(p.impl().get()).second)
        throw ValueError(fmt::format("{}: parameter {} of stage '{}' also is in another stage", who, i, s.name));
    }
  }
  // Unfreezing (and so param-group) order is by epoch, then by position: a resumed run re-adds
  // the groups in the same order.
  std::stable_sort(stages_.begin(), stages_.end(),
                   [](const UnfreezeStage& a, const UnfreezeStage& b) { return a.epoch < b.epoch; });
  for (auto& s : stages_)
    for (auto& p : s.params) {
      p.requires_grad_(false);
      p.set_grad({});
    }
  unfreeze_due();
}

void GradualUnfreezing::unfreeze(std::size_t i) {
  auto& s = stages_[i];
  auto options = optimizer_.defaults().clone();
  options->set_lr(s.lr);
  optimizer_.add_param_group(OptimizerParamGroup(s.params, std::move(options)));
  for (auto& p : s.params) p.requires_grad_(true);
  done_[i] = true;
}

std::vector<std::string> GradualUnfreezing::unfreeze_due() {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < stages_.size(); ++i)
    if (!done_[i] && stages_[i].epoch <= last_epoch_) {
      unfreeze(i);
      names.push_back(stages_[i].name);
    }
  return names;
}

std::vector<std::string> GradualUnfreezing::step() {
  ++last_epoch_;
  return unfreeze_due();
}

bool GradualUnfreezing::is_unfrozen(const std::string& name) const {
  for (std::size_t i = 0; i < stages_.size(); ++i)
    if (stages_[i].name == name) return done_[i];
  throw ValueError(fmt::format("GradualUnfreezing: no stage named '{}'", name));
}

StateDict GradualUnfreezing::state_dict() const {
  StateDict d;
  detail::put(d, "last_epoch", last_epoch_);
  for (std::size_t i = 0; i < stages_.size(); ++i) detail::put(d, "unfrozen." + stages_[i].name, done_[i]);
  return d;
}

void GradualUnfreezing::load_state_dict(const StateDict& d) {
  const char* who = "GradualUnfreezing.load_state_dict";
  const std::int64_t last_epoch = detail::get<std::int64_t>(d, "last_epoch", who);
  if (last_epoch < 0) throw ValueError(fmt::format("{}: invalid last_epoch {}", who, last_epoch));
  std::vector<bool> want(stages_.size());
  for (std::size_t i = 0; i < stages_.size(); ++i) {
    want[i] = detail::get<bool>(d, "unfrozen." + stages_[i].name, who);
    if (done_[i] && !want[i])
      throw ValueError(fmt::format("{}: stage '{}' is already unfrozen here but frozen in the state (its param group "
                                   "cannot be removed); load the state into a fresh schedule",
                                   who, stages_[i].name));
  }
  last_epoch_ = last_epoch;
  for (std::size_t i = 0; i < stages_.size(); ++i)
    if (want[i] && !done_[i]) unfreeze(i);
}

}  // namespace xg::optim
