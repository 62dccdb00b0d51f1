#pragma once
// Gradual unfreezing for transfer learning (the lecture's "gradually unfreeze layers, slow down
// the learning rate"). Module-agnostic: each stage names a set of parameters (e.g. a pretrained
// submodule's), the epoch at which it is unfrozen and the lr of the param group it then gets.
//
//   xg::optim::GradualUnfreezing unfreeze(opt, {{2, "layer3", l3_params, 1e-4},
//                                               {4, "layer2", l2_params, 1e-5}});
//   for (epoch ...) { train_one_epoch(); unfreeze.step(); }
//
// Construction freezes every stage's parameters (requires_grad_(false), gradients cleared) and
// unfreezes the stages whose epoch is <= 0. step() advances the epoch (call it once per epoch, like
// a scheduler) and unfreezes every stage whose epoch has come: requires_grad_(true) on its
// parameters and optimizer.add_param_group with a copy of the optimizer's defaults at the
// stage's lr. A stage's parameters must not already be in the optimizer.
// To resume: build the model, optimizer and schedule as before, load this schedule's state
// first (it re-adds the unfrozen groups), then the optimizer's, then any LR scheduler's.
#include <cstdint>
#include <string>
#include <vector>

#include "optim/optimizer.h"

namespace xg::optim {

struct UnfreezeStage {
  std::int64_t epoch;          // unfrozen by the step() that reaches this epoch
  std::string name;            // e.g. the submodule's name, reported by step()
  std::vector<Tensor> params;  // the parameters to unfreeze
  double lr;                   // lr of their new param group
  UnfreezeStage(std::int64_t epoch, std::string name, std::vector<Tensor> params, double lr);
  UnfreezeStage(std::int64_t epoch, std::string name, const NamedTensors& named_params, double lr);
};

class GradualUnfreezing {
 public:
  // ValueError (before changing anything) for a negative epoch or lr, an empty or duplicated
  // stage name, a parameter already in the optimizer or in two stages.
  GradualUnfreezing(Optimizer& optimizer, std::vector<UnfreezeStage> stages);
  // Advances the epoch and returns the names of the stages unfrozen by this call.
  std::vector<std::string> step();
  std::int64_t last_epoch() const { return last_epoch_; }
  bool is_unfrozen(const std::string& name) const;
  const std::vector<UnfreezeStage>& stages() const { return stages_; }  // sorted by epoch

  StateDict state_dict() const;  // "last_epoch", "unfrozen.<name>" (0/1)
  void load_state_dict(const StateDict& dict);

 private:
  std::vector<std::string> unfreeze_due();
  void unfreeze(std::size_t stage);
  Optimizer& optimizer_;
  std::vector<UnfreezeStage> stages_;
  std::vector<bool> done_;
  std::int64_t last_epoch_ = 0;
};

}  // namespace xg::optim
