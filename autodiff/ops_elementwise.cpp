// Element-wise ops: forward kernel + one derivative rule per input, one entry each. The plain
// float maps are one line each in autodiff/unary_ops.def.
#include <cmath>
#include <numbers>

#include "autodiff/detail/checks.h"
#include "autodiff/detail/record.h"
#include "autodiff/ops.h"
#include "tensor/detail/elementwise.h"
#include "tensor/detail/kernels.h"

namespace xg {

using autograd::Node;
using autograd::Op;

namespace {

constexpr auto plus = [](auto a, auto b) { return a + b; };
constexpr auto minus = [](auto a, auto b) { return a - b; };
constexpr auto times = [](auto a, auto b) { return a * b; };
constexpr auto divides = [](auto a, auto b) { return a / b; };

// A kBool operand mixes with any other dtype as 0/1 (as PyTorch promotes it: x * (x > 0));
// otherwise the dtypes must match.
inline bool bool_mix(const Tensor& a, const Tensor& b) {
  return a.defined() && b.defined() && a.dtype() != b.dtype() && (a.dtype() == kBool || b.dtype() == kBool);
}

template <class F>
Tensor binary_forward(const char* name, const Tensor& a, const Tensor& b, F f) {
  if (bool_mix(a, b))
    return a.dtype() == kBool ? binary_forward(name, kernel::cast(a, b.dtype()), b, f)
                              : binary_forward(name, a, kernel::cast(b, a.dtype()), f);
  autograd::check_same_dtype(name, a, b);
  if (!(a.shape() == b.shape())) broadcast_shapes(name, a.shape(), b.shape());
  return kernel::zip(a, b, f);
}

enum class Saves { x, y };

// A float op y = f(x) whose kernel runs on SIMD batches; gradient(x, y, g) reads the saved one.
template <class Kernel, class Gradient>
Tensor unary_op(const Op& op, const Tensor& x, Saves saves, Kernel kernel, Gradient gradient) {
  autograd::check_float(op.name, x);
  Tensor y = kernel::map_simd(x, kernel);
  return op.record(y, {&x}, {saves == Saves::x ? &x : &y}, [saves, gradient](Node& n, const Tensor& g) {
    const Tensor v = n.saved_value(0);
    return saves == Saves::x ? gradient(v, Tensor{}, g) : gradient(Tensor{}, v, g);
  });
}

}  // namespace

// xsimd's exp converts its scaled argument to an integer before its range check; far beyond the
// points where exp is 0 or inf that conversion overflows (caught by float-cast-overflow). Clamping
// there changes no result; NaN passes through (comparisons with it are false).
template <class B>
B exp_domain(B v) {
  using T = typename B::value_type;
  const B lo(std::is_same_v<T, float> ? T(-104) : T(-746)), hi(std::is_same_v<T, float> ? T(89) : T(710));
  return xsimd::select(v < lo, lo, xsimd::select(v > hi, hi, v));
}

#define XG_UNARY(NAME, SAVES, KERNEL, GRADIENT)                                                           \
  Tensor NAME(const Tensor& x, SourceLocation loc) {                                                     \
    return unary_op(                                                                                     \
        {#NAME, loc}, x, Saves::SAVES,                                                                   \
        [](auto v) {                                                                                     \
          using B [[maybe_unused]] = decltype(v);                                                        \
          using T [[maybe_unused]] = typename B::value_type;                                             \
          return KERNEL;                                                                                 \
        },                                                                                               \
        []([[maybe_unused]] const Tensor& x, [[maybe_unused]] const Tensor& y, const Tensor& g) { return GRADIENT; }); \
  }
#include "autodiff/unary_ops.def"
#undef XG_UNARY

Tensor neg(const Tensor& x, SourceLocation loc) {
  const Op op{"neg", loc};
  autograd::check_defined(op.name, x);
  return op.record(kernel::map(x, [](auto v) { return -v; }), {&x}, {}, [](Node&, const Tensor& g) { return neg(g); });
}

Tensor abs(const Tensor& x, SourceLocation loc) {
  const Op op{"abs", loc};
  autograd::check_defined(op.name, x);
  return op.record(kernel::map(x, [](auto v) { return v < 0 ? -v : v; }), {&x}, {&x},
                   [](Node& n, const Tensor& g) { return g * sign(n.saved_value(0)); });
}

Tensor sign(const Tensor& x, SourceLocation loc) {
  const Op op{"sign", loc};
  autograd::check_defined(op.name, x);
  return op.record(kernel::map(x, [](auto v) { return v > 0 ? 1 : (v < 0 ? -1 : 0); }), {&x}, {},
                   [](Node&, const Tensor& g) { return zeros_like(g); });
}

Tensor square(const Tensor& x, SourceLocation loc) { return mul(x, x, loc); }

Tensor add(const Tensor& a, const Tensor& b, SourceLocation loc) {
  const Op op{"add", loc};
  return op.record(binary_forward(op.name, a, b, plus), {&a, &b}, {},
                   [](Node&, const Tensor& g) { return g; },
                   [](Node&, const Tensor& g) { return g; });
}

// A dedicated rule rather than add(a, neg(b)): one pass over the data instead of two.
Tensor sub(const Tensor& a, const Tensor& b, SourceLocation loc) {
  const Op op{"sub", loc};
  return op.record(binary_forward(op.name, a, b, minus), {&a, &b}, {},
                   [](Node&, const Tensor& g) { return g; },
                   [](Node&, const Tensor& g) { return neg(g); });
}

Tensor mul(const Tensor& a, const Tensor& b, SourceLocation loc) {
  const Op op{"mul", loc};
  // Each input is saved only if the other one's gradient will be needed.
  return op.record(binary_forward(op.name, a, b, times), {&a, &b},
                   {b.requires_grad() ? &a : nullptr, a.requires_grad() ? &b : nullptr},
                   [](Node& n, const Tensor& g) { return mul(g, n.saved_value(1)); },
                   [](Node& n, const Tensor& g) { return mul(g, n.saved_value(0)); });
}

Tensor div(const Tensor& a, const Tensor& b, SourceLocation loc) {
  const Op op{"div", loc};
  return op.record(binary_forward(op.name, a, b, divides), {&a, &b}, {b.requires_grad() ? &a : nullptr, &b},
                   [](Node& n, const Tensor& g) { return div(g, n.saved_value(1)); },
                   [](Node& n, const Tensor& g) {
                     const Tensor bv = n.saved_value(1);
                     return neg(div(mul(g, n.saved_value(0)), mul(bv, bv)));
                   });
}

// Tensor-scalar forms: the same kernels, but the node keeps only the double and no shapes (the
// output has the tensor's shape): a saved scalar tensor cost ~250 bytes of graph per op.
namespace {
template <class F, class Rule>
Tensor with_scalar(const Op& op, const Tensor& t, double c, bool scalar_first, F f, Rule&& rule) {
  autograd::check_defined(op.name, t);
  const Tensor s = autograd::scalar_like(t, c, op.name);
  return op.record(scalar_first ? binary_forward(op.name, s, t, f) : binary_forward(op.name, t, s, f), {&t}, {},
                   std::forward<Rule>(rule));
}
}  // namespace

Tensor add(const Tensor& a, double b, SourceLocation loc) {
  return with_scalar({"add", loc}, a, b, false, plus, [](Node&, const Tensor& g) { return g; });
}
Tensor sub(const Tensor& a, double b, SourceLocation loc) {
  return with_scalar({"sub", loc}, a, b, false, minus, [](Node&, const Tensor& g) { return g; });
}
Tensor sub(double a, const Tensor& b, SourceLocation loc) {
  return with_scalar({"sub", loc}, b, a, true, minus, [](Node&, const Tensor& g) { return neg(g); });
}
Tensor mul(const Tensor& a, double b, SourceLocation loc) {
  return with_scalar({"mul", loc}, a, b, false, times, [b](Node&, const Tensor& g) { return mul(g, b); });
}
Tensor div(const Tensor& a, double b, SourceLocation loc) {
  return with_scalar({"div", loc}, a, b, false, divides, [b](Node&, const Tensor& g) { return div(g, b); });
}
Tensor div(double a, const Tensor& b, SourceLocation loc) { return div(autograd::scalar_like(b, a), b, loc); }

Tensor pow(const Tensor& x, double p, SourceLocation loc) {
  const Op op{"pow", loc};
  autograd::check_float(op.name, x);
  Tensor out = p == 2   ? kernel::map(x, [](auto v) { return v * v; })
               : p == 1 ? kernel::copy(x)
                        : kernel::map(x, [p](auto v) { return std::pow(v, static_cast<decltype(v)>(p)); });
  return op.record(out, {&x}, {&x}, [p](Node& n, const Tensor& g) {
    if (p == 0) return zeros_like(g);
    return mul(g, mul(pow(n.saved_value(0), p - 1), p));
  });
}

Tensor pow(const Tensor& x, const Tensor& e, SourceLocation loc) {
  const Op op{"pow", loc};
  autograd::check_float(op.name, x);
  Tensor out = binary_forward(op.name, x, e, [](auto a, auto b) { return std::pow(a, b); });
  return op.record(out, {&x, &e}, {&x, &e, &out},
                   [](Node& n, const Tensor& g) {
                     // d/dx x^e = e x^(e-1); 0 where e == 0 (also at x == 0, as PyTorch). There the
                     // exponent is taken as 1, so no 0·inf appears at any order; that masked form
                     // is built only when some exponent is 0.
                     const Tensor xv = n.saved_value(0), ev = n.saved_value(1);
                     if (!kernel::any_of(ev, [](auto v) { return v == 0; })) return mul(g, mul(ev, pow(xv, sub(ev, 1.0))));
                     const Tensor safe_e = where(eq(ev, 0.0), autograd::scalar_like(ev, 1), ev);
                     return mul(g, mul(ev, pow(xv, sub(safe_e, 1.0))));
                   },
                   [](Node& n, const Tensor& g) {
                     // d/de x^e = x^e log x; 0 where x == 0 and e >= 0, as PyTorch (log of 1 there;
                     // masked only when some base is 0).
                     const Tensor xv = n.saved_value(0), ev = n.saved_value(1);
                     if (!kernel::any_of(xv, [](auto v) { return v == 0; })) return mul(g, mul(n.saved_value(2), log(xv)));
                     const Tensor zero_base = logical_and(eq(xv, 0.0), ge(ev, 0.0));
                     const Tensor safe_x = where(zero_base, autograd::scalar_like(xv, 1), xv);
                     return where(zero_base, autograd::scalar_like(g, 0), mul(g, mul(n.saved_value(2), log(safe_x))));
                   });
}

Tensor pow(double base, const Tensor& e, SourceLocation loc) { return pow(full_like(e, base), e, loc); }

Tensor leaky_relu(const Tensor& x, double slope, SourceLocation loc) {
  const Op op{"leaky_relu", loc};
  autograd::check_float(op.name, x);
  return op.record(kernel::map(x, [slope](auto v) { return v > 0 ? v : static_cast<decltype(v)>(slope) * v; }), {&x}, {&x},
                   [slope](Node& n, const Tensor& g) {
                     return g * kernel::map(n.saved_value(0), [slope](auto v) { return v > 0 ? 1 : slope; });
                   });
}

Tensor elu(const Tensor& x, double alpha, SourceLocation loc) {
  const Op op{"elu", loc};
  autograd::check_float(op.name, x);
  return op.record(kernel::map(x, [alpha](auto v) { return v > 0 ? v : static_cast<decltype(v)>(alpha) * std::expm1(v); }),
                   {&x}, {&x}, [alpha](Node& n, const Tensor& g) {
                     const Tensor xv = n.saved_value(0);
                     return where(gt(xv, 0.0), g, mul(g, mul(exp(xv), alpha)));
                   });
}

Tensor softplus(const Tensor& x, double beta, double threshold, SourceLocation loc) {
  const Op op{"softplus", loc};
  autograd::check_float(op.name, x);
  if (!(beta > 0)) throw ValueError(fmt::format("{}: beta must be positive, got {}", op.name, beta));
  // log(1 + exp(beta x)) / beta, linear above the threshold as in PyTorch.
  Tensor out = kernel::map(x, [beta, threshold](auto v) {
    using T = decltype(v);
    const T z = static_cast<T>(beta) * v;
    return z > static_cast<T>(threshold) ? v : static_cast<T>(std::log1p(std::exp(z)) / static_cast<T>(beta));
  });
  return op.record(out, {&x}, {&x}, [beta, threshold](Node& n, const Tensor& g) {
    const Tensor z = mul(n.saved_value(0), beta);
    return where(gt(z, threshold), g, mul(g, sigmoid(z)));
  });
}

Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max, SourceLocation loc) {
  const Op op{"clamp", loc};
  autograd::check_defined(op.name, x);
  if (!min && !max) throw ValueError(fmt::format("{}: at least one of min and max must be given", op.name));
  if ((min && std::isnan(*min)) || (max && std::isnan(*max)))
    throw ValueError(fmt::format("{}: bounds must not be NaN (min={}, max={})", op.name, min ? *min : 0.0, max ? *max : 0.0));
  if (min && max && *min > *max) throw ValueError(fmt::format("{}: min {} is greater than max {}", op.name, *min, *max));
  const double lo = min.value_or(-INFINITY), hi = max.value_or(INFINITY);
  Tensor out = kernel::map(x, [lo, hi](auto v) {
    using T = decltype(v);
    if (v < lo) v = static_cast<T>(lo);
    if (v > hi) v = static_cast<T>(hi);
    return v;
  });
  return op.record(out, {&x}, {&x}, [lo, hi](Node& n, const Tensor& g) {
    const Tensor xv = n.saved_value(0);
    const Tensor inside = kernel::map(xv, [lo, hi](auto v) { return v >= lo && v <= hi; });
    return g * inside;
  });
}

namespace {
// maximum/minimum: the winner gets the gradient, ties split it evenly (as PyTorch).
Tensor extremum(const Op& op, bool is_max, const Tensor& a, const Tensor& b) {
  auto weight = [is_max](bool of_a) {
    return [is_max, of_a](Node& n, const Tensor& g) {
      const Tensor av = n.saved_value(0), bv = n.saved_value(1);
      const Tensor wins = is_max == of_a ? autograd::gt_values(av, bv) : autograd::lt_values(av, bv);
      return mul(g, add(wins, mul(autograd::eq_values(av, bv), 0.5)));
    };
  };
  // NaN wins, as in PyTorch.
  Tensor out = is_max ? binary_forward(op.name, a, b, [](auto x, auto y) { return (x > y || x != x) ? x : y; })
                      : binary_forward(op.name, a, b, [](auto x, auto y) { return (x < y || x != x) ? x : y; });
  return op.record(out, {&a, &b}, {&a, &b}, weight(true), weight(false));
}
}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b, SourceLocation loc) { return extremum({"maximum", loc}, true, a, b); }
Tensor minimum(const Tensor& a, const Tensor& b, SourceLocation loc) { return extremum({"minimum", loc}, false, a, b); }

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, SourceLocation loc) {
  const Op op{"where", loc};
  autograd::check_defined(op.name, cond);
  if (bool_mix(a, b))
    return a.dtype() == kBool ? where(cond, kernel::cast(a, b.dtype()), b, loc) : where(cond, a, kernel::cast(b, a.dtype()), loc);
  autograd::check_same_dtype(op.name, a, b);
  broadcast_shapes(op.name, broadcast_shapes(op.name, cond.shape(), a.shape()), b.shape());
  return op.record(kernel::where(cond, a, b), {&a, &b}, {&cond},
                   [](Node& n, const Tensor& g) { return where(n.saved_value(0), g, autograd::scalar_like(g, 0)); },
                   [](Node& n, const Tensor& g) { return where(n.saved_value(0), autograd::scalar_like(g, 0), g); });
}

Tensor where(const Tensor& cond, const Tensor& a, double b, SourceLocation loc) {
  autograd::check_defined("where", a);
  return where(cond, a, autograd::scalar_like(a, b, "where"), loc);
}
Tensor where(const Tensor& cond, double a, const Tensor& b, SourceLocation loc) {
  autograd::check_defined("where", b);
  return where(cond, autograd::scalar_like(b, a, "where"), b, loc);
}

namespace {
template <class F>
Tensor rounding(const Op& op, const Tensor& x, F f) {
  autograd::check_defined(op.name, x);
  if (!is_floating(x.dtype())) return op.record(kernel::copy(x), {&x}, {}, [](Node&, const Tensor& g) { return zeros_like(g); });
  return op.record(kernel::map(x, f), {&x}, {}, [](Node&, const Tensor& g) { return zeros_like(g); });
}
}  // namespace

Tensor floor(const Tensor& x, SourceLocation loc) { return rounding({"floor", loc}, x, [](auto v) { return std::floor(v); }); }
Tensor ceil(const Tensor& x, SourceLocation loc) { return rounding({"ceil", loc}, x, [](auto v) { return std::ceil(v); }); }
Tensor round(const Tensor& x, SourceLocation loc) { return rounding({"round", loc}, x, [](auto v) { return std::nearbyint(v); }); }

// ----- comparisons and logic: kBool masks, never recorded -----
namespace {
// out[i] = f(a[i], b[i]) as kBool, broadcasting; a kBool operand compares as 0/1 with any dtype.
template <class F>
Tensor compare(const char* name, const Tensor& a, const Tensor& b, F f) {
  if (bool_mix(a, b))
    return a.dtype() == kBool ? compare(name, kernel::cast(a, b.dtype()), b, f)
                              : compare(name, a, kernel::cast(b, a.dtype()), f);
  autograd::check_same_dtype(name, a, b);
  const Shape os = broadcast_shapes(name, a.shape(), b.shape());
  const Tensor ea = a.numel() == 1 || a.shape() == os ? a : kernel::expand(a, os);
  const Tensor eb = b.numel() == 1 || b.shape() == os ? b : kernel::expand(b, os);
  const std::int64_t sa = ea.numel() == 1 ? 0 : 1, sb = eb.numel() == 1 ? 0 : 1;
  Tensor out = make_tensor(os, kBool, name);
  bool* po = data_of<bool>(out);
  dispatch_all(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pa = data_of<T>(ea);
    const T* pb = data_of<T>(eb);
    for (std::int64_t i = 0, n = out.numel(); i < n; ++i) po[i] = f(pa[i * sa], pb[i * sb]);
  });
  return out;
}

// The compute dtypes compare with the number stored in their dtype (a ValueError when it does
// not fit an integer tensor); the storage dtypes compare exactly, in double.
template <class F>
Tensor compare_scalar(const char* name, const Tensor& a, double c, F f) {
  autograd::check_defined(name, a);
  if (is_compute(a.dtype())) return compare(name, a, autograd::scalar_like(a, c, name), f);
  Tensor out = make_tensor(a.shape(), kBool, name);
  bool* po = data_of<bool>(out);
  dispatch_all(a.dtype(), [&](auto tag) {
    const auto* pa = data_of<decltype(tag)>(a);
    for (std::int64_t i = 0, n = a.numel(); i < n; ++i) po[i] = f(static_cast<double>(pa[i]), c);
  });
  return out;
}

Tensor as_bool(const char* name, const Tensor& x) {
  autograd::check_defined(name, x);
  return x.dtype() == kBool ? x : kernel::cast(x, kBool, name);
}

constexpr auto f_eq = [](auto x, auto y) { return x == y; };
constexpr auto f_ne = [](auto x, auto y) { return x != y; };
constexpr auto f_lt = [](auto x, auto y) { return x < y; };
constexpr auto f_le = [](auto x, auto y) { return x <= y; };
constexpr auto f_gt = [](auto x, auto y) { return x > y; };
constexpr auto f_ge = [](auto x, auto y) { return x >= y; };
}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) { return compare("eq", a, b, f_eq); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare("ne", a, b, f_ne); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare("lt", a, b, f_lt); }
Tensor le(const Tensor& a, const Tensor& b) { return compare("le", a, b, f_le); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare("gt", a, b, f_gt); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare("ge", a, b, f_ge); }
Tensor eq(const Tensor& a, double b) { return compare_scalar("eq", a, b, f_eq); }
Tensor ne(const Tensor& a, double b) { return compare_scalar("ne", a, b, f_ne); }
Tensor lt(const Tensor& a, double b) { return compare_scalar("lt", a, b, f_lt); }
Tensor le(const Tensor& a, double b) { return compare_scalar("le", a, b, f_le); }
Tensor gt(const Tensor& a, double b) { return compare_scalar("gt", a, b, f_gt); }
Tensor ge(const Tensor& a, double b) { return compare_scalar("ge", a, b, f_ge); }

Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator==(const Tensor& a, double b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, double b) { return ne(a, b); }
Tensor operator<(const Tensor& a, double b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, double b) { return le(a, b); }
Tensor operator>(const Tensor& a, double b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, double b) { return ge(a, b); }
Tensor operator==(double a, const Tensor& b) { return eq(b, a); }
Tensor operator!=(double a, const Tensor& b) { return ne(b, a); }
Tensor operator<(double a, const Tensor& b) { return gt(b, a); }
Tensor operator<=(double a, const Tensor& b) { return ge(b, a); }
Tensor operator>(double a, const Tensor& b) { return lt(b, a); }
Tensor operator>=(double a, const Tensor& b) { return le(b, a); }

Tensor logical_and(const Tensor& a, const Tensor& b) {
  return compare("logical_and", as_bool("logical_and", a), as_bool("logical_and", b), [](bool x, bool y) { return x && y; });
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  return compare("logical_or", as_bool("logical_or", a), as_bool("logical_or", b), [](bool x, bool y) { return x || y; });
}
Tensor logical_xor(const Tensor& a, const Tensor& b) {
  return compare("logical_xor", as_bool("logical_xor", a), as_bool("logical_xor", b), [](bool x, bool y) { return x != y; });
}
Tensor logical_not(const Tensor& a) {
  Tensor out = kernel::copy(as_bool("logical_not", a));
  bool* p = data_of<bool>(out);
  for (std::int64_t i = 0, n = out.numel(); i < n; ++i) p[i] = !p[i];
  return out;
}
Tensor operator&(const Tensor& a, const Tensor& b) { return logical_and(a, b); }
Tensor operator|(const Tensor& a, const Tensor& b) { return logical_or(a, b); }
Tensor operator^(const Tensor& a, const Tensor& b) { return logical_xor(a, b); }
Tensor operator~(const Tensor& a) {
  autograd::check_defined("operator~", a);
  if (a.dtype() != kBool)
    throw DTypeError(fmt::format("operator~: xgrad's ~ is logical not, for kBool masks; got {} (use logical_not)",
                                 dtype_name(a.dtype())));
  return logical_not(a);
}

namespace {
template <class P>
Tensor float_predicate(const char* name, const Tensor& x, bool non_float_value, P pred) {
  autograd::check_defined(name, x);
  Tensor out = make_tensor(x.shape(), kBool, name);
  bool* po = data_of<bool>(out);
  if (!is_floating(x.dtype())) {
    kernel::fill(out, non_float_value ? 1 : 0);
    return out;
  }
  dispatch_float(x.dtype(), [&](auto tag) {
    const auto* px = data_of<decltype(tag)>(x);
    for (std::int64_t i = 0, n = x.numel(); i < n; ++i) po[i] = pred(px[i]);
  });
  return out;
}
}  // namespace

Tensor isnan(const Tensor& x) { return float_predicate("isnan", x, false, [](auto v) { return std::isnan(v); }); }
Tensor isfinite(const Tensor& x) { return float_predicate("isfinite", x, true, [](auto v) { return std::isfinite(v); }); }

Tensor any(const Tensor& x) {
  const Tensor b = as_bool("any", x);
  const bool* p = data_of<bool>(b);
  bool r = false;
  for (std::int64_t i = 0, n = b.numel(); i < n && !r; ++i) r = p[i];
  return full({}, r ? 1 : 0, kBool);
}
Tensor all(const Tensor& x) {
  const Tensor b = as_bool("all", x);
  const bool* p = data_of<bool>(b);
  bool r = true;
  for (std::int64_t i = 0, n = b.numel(); i < n && r; ++i) r = p[i];
  return full({}, r ? 1 : 0, kBool);
}
Tensor any(const Tensor& x, std::int64_t dim, bool keepdim) {
  const Tensor b = as_bool("any", x);
  wrap_dim("any", dim, b.shape().size());
  return gt(sum(kernel::cast(b, kInt64), Dims{dim}, keepdim), 0.0);
}
Tensor all(const Tensor& x, std::int64_t dim, bool keepdim) {
  const Tensor b = as_bool("all", x);
  wrap_dim("all", dim, b.shape().size());
  return eq(sum(kernel::cast(logical_not(b), kInt64), Dims{dim}, keepdim), 0.0);
}

// ----- masks -----
namespace {
void check_mask(const char* name, const Tensor& x, const Tensor& mask, bool must_fit_x) {
  autograd::check_defined(name, x);
  autograd::check_defined(name, mask);
  if (mask.dtype() != kBool)
    throw DTypeError(fmt::format("{}: the mask must have dtype bool, got {} (make one with a comparison, e.g. x > 0, "
                                 "or .to(xg::kBool))", name, dtype_name(mask.dtype())));
  const Shape s = broadcast_shapes(name, x.shape(), mask.shape());
  if (must_fit_x && !(s == x.shape()))
    throw ShapeError(fmt::format("{}: mask of shape {} does not broadcast to the tensor's shape {}", name,
                                 to_string(mask.shape()), to_string(x.shape())));
}
}  // namespace

Tensor masked_fill(const Tensor& x, const Tensor& mask, double value, SourceLocation loc) {
  const Op op{"masked_fill", loc};
  check_mask(op.name, x, mask, true);
  return where(mask, autograd::scalar_like(x, value, op.name), x, loc);
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, const Tensor& value, SourceLocation loc) {
  const Op op{"masked_fill", loc};
  check_mask(op.name, x, mask, true);
  autograd::check_defined(op.name, value);
  if (value.dim() != 0)
    throw ShapeError(fmt::format("{}: the value must be a 0-d tensor, got shape {}", op.name, to_string(value.shape())));
  return where(mask, value.dtype() == x.dtype() ? value : to_dtype(value, x.dtype(), loc), x, loc);
}

Tensor masked_select(const Tensor& x, const Tensor& mask, SourceLocation loc) {
  const Op op{"masked_select", loc};
  check_mask(op.name, x, mask, false);
  const Shape s = broadcast_shapes(op.name, x.shape(), mask.shape());
  const Tensor m = mask.shape() == s ? mask : kernel::expand(mask, s);
  std::vector<std::int64_t> positions;
  const bool* pm = data_of<bool>(m);
  for (std::int64_t i = 0, n = m.numel(); i < n; ++i)
    if (pm[i]) positions.push_back(i);
  const Tensor idx = from_vector(positions, Shape{static_cast<std::int64_t>(positions.size())});
  const Tensor flat = reshape(x.shape() == s ? x : expand(x, s, loc), Shape{-1}, loc);
  return index_select(flat, 0, idx, loc);
}

// ----- rule masks: 1/0 in the operands' dtype -----
namespace autograd {
Tensor eq_values(const Tensor& a, const Tensor& b) { return binary_forward("eq", a, b, f_eq); }
Tensor gt_values(const Tensor& a, const Tensor& b) { return binary_forward("gt", a, b, f_gt); }
Tensor lt_values(const Tensor& a, const Tensor& b) { return binary_forward("lt", a, b, f_lt); }
}  // namespace autograd

bool equal(const Tensor& a, const Tensor& b) {
  if (!a.defined() || !b.defined()) return a.defined() == b.defined();
  if (a.dtype() != b.dtype() || !(a.shape() == b.shape())) return false;
  return a.to_vector<double>() == b.to_vector<double>();
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol) {
  autograd::check_defined("allclose", a);
  autograd::check_defined("allclose", b);
  broadcast_shapes("allclose", a.shape(), b.shape());
  const Shape s = broadcast_shapes("allclose", a.shape(), b.shape());
  const auto va = kernel::expand(kernel::cast(a, kFloat64), s).to_vector<double>();
  const auto vb = kernel::expand(kernel::cast(b, kFloat64), s).to_vector<double>();
  for (std::size_t i = 0; i < va.size(); ++i) {
    if (std::isnan(va[i]) || std::isnan(vb[i])) return false;
    if (va[i] == vb[i]) continue;
    if (!(std::abs(va[i] - vb[i]) <= atol + rtol * std::abs(vb[i]))) return false;
  }
  return true;
}

Tensor operator+(const Tensor& a, TensorOperand b) { return add(a, b.value, b.where); }
Tensor operator-(const Tensor& a, TensorOperand b) { return sub(a, b.value, b.where); }
Tensor operator*(const Tensor& a, TensorOperand b) { return mul(a, b.value, b.where); }
Tensor operator/(const Tensor& a, TensorOperand b) { return div(a, b.value, b.where); }
Tensor operator+(const Tensor& a, ScalarOperand b) { return add(a, b.value, b.where); }
Tensor operator-(const Tensor& a, ScalarOperand b) { return sub(a, b.value, b.where); }
Tensor operator*(const Tensor& a, ScalarOperand b) { return mul(a, b.value, b.where); }
Tensor operator/(const Tensor& a, ScalarOperand b) { return div(a, b.value, b.where); }
Tensor operator+(double a, TensorOperand b) { return add(b.value, a, b.where); }
Tensor operator-(double a, TensorOperand b) { return sub(a, b.value, b.where); }
Tensor operator*(double a, TensorOperand b) { return mul(b.value, a, b.where); }
Tensor operator/(double a, TensorOperand b) { return div(a, b.value, b.where); }

}  // namespace xg
