#include "autodiff/gradcheck.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

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

void check_options(const GradcheckOptions& o, const char* who) {
  if (!(o.eps > 0) || !std::isfinite(o.eps))
    throw ValueError(fmt::format("{}: eps must be positive and finite, got {}", who, o.eps));
  const std::pair<const char*, double> tols[] = {{"atol", o.atol}, {"rtol", o.rtol}, {"nondet_tol", o.nondet_tol}};
  for (const auto& [name, v] : tols)
    if (!(v >= 0) || !std::isfinite(v)) throw ValueError(fmt::format("{}: {} must be >= 0 and finite, got {}", who, name, v));
}

// The inputs that require grad (they must be float64), and their positions.
struct Differentiable {
  std::vector<Tensor> tensors;
  std::vector<std::size_t> index;
};

Differentiable differentiable_inputs(const std::vector<Tensor>& inputs, const std::vector<std::string>& names,
                                     const char* who) {
  if (names.size() != inputs.size())
    throw ValueError(fmt::format("{}: got {} names for {} inputs", who, names.size(), inputs.size()));
  Differentiable d;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.defined()) throw ValueError(fmt::format("{}: {} is undefined", who, names[i]));
    if (!x.requires_grad()) continue;
    if (x.dtype() != kFloat64)
      throw DTypeError(fmt::format("{}: {} is {}; finite differences need float64 (use .to(xg::kFloat64))", who, names[i],
                                   dtype_name(x.dtype())));
    d.tensors.push_back(x);
    d.index.push_back(i);
  }
  if (d.tensors.empty()) throw ValueError(fmt::format("{}: no input requires grad, so there is nothing to check", who));
  return d;
}

// Each input is an independent variable. A leaf is used as given (perturbed in place, so closures
// over it see the change); an input computed by other ops (a non-leaf) is replaced by a detached
// copy, since backward through its history would add paths that perturbing its value does not.
std::vector<Tensor> as_variables(const std::vector<Tensor>& inputs) {
  std::vector<Tensor> xs;
  for (const auto& x : inputs) {
    if (!x.defined() || !x.grad_fn()) {
      xs.push_back(x);
      continue;
    }
    Tensor c = x.detach().clone();
    c.requires_grad_(x.requires_grad());
    xs.push_back(c);
  }
  return xs;
}

Tensor checked_output(const GradcheckFn& fn, const std::vector<Tensor>& xs, const char* who) {
  Tensor out = fn(xs);
  if (!out.defined() || out.dtype() != kFloat64)
    throw DTypeError(fmt::format("{}: the function must return a defined float64 tensor", who));
  return out;
}

std::vector<double> eval_flat(const GradcheckFn& fn, const std::vector<Tensor>& xs, std::int64_t numel, const char* who) {
  const Tensor out = checked_output(fn, xs, who);
  if (out.numel() != numel)
    throw ShapeError(fmt::format("{}: the function returned {} elements for perturbed inputs, {} otherwise", who,
                                 out.numel(), numel));
  return out.to_vector<double>();
}

// Restores one element, or a whole tensor's data, when it goes out of scope (also on exceptions).
// Nothing else writes to the caller's tensors, so their values and version counters end as they began.
struct ElementRestore {
  double* p;
  double v;
  ~ElementRestore() { *p = v; }
};
struct DataRestore {
  double* p;
  std::vector<double> saved;
  DataRestore(double* data, std::size_t n) : p(data), saved(data, data + n) {}
  ~DataRestore() { std::memcpy(p, saved.data(), saved.size() * sizeof(double)); }
};

// analytic[i][j * n_i + k] = d out_j / d diff[i]_k, one backward per output element.
using Jacobians = std::vector<std::vector<double>>;
Jacobians analytic_jacobians(const Tensor& out, const std::vector<Tensor>& diff) {
  const std::int64_t m = out.numel();
  Jacobians jac;
  for (const auto& d : diff) jac.emplace_back(static_cast<std::size_t>(m * d.numel()), 0.0);
  if (!out.requires_grad()) return jac;
  for (std::int64_t j = 0; j < m; ++j) {
    Tensor e = zeros(out.shape(), kFloat64);
    data_of<double>(e)[j] = 1;
    const auto grads = autograd::grad({out}, diff, {e}, /*retain_graph=*/true, false, /*allow_unused=*/true);
    for (std::size_t i = 0; i < diff.size(); ++i) {
      if (!grads[i].defined()) continue;
      const double* g = data_of<double>(grads[i]);
      std::copy(g, g + diff[i].numel(), jac[i].begin() + j * diff[i].numel());
    }
  }
  return jac;
}

struct Failure {
  double excess = 0;  // how far past its tolerance the worst element is
  GradcheckResult res;
  void note(double err, double tol, const std::function<std::string()>& report) {
    if (err <= tol || err - tol <= excess) return;
    excess = err - tol;
    res.ok = false;
    res.report = report();
  }
};

// The same graph differentiated twice must give the same gradients (to nondet_tol).
GradcheckResult check_reentrant(const Jacobians& a, const Jacobians& b, const Differentiable& d,
                                const std::vector<std::string>& names, double nondet_tol, std::int64_t m) {
  Failure f;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t e = 0; e < a[i].size(); ++e) {
      const double diff = std::abs(a[i][e] - b[i][e]);
      const bool same_nan = std::isnan(a[i][e]) && std::isnan(b[i][e]);
      const double err = same_nan ? 0 : (std::isnan(diff) ? INFINITY : diff);
      f.note(err, nondet_tol, [&] {
        const std::int64_t n = d.tensors[i].numel(), k = static_cast<std::int64_t>(e) % n, j = static_cast<std::int64_t>(e) / n;
        return fmt::format("gradcheck: backward is not reentrant: two backward passes over the same graph gave {:.17g} "
                           "and {:.17g} for {} (shape {}) at element {} (index {}), output element {} of {}, a "
                           "difference above nondet_tol {:g}",
                           a[i][e], b[i][e], names[d.index[i]], to_string(d.tensors[i].shape()), k,
                           index_of(d.tensors[i].shape(), k), j, m, nondet_tol);
      });
    }
  return f.res;
}

// A zero output gradient must give zero (or undefined) input gradients, without error.
GradcheckResult check_zero_output_grad(const Tensor& out, const Differentiable& d, const std::vector<std::string>& names) {
  GradcheckResult res;
  if (!out.requires_grad()) return res;
  std::vector<Tensor> grads;
  try {
    grads = autograd::grad({out}, d.tensors, {zeros_like(out)}, true, false, true);
  } catch (const Error& e) {
    return {false, fmt::format("gradcheck: backward failed for a zero output gradient (check_undefined_grad): {}", e.what())};
  }
  for (std::size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    const double* g = data_of<double>(grads[i]);
    for (std::int64_t k = 0; k < grads[i].numel(); ++k)
      if (g[k] != 0)
        return {false, fmt::format("gradcheck: a zero output gradient gave {} (shape {}) the gradient {:.10g} at element "
                                   "{} (index {}); a backward must give zero for zero (check_undefined_grad)",
                                   names[d.index[i]], to_string(d.tensors[i].shape()), g[k], k,
                                   index_of(d.tensors[i].shape(), k))};
  }
  return res;
}

GradcheckResult compare_full(const GradcheckFn& fn, const std::vector<Tensor>& inputs, const Differentiable& d,
                             const std::vector<std::string>& names, const Jacobians& analytic, std::int64_t m,
                             const GradcheckOptions& o, const char* who) {
  Failure f;
  for (std::size_t i = 0; i < d.tensors.size(); ++i) {
    double* p = data_of<double>(d.tensors[i]);
    const std::int64_t n = d.tensors[i].numel();
    for (std::int64_t k = 0; k < n; ++k) {
      std::vector<double> plus, minus;
      {
        const ElementRestore restore{p + k, p[k]};
        p[k] = restore.v + o.eps;
        plus = eval_flat(fn, inputs, m, who);
        p[k] = restore.v - o.eps;
        minus = eval_flat(fn, inputs, m, who);
      }
      for (std::int64_t j = 0; j < m; ++j) {
        const double num = (plus[j] - minus[j]) / (2 * o.eps);
        const double ana = analytic[i][j * n + k];
        const double err = std::abs(ana - num);
        f.note(std::isnan(err) ? INFINITY : err, o.atol + o.rtol * std::abs(num), [&] {
          return fmt::format(
              "gradcheck: Jacobian mismatch for {} (shape {}) at element {} (index {}), output element {}: "
              "analytic {:.10g} vs numeric {:.10g}, |diff| {:.3g} > atol {:g} + rtol {:g} * |numeric| (eps {:g})",
              names[d.index[i]], to_string(d.tensors[i].shape()), k, index_of(d.tensors[i].shape(), k), j, ana, num, err,
              o.atol, o.rtol, o.eps);
        });
      }
    }
  }
  return f.res;
}

// A random unit vector of n elements, uniform in [0, 1) before scaling (as PyTorch's fast mode).
std::vector<double> unit_vector(std::int64_t n, Generator& gen) {
  std::vector<double> v(static_cast<std::size_t>(n));
  double sq = 0;
  for (auto& x : v) {
    x = gen.uniform();
    sq += x * x;
  }
  if (sq > 0)
    for (auto& x : v) x /= std::sqrt(sq);
  return v;
}

double dot(const double* a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < b.size(); ++i) s += a[i] * b[i];
  return s;
}

double total(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

// fast_mode: per input i, vᵀ J_i u_i from one backward (analytic) and from one pair of
// evaluations along u_i (numeric), with atol scaled by sum(u_i)·sum(v) as PyTorch does.
GradcheckResult check_fast(const GradcheckFn& fn, const std::vector<Tensor>& inputs, const Differentiable& d,
                           const std::vector<std::string>& names, const Tensor& out, const GradcheckOptions& o,
                           const char* who) {
  const std::int64_t m = out.numel();
  Generator gen(0x6a7c4ec);
  const std::vector<double> v = unit_vector(m, gen);
  std::vector<std::vector<double>> u;
  for (const auto& t : d.tensors) u.push_back(unit_vector(t.numel(), gen));

  auto analytic_pass = [&] {
    std::vector<double> a(d.tensors.size(), 0.0);
    if (!out.requires_grad()) return a;
    const Tensor vt = from_vector(v, out.shape());
    const auto grads = autograd::grad({out}, d.tensors, {vt}, true, false, true);
    for (std::size_t i = 0; i < grads.size(); ++i)
      if (grads[i].defined()) a[i] = dot(data_of<double>(grads[i]), u[i]);
    return a;
  };
  const std::vector<double> a = analytic_pass(), again = analytic_pass();
  Failure f;
  for (std::size_t i = 0; i < a.size(); ++i)
    f.note(std::abs(a[i] - again[i]), o.nondet_tol, [&] {
      return fmt::format("gradcheck (fast_mode): backward is not reentrant: two backward passes over the same graph gave "
                         "vᵀJu {:.17g} and {:.17g} for {} (shape {}), a difference above nondet_tol {:g}",
                         a[i], again[i], names[d.index[i]], to_string(d.tensors[i].shape()), o.nondet_tol);
    });
  if (!f.res.ok) return f.res;

  for (std::size_t i = 0; i < d.tensors.size(); ++i) {
    double* p = data_of<double>(d.tensors[i]);
    const std::size_t n = u[i].size();
    std::vector<double> plus, minus;
    {
      const DataRestore restore(p, n);
      for (std::size_t k = 0; k < n; ++k) p[k] = restore.saved[k] + o.eps * u[i][k];
      plus = eval_flat(fn, inputs, m, who);
      for (std::size_t k = 0; k < n; ++k) p[k] = restore.saved[k] - o.eps * u[i][k];
      minus = eval_flat(fn, inputs, m, who);
    }
    double num = 0;
    for (std::int64_t j = 0; j < m; ++j) num += v[static_cast<std::size_t>(j)] * (plus[j] - minus[j]) / (2 * o.eps);
    const double atol = o.atol * total(u[i]) * total(v);
    const double err = std::abs(a[i] - num);
    f.note(std::isnan(err) ? INFINITY : err, atol + o.rtol * std::abs(num), [&] {
      return fmt::format(
          "gradcheck (fast_mode): vᵀJu mismatch for {} (shape {}) with random unit u, v: analytic {:.10g} vs numeric "
          "{:.10g}, |diff| {:.3g} > atol {:g} * sum(u) * sum(v) + rtol {:g} * |numeric| (eps {:g}); rerun with "
          "fast_mode = false to see the element",
          names[d.index[i]], to_string(d.tensors[i].shape()), a[i], num, err, o.atol, o.rtol, o.eps);
    });
  }
  return f.res;
}

GradcheckResult finish(GradcheckResult r, const GradcheckOptions& o) {
  if (!r.ok && o.raise_exception) throw GradcheckError(r.report);
  return r;
}

std::vector<std::string> default_names(std::size_t n) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < n; ++i) names.push_back(fmt::format("input {}", i));
  return names;
}

GradcheckOptions positional(double eps, double atol, double rtol) {
  GradcheckOptions o;
  o.eps = eps;
  o.atol = atol;
  o.rtol = rtol;
  return o;
}

}  // namespace

namespace detail {

GradcheckResult gradcheck_named(const GradcheckFn& fn, const std::vector<Tensor>& given,
                                const std::vector<std::string>& names, const GradcheckOptions& o, const char* who) {
  check_options(o, who);
  const std::vector<Tensor> inputs = as_variables(given);
  const Differentiable d = differentiable_inputs(inputs, names, who);
  const Tensor out = checked_output(fn, inputs, who);
  if (o.fast_mode) {
    GradcheckResult r = check_fast(fn, inputs, d, names, out, o, who);
    if (r.ok && o.check_undefined_grad) r = check_zero_output_grad(out, d, names);
    return finish(r, o);
  }
  const std::int64_t m = out.numel();
  const Jacobians analytic = analytic_jacobians(out, d.tensors);
  GradcheckResult r = check_reentrant(analytic, analytic_jacobians(out, d.tensors), d, names, o.nondet_tol, m);
  if (r.ok) r = compare_full(fn, inputs, d, names, analytic, m, o, who);
  if (r.ok && o.check_undefined_grad) r = check_zero_output_grad(out, d, names);
  return finish(r, o);
}

GradcheckResult gradgradcheck_named(const GradcheckFn& fn, const std::vector<Tensor>& inputs,
                                    const std::vector<std::string>& names, const GradcheckOptions& o, const char* who) {
  check_options(o, who);
  differentiable_inputs(inputs, names, who);  // refuse bad inputs before calling fn
  Tensor v;
  {
    Generator gen(12345);
    v = randn(checked_output(fn, inputs, who).shape(), kFloat64, &gen);
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
  GradcheckOptions inner = o;
  inner.raise_exception = false;
  GradcheckResult r = gradcheck_named(first_derivative, inputs, names, inner, who);
  if (!r.ok) r.report = "gradgradcheck (second derivatives): " + r.report;
  return finish(r, o);
}

}  // namespace detail

GradcheckResult gradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, const GradcheckOptions& options) {
  return detail::gradcheck_named(fn, inputs, default_names(inputs.size()), options, "gradcheck");
}
GradcheckResult gradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, double eps, double atol, double rtol) {
  return gradcheck(fn, inputs, positional(eps, atol, rtol));
}
GradcheckResult gradgradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, const GradcheckOptions& options) {
  return detail::gradgradcheck_named(fn, inputs, default_names(inputs.size()), options, "gradgradcheck");
}
GradcheckResult gradgradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, double eps, double atol,
                              double rtol) {
  return gradgradcheck(fn, inputs, positional(eps, atol, rtol));
}

}  // namespace xg
