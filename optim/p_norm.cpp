#include "optim/p_norm.h"

#include <cmath>

#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"

namespace xg::optim::detail {

double p_norm(const Tensor& x, double p) {
  if (x.numel() == 0) return 0.0;
  NoGradGuard no_grad;
  const Tensor x64 = x.detach().to(kFloat64);
  if (p == 1 || p == 2 || std::isinf(p)) return norm(x64, p).item<double>();  // NaN spreads, inf too
  return std::pow(sum(pow(abs(x64), p)).item<double>(), 1.0 / p);
}

double norm_of_norms(const std::vector<double>& norms, double p) {
  return p_norm(from_vector(norms, Shape{static_cast<std::int64_t>(norms.size())}), p);
}

}  // namespace xg::optim::detail
