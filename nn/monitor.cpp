#include "nn/monitor.h"

#include <fmt/format.h>

#include <cmath>

#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"

namespace xg::nn {

LayerMonitor::LayerMonitor(Module& model, const std::string& csv_path) {
  for (const auto& [name, m] : model.named_modules())
    if (m->named_children().empty()) layers_.push_back({name.empty() ? m->type_name() : name, m, {}});
  for (auto& w : layers_) w.stats.layer = w.name;
  if (!csv_path.empty()) {
    csv_.open(csv_path);
    if (!csv_) throw IOError(fmt::format("LayerMonitor: cannot open '{}' for writing", csv_path));
    csv_ << "step,layer,activation_mean,activation_std,output_grad_norm,param_grad_norm\n";
  }
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    handles_.push_back(layers_[i].module->register_forward_hook([this, i](Module&, const Tensor&, const Tensor& out) {
      NoGradGuard ng;
      if (out.is_floating_point() && out.numel() > 0) {
        layers_[i].stats.activation_mean = mean(out).item<double>();
        layers_[i].stats.activation_std = out.numel() > 1 ? xg::std(out).item<double>() : 0.0;
      }
      return std::optional<Tensor>{};
    }));
    handles_.push_back(layers_[i].module->register_full_backward_hook([this, i](Module&, const Tensor& g) {
      NoGradGuard ng;
      layers_[i].stats.output_grad_norm = norm(g).item<double>();
    }));
  }
}

LayerMonitor::~LayerMonitor() {
  for (auto& h : handles_) h.remove();
}

std::vector<LayerStats> LayerMonitor::step() {
  std::vector<LayerStats> rows;
  NoGradGuard ng;
  for (auto& w : layers_) {
    double sq = 0;
    for (const auto& p : w.module->parameters(false))
      if (p.grad().defined()) {
        const double n = norm(p.grad()).item<double>();
        sq += n * n;
      }
    w.stats.param_grad_norm = std::sqrt(sq);
    rows.push_back(w.stats);
    if (csv_.is_open())
      csv_ << fmt::format("{},{},{:.9g},{:.9g},{:.9g},{:.9g}\n", step_, w.name, w.stats.activation_mean, w.stats.activation_std,
                          w.stats.output_grad_norm, w.stats.param_grad_norm);
    w.stats = LayerStats{w.name};
  }
  csv_.flush();
  ++step_;
  return rows;
}

}  // namespace xg::nn
