#include "optim/lbfgs.h"

#include <cblas.h>
#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <typeinfo>

#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"
#include "optim/state_io.h"

// The scalar arithmetic below must round as PyTorch's (Python floats, no fused multiply-add), so
// the compiler may not contract a*b + c into an fma here (-march=native would); the fmas that
// torch does use (add with alpha) are written out with std::fma.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace xg::optim {

LBFGSOptions::LBFGSOptions(double lr) : lr_(lr) {}

LBFGSOptions& LBFGSOptions::line_search_fn(const std::string& name) {
  if (name == "strong_wolfe") line_search_fn_ = LineSearch::strong_wolfe;
  else if (name.empty() || name == "none") line_search_fn_ = LineSearch::none;
  else throw ValueError(fmt::format("LBFGS: invalid line_search_fn '{}' (only 'strong_wolfe' is supported)", name));
  return *this;
}

namespace {

using Vec = std::vector<double>;

// As torch.dot on float64 CPU tensors: BLAS ddot (the same OpenBLAS), so the sums round alike.
double dot(const Vec& a, const Vec& b) {
  if (a.size() <= static_cast<std::size_t>(INT_MAX)) return cblas_ddot(static_cast<int>(a.size()), a.data(), 1, b.data(), 1);
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}
double abs_max(const Vec& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}
// Σ|v| in the order torch's CPU sum adds a contiguous float64 row (AVX2: 4 lanes, 4 interleaved
// vector accumulators, the leftover elements first, then the lanes), so the first step size
// min(1, 1/‖g‖₁)·lr rounds as PyTorch's does, for up to 255 parameters (beyond, PyTorch also
// groups blocks of rows and the last bit may differ).
double abs_sum(const Vec& v) {
  constexpr std::size_t lanes = 4, ilp = 4;
  const std::size_t vectors = v.size() / lanes;
  double acc[ilp][lanes] = {};
  std::size_t k = 0;
  for (; k + ilp <= vectors; k += ilp)
    for (std::size_t a = 0; a < ilp; ++a)
      for (std::size_t l = 0; l < lanes; ++l) acc[a][l] += std::abs(v[(k + a) * lanes + l]);
  for (; k < vectors; ++k)
    for (std::size_t l = 0; l < lanes; ++l) acc[0][l] += std::abs(v[k * lanes + l]);
  for (std::size_t a = 1; a < ilp; ++a)
    for (std::size_t l = 0; l < lanes; ++l) acc[0][l] += acc[a][l];
  double s = 0;
  for (std::size_t i = vectors * lanes; i < v.size(); ++i) s += std::abs(v[i]);
  for (std::size_t l = 0; l < lanes; ++l) s += acc[0][l];
  return s;
}
// y ← y + a·x with one rounding per element, as torch's add(alpha=a) on CPU (a fused multiply-add).
void axpy(Vec& y, double a, const Vec& x) {
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::fma(a, x[i], y[i]);
}
Vec scaled(const Vec& x, double a) {
  Vec out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = x[i] * a;
  return out;
}

// The parameters as one flat float64 vector, and back.
class Flat {
 public:
  explicit Flat(std::vector<Tensor> params) : params_(std::move(params)) {
    for (const auto& p : params_) n_ += static_cast<std::size_t>(p.numel());
  }
  std::size_t size() const { return n_; }

  Vec grad() const {
    Vec g;
    g.reserve(n_);
    for (const auto& p : params_) {
      const Tensor gr = p.grad();
      if (!gr.defined()) g.insert(g.end(), static_cast<std::size_t>(p.numel()), 0.0);
      else {
        if (!(gr.shape() == p.shape()))
          throw ValueError(fmt::format("LBFGS.step: gradient of shape {} does not match its parameter's {}",
                                       to_string(gr.shape()), to_string(p.shape())));
        const Vec v = gr.to_vector<double>();
        g.insert(g.end(), v.begin(), v.end());
      }
    }
    return g;
  }
  Vec values() const {
    Vec x;
    x.reserve(n_);
    for (const auto& p : params_) {
      const Vec v = p.to_vector<double>();
      x.insert(x.end(), v.begin(), v.end());
    }
    return x;
  }
  // p ← p + t·d (t·d when `from` is given: p ← from + t·d); from = x, t = 0 restores x.
  void write(const Vec* from, double t, const Vec& d) {
    std::size_t off = 0;
    for (auto& p : params_) {
      dispatch_float(p.dtype(), [&](auto zero) {
        using T = decltype(zero);
        T* x = p.data_ptr<T>();
        for (std::int64_t i = 0; i < p.numel(); ++i, ++off) {
          const double base = from ? (*from)[off] : static_cast<double>(x[i]);
          x[i] = static_cast<T>(t == 0 ? base : std::fma(t, d[off], base));
        }
      });
      detail::mark_updated(p);
    }
  }

 private:
  std::vector<Tensor> params_;
  std::size_t n_ = 0;
};

double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2, const double* bounds) {
  double lo, hi;
  if (bounds) {
    lo = bounds[0];
    hi = bounds[1];
  } else if (x1 <= x2) {
    lo = x1;
    hi = x2;
  } else {
    lo = x2;
    hi = x1;
  }
  const double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const double d2_square = d1 * d1 - g1 * g2;
  if (d2_square >= 0) {
    const double d2 = std::sqrt(d2_square);
    const double min_pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return std::min(std::max(min_pos, lo), hi);
  }
  return (lo + hi) / 2.;
}

struct Evaluation {
  double f;
  Vec g;
};

struct LineSearchResult {
  double f;
  Vec g;
  double t;
  std::int64_t evals;
};

// PyTorch's _strong_wolfe, with its defaults (tolerance_change 1e-9 here, whatever the options say).
template <class Obj>
LineSearchResult strong_wolfe(Obj&& obj, double t, const Vec& d, double f, const Vec& g0, double gtd) {
  constexpr double c1 = 1e-4, c2 = 0.9, tolerance_change = 1e-9;
  constexpr std::int64_t max_ls = 25;
  const double d_norm = abs_max(d);
  Evaluation e = obj(t, d);
  std::int64_t evals = 1;
  double gtd_new = dot(e.g, d);
  double t_prev = 0, f_prev = f, gtd_prev = gtd;
  Vec g_prev = g0;
  bool done = false;
  std::int64_t ls_iter = 0;
  // A bracket of one point (done in the first phase) keeps it at both ends.
  double bracket[2] = {0, 0}, bracket_f[2] = {0, 0}, bracket_gtd[2] = {0, 0};
  Vec bracket_g[2];
  auto set_pair = [&](double t0, double f0, const Vec& g0v, double gtd0, double t1, double f1, const Vec& g1v, double gtd1) {
    bracket[0] = t0, bracket[1] = t1;
    bracket_f[0] = f0, bracket_f[1] = f1;
    bracket_g[0] = g0v, bracket_g[1] = g1v;
    bracket_gtd[0] = gtd0, bracket_gtd[1] = gtd1;
  };
  bool bracketed = false;
  while (ls_iter < max_ls) {
    if (e.f > f + c1 * t * gtd || (ls_iter > 1 && e.f >= f_prev)) {
      set_pair(t_prev, f_prev, g_prev, gtd_prev, t, e.f, e.g, gtd_new);
      bracketed = true;
      break;
    }
    if (std::abs(gtd_new) <= -c2 * gtd) {
      set_pair(t, e.f, e.g, gtd_new, t, e.f, e.g, gtd_new);
      bracketed = done = true;
      break;
    }
    if (gtd_new >= 0) {
      set_pair(t_prev, f_prev, g_prev, gtd_prev, t, e.f, e.g, gtd_new);
      bracketed = true;
      break;
    }
    const double bounds[2] = {t + 0.01 * (t - t_prev), t * 10};
    const double tmp = t;
    t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, e.f, gtd_new, bounds);
    t_prev = tmp;
    f_prev = e.f;
    g_prev = e.g;
    gtd_prev = gtd_new;
    e = obj(t, d);
    ++evals;
    gtd_new = dot(e.g, d);
    ++ls_iter;
  }
  if (!bracketed || ls_iter == max_ls) set_pair(0, f, g0, 0, t, e.f, e.g, 0);

  bool insuf_progress = false;
  int low = bracket_f[0] <= bracket_f[1] ? 0 : 1, high = 1 - low;
  while (!done && ls_iter < max_ls) {
    if (std::abs(bracket[1] - bracket[0]) * d_norm < tolerance_change) break;
    t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1], nullptr);
    const double bmax = std::max(bracket[0], bracket[1]), bmin = std::min(bracket[0], bracket[1]);
    const double eps = 0.1 * (bmax - bmin);
    if (std::min(bmax - t, t - bmin) < eps) {
      if (insuf_progress || t >= bmax || t <= bmin) {
        t = std::abs(t - bmax) < std::abs(t - bmin) ? bmax - eps : bmin + eps;
        insuf_progress = false;
      } else {
        insuf_progress = true;
      }
    } else {
      insuf_progress = false;
    }
    e = obj(t, d);
    ++evals;
    gtd_new = dot(e.g, d);
    ++ls_iter;
    if (e.f > f + c1 * t * gtd || e.f >= bracket_f[low]) {
      bracket[high] = t;
      bracket_f[high] = e.f;
      bracket_g[high] = e.g;
      bracket_gtd[high] = gtd_new;
      low = bracket_f[0] <= bracket_f[1] ? 0 : 1;
      high = 1 - low;
    } else {
      if (std::abs(gtd_new) <= -c2 * gtd) done = true;
      else if (gtd_new * (bracket[high] - bracket[low]) >= 0) {
        bracket[high] = bracket[low];
        bracket_f[high] = bracket_f[low];
        bracket_g[high] = bracket_g[low];
        bracket_gtd[high] = bracket_gtd[low];
      }
      bracket[low] = t;
      bracket_f[low] = e.f;
      bracket_g[low] = e.g;
      bracket_gtd[low] = gtd_new;
    }
  }
  return {bracket_f[low], bracket_g[low], bracket[low], evals};
}

std::vector<OptimizerParamGroup> one_group(std::vector<Tensor> params) {
  std::vector<OptimizerParamGroup> groups;
  groups.emplace_back(std::move(params));
  return groups;
}

}  // namespace

LBFGS::LBFGS(std::vector<Tensor> params, LBFGSOptions defaults) : LBFGS(one_group(std::move(params)), std::move(defaults)) {}

LBFGS::LBFGS(std::vector<OptimizerParamGroup> param_groups, LBFGSOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<LBFGSOptions>(std::move(defaults))) {
  if (this->param_groups().size() != 1)
    throw ValueError(fmt::format("LBFGS: per-parameter options (param groups) are not supported: got {} groups",
                                 this->param_groups().size()));
}

const LBFGSOptions& LBFGS::options_checked() const {
  if (param_groups().size() != 1)
    throw ValueError(fmt::format("LBFGS.step: per-parameter options (param groups) are not supported: it has {} groups",
                                 param_groups().size()));
  const OptimizerOptions& o = param_groups()[0].options();
  if (typeid(o) != typeid(LBFGSOptions))
    throw ValueError(fmt::format("LBFGS.step: the param group has options of another optimizer ({})", o.to_string()));
  o.validate();
  return static_cast<const LBFGSOptions&>(o);
}

Tensor LBFGS::step(LossClosure closure) {
  if (!closure)
    throw ValueError("LBFGS.step: needs a closure that zeroes the gradients, computes the loss, calls backward and "
                     "returns the loss");
  const LBFGSOptions& o = options_checked();
  const double lr = o.lr(), tolerance_grad = o.tolerance_grad(), tolerance_change = o.tolerance_change();
  const std::int64_t max_iter = o.max_iter(), max_eval = o.max_evals();
  const auto history_size = static_cast<std::size_t>(o.history_size());
  Flat flat(param_groups()[0].params());
  History& st = history_;

  auto evaluate = [&] {
    const AutoGradMode enable(true);
    Tensor l = closure();
    if (!l.defined() || l.numel() != 1)
      throw ValueError(fmt::format("LBFGS.step: the closure must return the loss, a one-element tensor; got {}",
                                   l.defined() ? to_string(l.shape()) : std::string("an undefined tensor")));
    return l;
  };
  const NoGradGuard no_grad;
  const Tensor orig_loss = evaluate();
  double loss = orig_loss.item<double>();
  std::int64_t current_evals = 1;
  st.func_evals += 1;
  Vec flat_grad = flat.grad();
  if (abs_max(flat_grad) <= tolerance_grad) return orig_loss;

  Vec d = st.d, prev_flat_grad = st.prev_flat_grad;
  double t = st.t, H_diag = st.H_diag, prev_loss = st.prev_loss;
  std::int64_t n_iter = 0;
  while (n_iter < max_iter) {
    ++n_iter;
    ++st.n_iter;
    if (st.n_iter == 1) {
      d = scaled(flat_grad, -1);
      st.old_dirs.clear();
      st.old_stps.clear();
      st.ro.clear();
      H_diag = 1;
    } else {
      Vec y(flat_grad.size());
      for (std::size_t i = 0; i < y.size(); ++i) y[i] = flat_grad[i] - prev_flat_grad[i];
      Vec s = scaled(d, t);
      const double ys = dot(y, s);
      if (ys > 1e-10) {
        if (st.old_dirs.size() == history_size) {
          st.old_dirs.erase(st.old_dirs.begin());
          st.old_stps.erase(st.old_stps.begin());
          st.ro.erase(st.ro.begin());
        }
        H_diag = ys / dot(y, y);
        st.old_dirs.push_back(std::move(y));
        st.old_stps.push_back(std::move(s));
        st.ro.push_back(1. / ys);
      }
      const std::size_t num_old = st.old_dirs.size();
      st.al.resize(history_size, 0.0);
      Vec q = scaled(flat_grad, -1);
      for (std::size_t i = num_old; i-- > 0;) {
        st.al[i] = dot(st.old_stps[i], q) * st.ro[i];
        axpy(q, -st.al[i], st.old_dirs[i]);
      }
      d = scaled(q, H_diag);
      for (std::size_t i = 0; i < num_old; ++i) {
        const double be_i = dot(st.old_dirs[i], d) * st.ro[i];
        axpy(d, st.al[i] - be_i, st.old_stps[i]);
      }
    }
    prev_flat_grad = flat_grad;
    prev_loss = loss;
    t = st.n_iter == 1 ? std::min(1., 1. / abs_sum(flat_grad)) * lr : lr;
    const double gtd = dot(flat_grad, d);
    if (gtd > -tolerance_change) break;

    std::int64_t ls_func_evals = 0;
    bool opt_cond = false;
    if (o.line_search_fn() == LineSearch::strong_wolfe) {
      const Vec x_init = flat.values();
      auto obj = [&](double step, const Vec& dir) {
        flat.write(nullptr, step, dir);
        Evaluation e{evaluate().item<double>(), flat.grad()};
        flat.write(&x_init, 0, dir);
        return e;
      };
      LineSearchResult r = strong_wolfe(obj, t, d, loss, flat_grad, gtd);
      loss = r.f;
      flat_grad = std::move(r.g);
      t = r.t;
      ls_func_evals = r.evals;
      flat.write(nullptr, t, d);
      opt_cond = abs_max(flat_grad) <= tolerance_grad;
    } else {
      flat.write(nullptr, t, d);
      if (n_iter != max_iter) {
        loss = evaluate().item<double>();
        flat_grad = flat.grad();
        opt_cond = abs_max(flat_grad) <= tolerance_grad;
        ls_func_evals = 1;
      }
    }
    current_evals += ls_func_evals;
    st.func_evals += ls_func_evals;
    if (n_iter == max_iter || current_evals >= max_eval || opt_cond) break;
    if (abs_max(scaled(d, t)) <= tolerance_change) break;
    if (std::abs(loss - prev_loss) < tolerance_change) break;
  }
  st.d = std::move(d);
  st.prev_flat_grad = std::move(prev_flat_grad);
  st.t = t;
  st.H_diag = H_diag;
  st.prev_loss = prev_loss;
  return orig_loss;
}

// ----- state_dict -----

namespace {
constexpr const char* kPrefix = "lbfgs.";

Tensor vec_tensor(const Vec& v) { return from_vector(v, Shape{static_cast<std::int64_t>(v.size())}); }
Tensor rows_tensor(const std::vector<Vec>& rows, std::size_t n) {
  Vec flat;
  for (const auto& r : rows) flat.insert(flat.end(), r.begin(), r.end());
  return from_vector(flat, Shape{static_cast<std::int64_t>(rows.size()), static_cast<std::int64_t>(n)});
}

const Tensor& float64_tensor(const StateDict& dict, const std::string& key, const char* who, std::int64_t dims,
                             std::int64_t n) {
  const Tensor& t = detail::get_tensor(dict, key, who);
  if (t.dtype() != kFloat64 || t.dim() != dims || (n >= 0 && t.size(dims - 1) != n))
    throw ValueError(fmt::format("{}: '{}' must be a {}-D float64 tensor{}; got shape {} ({})", who, key, dims,
                                 n >= 0 ? fmt::format(" of {} values per row", n) : "", to_string(t.shape()),
                                 dtype_name(t.dtype())));
  return t;
}
}  // namespace

StateDict LBFGS::state_dict() const {
  StateDict dict = Optimizer::state_dict();
  const History& h = history_;
  const std::string p = kPrefix;
  detail::put(dict, p + "func_evals", h.func_evals);
  detail::put(dict, p + "n_iter", h.n_iter);
  if (h.n_iter == 0) return dict;
  const std::size_t n = h.d.size();
  dict[p + "d"] = vec_tensor(h.d);
  dict[p + "prev_flat_grad"] = vec_tensor(h.prev_flat_grad);
  dict[p + "al"] = vec_tensor(h.al);
  dict[p + "ro"] = vec_tensor(h.ro);
  dict[p + "old_dirs"] = rows_tensor(h.old_dirs, n);
  dict[p + "old_stps"] = rows_tensor(h.old_stps, n);
  detail::put(dict, p + "t", h.t);
  detail::put(dict, p + "H_diag", h.H_diag);
  detail::put(dict, p + "prev_loss", h.prev_loss);
  return dict;
}

void LBFGS::load_state_dict(const StateDict& dict) {
  const char* who = "LBFGS.load_state_dict";
  const std::string p = kPrefix;
  StateDict rest;
  for (const auto& [k, v] : dict)
    if (k.rfind(p, 0) != 0) rest.emplace(k, v);
  // Read everything into a new history first; nothing changes unless all of it is valid.
  History h;
  h.func_evals = detail::get<std::int64_t>(dict, p + "func_evals", who);
  h.n_iter = detail::get<std::int64_t>(dict, p + "n_iter", who);
  if (h.func_evals < 0 || h.n_iter < 0)
    throw ValueError(fmt::format("{}: negative counters (func_evals {}, n_iter {})", who, h.func_evals, h.n_iter));
  std::size_t n = 0;
  for (const auto& t : param_groups()[0].params()) n += static_cast<std::size_t>(t.numel());
  const auto sn = static_cast<std::int64_t>(n);
  if (h.n_iter > 0) {
    h.d = float64_tensor(dict, p + "d", who, 1, sn).to_vector<double>();
    h.prev_flat_grad = float64_tensor(dict, p + "prev_flat_grad", who, 1, sn).to_vector<double>();
    h.al = float64_tensor(dict, p + "al", who, 1, -1).to_vector<double>();
    h.ro = float64_tensor(dict, p + "ro", who, 1, -1).to_vector<double>();
    const Tensor& dirs = float64_tensor(dict, p + "old_dirs", who, 2, sn);
    const Tensor& stps = float64_tensor(dict, p + "old_stps", who, 2, sn);
    if (dirs.size(0) != stps.size(0) || dirs.size(0) != static_cast<std::int64_t>(h.ro.size()))
      throw ValueError(fmt::format("{}: old_dirs, old_stps and ro hold {}, {} and {} entries; they must agree", who,
                                   dirs.size(0), stps.size(0), h.ro.size()));
    const Vec a = dirs.to_vector<double>(), b = stps.to_vector<double>();
    for (std::int64_t i = 0; i < dirs.size(0); ++i) {
      h.old_dirs.emplace_back(a.begin() + i * sn, a.begin() + (i + 1) * sn);
      h.old_stps.emplace_back(b.begin() + i * sn, b.begin() + (i + 1) * sn);
    }
    h.t = detail::get<double>(dict, p + "t", who);
    h.H_diag = detail::get<double>(dict, p + "H_diag", who);
    h.prev_loss = detail::get<double>(dict, p + "prev_loss", who);
  }
  Optimizer::load_state_dict(rest);
  history_ = std::move(h);
}

}  // namespace xg::optim
