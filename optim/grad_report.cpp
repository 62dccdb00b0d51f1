#include "optim/grad_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "optim/clip_grad.h"
#include "optim/p_norm.h"

namespace xg::optim {

namespace {
std::string layer_of(const std::string& name) {
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}
}  // namespace

GradNormReport grad_norm_report(const NamedTensors& named, double norm_type) {
  if (!(norm_type > 0))
    throw ValueError(fmt::format("grad_norm_report: invalid norm_type {} (must be > 0 or inf)", norm_type));
  GradNormReport r;
  r.norm_type = norm_type;
  std::map<std::string, std::size_t> layer_index;
  std::vector<std::vector<double>> layer_grad, layer_param;  // the norms of each layer's parameters
  std::vector<double> layer_sq;
  std::vector<double> grad_norms;
  for (const auto& [name, p] : named) {
    if (!p.defined() || !p.is_floating_point()) continue;
    GradNormEntry e;
    e.name = name;
    e.numel = p.numel();
    e.param_norm = grad_norm(p.detach(), norm_type);
    const Tensor g = p.grad();
    e.has_grad = g.defined();
    double sq = 0;
    if (e.has_grad) {
      e.grad_norm = grad_norm(g, norm_type);
      const double l2 = grad_norm(g, 2.0);
      sq = l2 * l2;
      e.grad_rms = e.numel > 0 ? l2 / std::sqrt(static_cast<double>(e.numel)) : 0;
      e.ratio = e.param_norm > 0 ? e.grad_norm / e.param_norm : 0;
      grad_norms.push_back(e.grad_norm);
    }
    const std::string layer = layer_of(name);
    auto [it, inserted] = layer_index.emplace(layer, r.layers.size());
    if (inserted) {
      GradNormEntry le;
      le.name = layer;
      r.layers.push_back(le);
      layer_grad.emplace_back();
      layer_param.emplace_back();
      layer_sq.push_back(0);
    }
    const std::size_t li = it->second;
    layer_param[li].push_back(e.param_norm);
    if (e.has_grad) {
      r.layers[li].has_grad = true;
      r.layers[li].numel += e.numel;
      layer_grad[li].push_back(e.grad_norm);
      layer_sq[li] += sq;
    }
    r.parameters.push_back(e);
  }
  for (std::size_t i = 0; i < r.layers.size(); ++i) {
    auto& le = r.layers[i];
    le.param_norm = detail::norm_of_norms(layer_param[i], norm_type);
    if (!le.has_grad) continue;
    le.grad_norm = detail::norm_of_norms(layer_grad[i], norm_type);
    le.grad_rms = le.numel > 0 ? std::sqrt(layer_sq[i] / static_cast<double>(le.numel)) : 0;
    le.ratio = le.param_norm > 0 ? le.grad_norm / le.param_norm : 0;
  }
  r.total_norm = detail::norm_of_norms(grad_norms, norm_type);
  return r;
}

std::vector<std::string> GradNormReport::vanishing_layers(double threshold) const {
  std::vector<std::string> out;
  for (const auto& l : layers)
    if (l.has_grad && l.grad_norm < threshold) out.push_back(l.name);
  return out;
}

std::vector<std::string> GradNormReport::exploding_layers(double threshold) const {
  std::vector<std::string> out;
  for (const auto& l : layers)
    if (l.has_grad && !(l.grad_norm <= threshold)) out.push_back(l.name);  // NaN counts as exploding
  return out;
}

double GradNormReport::layer_spread() const {
  double lo = INFINITY, hi = 0;
  std::size_t n = 0;
  for (const auto& l : layers)
    if (l.has_grad && l.grad_norm > 0) {
      lo = std::min(lo, l.grad_norm);
      hi = std::max(hi, l.grad_norm);
      ++n;
    }
  return n < 2 ? 1.0 : hi / lo;
}

std::string GradNormReport::to_string() const {
  std::string s = fmt::format("{:<28} {:>10} {:>12} {:>12} {:>12} {:>10}\n", "layer / parameter", "numel",
                              fmt::format("|grad|_{}", norm_type), "grad rms", "|param|", "ratio");
  auto row = [&s](const GradNormEntry& e, const char* indent) {
    if (!e.has_grad)
      s += fmt::format("{}{:<{}} {:>10} {:>12}\n", indent, e.name, 28 - std::string(indent).size(), e.numel, "(no grad)");
    else
      s += fmt::format("{}{:<{}} {:>10} {:>12.4e} {:>12.4e} {:>12.4e} {:>10.3e}\n", indent, e.name,
                       28 - std::string(indent).size(), e.numel, e.grad_norm, e.grad_rms, e.param_norm, e.ratio);
  };
  for (const auto& l : layers) row(l, "");
  s += "parameters:\n";
  for (const auto& p : parameters) row(p, "  ");
  s += fmt::format("total gradient norm {:.6e}\n", total_norm);
  return s;
}

}  // namespace xg::optim
