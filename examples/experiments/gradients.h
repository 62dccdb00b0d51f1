#pragma once
// Experiment 3 of the lecture: vanishing and exploding gradients in deep networks.
//  A. A 24-hidden-layer MLP (width 64) with naive init (N(0, 0.01²) or N(0, 1) weights) against the
//     lecture's w = ρ·c scaling (Xavier c = √(2/(n_in+n_out)) for tanh/sigmoid, He c = √(2/n_in) for
//     ReLU): per-layer gradient norms after one backward pass (optim::grad_norm_report) and
//     activation std (nn::LayerMonitor).
//  B. Exploding gradients: a 20-layer ReLU net (He init) trained with plain SGD at too high an lr, with and
//     without optim::clip_grad_norm_: loss and gradient norm per step.
#include <string>
#include <vector>

#include "harness.h"

namespace xg::experiments {

struct GradientInitCase {
  std::string name;         // "tanh, N(0, 0.01^2)"
  std::string activation;   // tanh, sigmoid, relu
  std::string init;         // e.g. "N(0,0.01^2)", "xavier", "he"
  double first_grad = 0;    // ‖∂J/∂θ‖ of the first layer (weight and bias)
  double last_grad = 0;     // of the output layer
  double ratio = 0;         // first_grad / last_grad
  double min_grad = 0, max_grad = 0;  // over all layers
};

struct ClipRun {
  std::string name;
  double max_norm = 0;             // clipping threshold (0: no clipping)
  double initial_loss = 0;         // loss at step 0
  double final_loss = 0;           // loss at the last step that was run (NaN/inf if diverged)
  double best_loss = 0;            // smallest finite loss seen
  double max_grad_norm = 0;        // largest finite total gradient norm (before clipping)
  int nonfinite_step = -1;         // first step with a non-finite loss or gradient norm (-1: none)
  int steps = 0;                   // steps run
  bool finite() const { return nonfinite_step < 0; }
};

struct GradientsResult {
  int depth = 0, width = 0;
  std::vector<GradientInitCase> cases;
  const GradientInitCase& find(const std::string& activation, const std::string& init) const;
  ClipRun unclipped, clipped;
};

GradientsResult run_gradients(const RunOptions& o);

// exp_gradients --conv (gradients_conv.cpp): one backward pass through a deep plain conv stack
// (`depth` 3x3 conv layers of `channels`, then a Linear head) with sigmoid, tanh or ReLU, PyTorch's
// default init or He, with or without BatchNorm2d. first_grad is the first conv layer's ‖∂J/∂θ‖,
// last_grad the last conv layer's (the head is left out of ratio, min and max).
struct ConvGradientsResult {
  int depth = 0, channels = 0, side = 0;
  std::vector<GradientInitCase> cases;  // init: "default", "he", "default+bn"
  const GradientInitCase& find(const std::string& activation, const std::string& init) const;
};

ConvGradientsResult run_gradients_conv(const RunOptions& o);

}  // namespace xg::experiments
