#pragma once
// LayerMonitor: per-layer activation statistics and gradient norms at every step, written to
// a CSV, for watching activations and gradients vanish or explode through a deep network.
//   xg::nn::LayerMonitor monitor(model, "layers.csv");
//   ... forward, backward ...
//   monitor.step();   // one row per layer for this step
// Built on module hooks: a forward hook records the mean and std of each layer's output, a
// backward hook the norm of the gradient w.r.t. that output; step() adds the norm of the
// layer's own parameter gradients.
#include <fstream>
#include <string>
#include <vector>

#include "nn/module.h"

namespace xg::nn {

struct LayerStats {
  std::string layer;
  double activation_mean = 0, activation_std = 0;
  double output_grad_norm = 0;  // ‖∂loss/∂output‖₂ (0 before backward)
  double param_grad_norm = 0;   // ‖∂loss/∂θ_layer‖₂ over the layer's own parameters
};

class LayerMonitor {
 public:
  // Watches every module without children (the layers); csv_path may be empty (no file).
  LayerMonitor(Module& model, const std::string& csv_path = "");
  ~LayerMonitor();
  LayerMonitor(const LayerMonitor&) = delete;
  LayerMonitor& operator=(const LayerMonitor&) = delete;

  // Finishes the current step: fills parameter-gradient norms, appends rows to the CSV,
  // returns the rows and starts a new step.
  std::vector<LayerStats> step();
  std::int64_t steps() const { return step_; }

 private:
  struct Watched {
    std::string name;
    Module* module;
    LayerStats stats;
  };
  std::vector<Watched> layers_;
  std::vector<HookHandle> handles_;
  std::ofstream csv_;
  std::int64_t step_ = 0;
};

}  // namespace xg::nn
