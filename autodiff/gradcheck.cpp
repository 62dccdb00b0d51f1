#include "autodiff/gradcheck.h"

#include <fmt/format.h>

#include <cmath>

#include "autodiff/autograd.h"
#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"
#include "tensor/random.h"
#include "tensor/detail/tensor_impl.h"

namespace xg {

namespace {

std::string index_of(const Shape& s, std::int64_t flat) {
  std::vector<std::int64_t> idx(s.size());
  for (std::size_t d = s.size(); d-- > 0;) {
    idx[d] = flat % s[d];
    flat /= s[d];
  }
  return fmt::format("[{}]", fmt::join(idx, ", "));
}

// Detached copies of the inputs (those that require grad must be float64); `who` names the caller
// (gradcheck or gradgradcheck) in the errors.
std::vector<Tensor> fresh_inputs(const std::vector<Tensor>& inputs, const char* who) {
  std::vector<Tensor> xs;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.defined()) throw ValueError(fmt::format("{}: input {} is undefined", who, i));
    if (x.requires_grad() && x.dtype() != kFloat64)
      throw DTypeError(fmt::format("{}: input {} is {}; finite differences need float64 (use .to(xg::kFloat64))", who,
                                   i, dtype_name(x.dtype())));
    Tensor c = x.detach().clone();
    if (x.requires_grad()) c.requires_grad_(true);
    xs.push_back(c);
  }
  return xs;
}

std::vector<double> eval_flat(const GradcheckFn& fn, const std::vector<Tensor>& xs) {
  const Tensor out = fn(xs);
  if (!out.defined() || out.dtype() != kFloat64)
    throw DTypeError("gradcheck: the function must return a defined float64 tensor");
  return out.to_vector<double>();
}

}  // namespace

GradcheckResult gradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, double eps, double atol, double rtol) {
  std::vector<Tensor> xs = fresh_inputs(inputs, "gradcheck");
  std::vector<Tensor> diff;
  std::vector<std::size_t> diff_index;
  for (std::size_t i = 0; i < xs.size(); ++i)
    if (xs[i].requires_grad()) {
      diff.push_back(xs[i]);
      diff_index.push_back(i);
    }
  if (diff.empty()) throw ValueError("gradcheck: no input requires grad, so there is nothing to check");

  const Tensor out = fn(xs);
  if (!out.defined() || out.dtype() != kFloat64) throw DTypeError("gradcheck: the function must return a defined float64 tensor");
  const std::int64_t m = out.numel();

  // analytic[j][i] = d out_j / d diff[i] (flattened), one backward per output element.
  std::vector<std::vector<std::vector<double>>> analytic(static_cast<std::size_t>(m));
  for (std::int64_t j = 0; j < m; ++j) {
    auto& row = analytic[static_cast<std::size_t>(j)];
    if (!out.requires_grad()) {
      for (const auto& d : diff) row.emplace_back(static_cast<std::size_t>(d.numel()), 0.0);
      continue;
    }
    Tensor e = zeros(out.shape(), kFloat64);
    data_of<double>(e)[j] = 1;
    const auto grads = autograd::grad({out}, diff, {e}, /*retain_graph=*/true, false, /*allow_unused=*/true);
    for (std::size_t i = 0; i < diff.size(); ++i)
      row.push_back(grads[i].defined() ? grads[i].to_vector<double>() : std::vector<double>(static_cast<std::size_t>(diff[i].numel()), 0.0));
  }

  GradcheckResult res;
  double worst = 0;
  for (std::size_t i = 0; i < diff.size(); ++i) {
    double* p = data_of<double>(diff[i]);
    for (std::int64_t k = 0; k < diff[i].numel(); ++k) {
      const double v = p[k];
      p[k] = v + eps;
      const auto plus = eval_flat(fn, xs);
      p[k] = v - eps;
      const auto minus = eval_flat(fn, xs);
      p[k] = v;
      for (std::int64_t j = 0; j < m; ++j) {
        const double num = (plus[j] - minus[j]) / (2 * eps);
        const double ana = analytic[static_cast<std::size_t>(j)][i][static_cast<std::size_t>(k)];
        const double err = std::abs(ana - num);
        const double tol = atol + rtol * std::abs(num);
        if (!(err <= tol) && err - tol > worst) {
          worst = err - tol;
          res.ok = false;
          res.report = fmt::format(
              "gradcheck: Jacobian mismatch for input {} (shape {}) at element {} (index {}), output element {}: "
              "analytic {:.10g} vs numeric {:.10g}, |diff| {:.3g} > atol {:g} + rtol {:g} * |numeric| (eps {:g})",
              diff_index[i], to_string(diff[i].shape()), k, index_of(diff[i].shape(), k), j, ana, num, err, atol, rtol, eps);
        }
      }
    }
  }
  return res;
}

GradcheckResult gradgradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, double eps, double atol, double rtol) {
  Tensor v;
  {
    const std::vector<Tensor> xs = fresh_inputs(inputs, "gradgradcheck");
    Generator gen(12345);
    v = randn(fn(xs).shape(), kFloat64, &gen);
  }
  GradcheckFn first_derivative = [&fn, v](const std::vector<Tensor>& xs) {
    std::vector<Tensor> diff;
    for (const auto& x : xs)
      if (x.requires_grad()) diff.push_back(x);
    const Tensor out = fn(xs);
    std::vector<Tensor> parts;
    if (!out.requires_grad()) {
      for (const auto& d : diff) parts.push_back(zeros({d.numel()}, kFloat64));
      return cat(parts);
    }
    const auto grads = autograd::grad({out}, diff, {v}, /*retain_graph=*/true, /*create_graph=*/true, /*allow_unused=*/true);
    for (std::size_t i = 0; i < diff.size(); ++i)
      parts.push_back(grads[i].defined() ? reshape(grads[i], {-1}) : zeros({diff[i].numel()}, kFloat64));
    return cat(parts);
  };
  GradcheckResult r = gradcheck(first_derivative, inputs, eps, atol, rtol);
  if (!r.ok) r.report = "gradgradcheck (second derivatives): " + r.report;
  return r;
}

}  // namespace xg
