#pragma once
// AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, as PyTorch:
//   θ ← θ·(1 − lr·weight_decay), then the Adam step without weight decay in the gradient.
// Its options are Adam's; the default weight_decay is 1e-2, as PyTorch.
#include "optim/adam.h"

namespace xg::optim {

struct AdamWOptions : public detail::AdamFamilyOptions<AdamWOptions> {
  static constexpr const char* kOptimizerName = "AdamW";
  AdamWOptions(double lr = 1e-3) : AdamFamilyOptions(lr, /*weight_decay=*/1e-2) {}  // NOLINT: implicit, as LibTorch
};

class AdamW : public OptimizerWith<AdamW, AdamWOptions> {
 public:
  using OptimizerWith::OptimizerWith;
  static constexpr auto kBufferNames = Adam::kBufferNames;
  static void update_param(Tensor& p, const Tensor& grad, ParamState& state, const AdamWOptions& o) {
    detail::adam_update(p, grad, state, detail::adam_step(o, detail::WeightDecay::decoupled));
  }
};

}  // namespace xg::optim
