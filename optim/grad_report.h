#pragma once
// A per-parameter and per-layer gradient-norm report, for spotting vanishing and exploding
// gradients (the lecture's deep-network experiments): call after backward().
//   auto r = xg::optim::grad_norm_report(net.named_parameters());
//   std::cout << r.to_string();   // one row per layer, then one per parameter
#include <cstdint>
#include <string>
#include <vector>

#include "optim/optimizer.h"

namespace xg::optim {

struct GradNormEntry {
  std::string name;          // "fc1.weight", or the layer "fc1"
  std::int64_t numel = 0;    // elements (with a gradient, for layers)
  bool has_grad = false;     // false for frozen parameters / layers without any gradient
  double grad_norm = 0;      // ‖∇‖_p
  double param_norm = 0;     // ‖θ‖_p
  double grad_rms = 0;       // ‖∇‖₂ / √numel (scale-free across layer sizes; 2-norm only)
  double ratio = 0;          // grad_norm / param_norm (0 if param_norm is 0)
};

struct GradNormReport {
  double norm_type = 2;
  std::vector<GradNormEntry> parameters;  // in the given order
  std::vector<GradNormEntry> layers;      // grouped by the name up to the last '.', in first-seen order
  double total_norm = 0;                  // over all gradients, as clip_grad_norm_ computes it
  // Layers whose gradient norm is below `vanishing` or above `exploding`.
  std::vector<std::string> vanishing_layers(double threshold = 1e-6) const;
  std::vector<std::string> exploding_layers(double threshold = 1e3) const;
  // Ratio of the largest to the smallest non-zero layer gradient norm (1 if fewer than 2 layers).
  double layer_spread() const;
  std::string to_string() const;  // a fixed-width table
};

// ValueError for norm_type <= 0.
GradNormReport grad_norm_report(const NamedTensors& named_parameters, double norm_type = 2.0);

}  // namespace xg::optim
