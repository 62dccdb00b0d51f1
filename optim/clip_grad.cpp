#include "optim/clip_grad.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "autodiff/grad_mode.h"
#include "optim/p_norm.h"

namespace xg::optim {

namespace {
void check_norm_type(const char* who, double p) {
  if (!(p > 0)) throw ValueError(fmt::format("{}: invalid norm_type {} (must be > 0 or inf)", who, p));
}
}  // namespace

double grad_norm(const Tensor& grad, double norm_type) {
  check_norm_type("grad_norm", norm_type);
  if (!grad.defined() || !grad.is_floating_point()) throw ValueError("grad_norm: expected a defined float tensor");
  return detail::p_norm(grad, norm_type);
}

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  const char* who = "clip_grad_norm_";
  check_norm_type(who, norm_type);
  if (!(max_norm >= 0)) throw ValueError(fmt::format("{}: invalid max_norm {} (must be >= 0)", who, max_norm));
  std::vector<Tensor> grads;
  for (const auto& p : parameters)
    if (p.defined() && p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0.0;
  std::vector<double> norms;
  for (const auto& g : grads) norms.push_back(detail::p_norm(g, norm_type));
  const double total = detail::norm_of_norms(norms, norm_type);
  if (error_if_nonfinite && !std::isfinite(total))
    throw ValueError(fmt::format("{}: the total norm of order {} of the gradients is {}; gradients left unchanged "
                                 "(pass error_if_nonfinite = false to clip anyway)",
                                 who, norm_type, total));
  const double coef = std::min(max_norm / (total + 1e-6), 1.0);
  if (!(coef >= 1.0)) {  // a NaN coefficient too: NaN spreads into the gradients, as PyTorch
    NoGradGuard guard;
    for (auto& g : grads) g.mul_(coef);
  }
  return total;
}

double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type, bool error_if_nonfinite) {
  return clip_grad_norm_(std::vector<Tensor>{parameter}, max_norm, norm_type, error_if_nonfinite);
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  if (!(clip_value >= 0))
    throw ValueError(fmt::format("clip_grad_value_: invalid clip_value {} (must be >= 0)", clip_value));
  NoGradGuard guard;
  for (const auto& p : parameters)
    if (p.defined() && p.grad().defined()) p.grad().clamp_(-clip_value, clip_value);
}

void clip_grad_value_(const Tensor& parameter, double clip_value) {
  clip_grad_value_(std::vector<Tensor>{parameter}, clip_value);
}

}  // namespace xg::optim
