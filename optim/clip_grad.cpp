#include "optim/clip_grad.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "autodiff/grad_mode.h"
#include "optim/state_io.h"

namespace xg::optim {

namespace {
void check_norm_type(const char* who, double p) {
  if (!(p > 0)) throw ValueError(fmt::format("{}: invalid norm_type {} (must be > 0 or inf)", who, p));
}

// Σ|g|^p (or max |g| for inf) in double.
double accumulate(const Tensor& g, double p) {
  double acc = 0;
  detail::dispatch_float(g.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* x = g.data_ptr<T>();
    const std::int64_t n = g.numel();
    if (std::isinf(p)) {
      for (std::int64_t i = 0; i < n; ++i) acc = std::max(acc, std::abs(static_cast<double>(x[i])));
      // NaN must propagate like PyTorch's max.
      for (std::int64_t i = 0; i < n; ++i)
        if (std::isnan(x[i])) acc = std::numeric_limits<double>::quiet_NaN();
    } else if (p == 2) {
      for (std::int64_t i = 0; i < n; ++i) acc += static_cast<double>(x[i]) * static_cast<double>(x[i]);
    } else if (p == 1) {
      for (std::int64_t i = 0; i < n; ++i) acc += std::abs(static_cast<double>(x[i]));
    } else {
      for (std::int64_t i = 0; i < n; ++i) acc += std::pow(std::abs(static_cast<double>(x[i])), p);
    }
  });
  return acc;
}

double finish(double acc, double p) {
  if (std::isinf(p) || p == 1) return acc;
  if (p == 2) return std::sqrt(acc);
  return std::pow(acc, 1.0 / p);
}
}  // namespace

double grad_norm(const Tensor& grad, double norm_type) {
  check_norm_type("grad_norm", norm_type);
  if (!grad.defined() || !grad.is_floating_point()) throw ValueError("grad_norm: expected a defined float tensor");
  return finish(accumulate(grad, norm_type), norm_type);
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
  double acc = 0;
  for (const auto& g : grads) {
    const double a = accumulate(g, norm_type);
    acc = std::isinf(norm_type) ? (std::isnan(a) || std::isnan(acc) ? a + acc : std::max(acc, a)) : acc + a;
  }
  const double total = finish(acc, norm_type);
  if (error_if_nonfinite && !std::isfinite(total))
    throw ValueError(fmt::format("{}: the total norm of order {} of the gradients is {}; gradients left unchanged "
                                 "(pass error_if_nonfinite = false to clip anyway)",
                                 who, norm_type, total));
  const double coef = std::min(max_norm / (total + 1e-6), 1.0);
  NoGradGuard guard;
  for (auto& g : grads) g.mul_(coef);
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
