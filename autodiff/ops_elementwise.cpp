// Element-wise ops: forward kernel + derivative rule, one entry each.
#include <cmath>
#include <numbers>

#include "autodiff/checks.h"
#include "autodiff/ops.h"
#include "autodiff/record.h"
#include "tensor/kernels.h"

namespace xg {

using autograd::GradList;
using autograd::Node;
using autograd::record;
using kernel::Binary;
using kernel::Unary;
using kernel::UnaryParam;

namespace {

Tensor binary_forward(Binary op, const char* name, const Tensor& a, const Tensor& b) {
  autograd::check_same_dtype(name, a, b);
  if (!(a.shape() == b.shape())) broadcast_shapes(name, a.shape(), b.shape());
  return kernel::binary(op, a, b);
}

Tensor unary_forward(Unary op, const char* name, const Tensor& x) {
  autograd::check_float(name, x);
  return kernel::unary(op, x);
}

Tensor mask(Binary cmp, const Tensor& a, const Tensor& b) { return kernel::binary(cmp, a, b); }

}  // namespace

Tensor neg(const Tensor& x, SourceLocation loc) {
  autograd::check_defined("neg", x);
  return record(kernel::unary(Unary::Neg, x), "neg", loc, {&x}, {}, [](Node&, const Tensor& g) {
    return GradList{neg(g)};
  });
}

Tensor add(const Tensor& a, const Tensor& b, SourceLocation loc) {
  Tensor out = binary_forward(Binary::Add, "add", a, b);
  return record(out, "add", loc, {&a, &b}, {}, [sa = a.shape(), sb = b.shape()](Node& n, const Tensor& g) {
    return GradList{n.needs_grad(0) ? sum_to(g, sa) : Tensor{}, n.needs_grad(1) ? sum_to(g, sb) : Tensor{}};
  });
}

Tensor sub(const Tensor& a, const Tensor& b, SourceLocation loc) {
  Tensor out = binary_forward(Binary::Sub, "sub", a, b);
  return record(out, "sub", loc, {&a, &b}, {}, [sa = a.shape(), sb = b.shape()](Node& n, const Tensor& g) {
    return GradList{n.needs_grad(0) ? sum_to(g, sa) : Tensor{}, n.needs_grad(1) ? sum_to(neg(g), sb) : Tensor{}};
  });
}

Tensor mul(const Tensor& a, const Tensor& b, SourceLocation loc) {
  Tensor out = binary_forward(Binary::Mul, "mul", a, b);
  // Each input is saved only if the other one's gradient will be needed.
  return record(out, "mul", loc, {&a, &b}, {b.requires_grad() ? &a : nullptr, a.requires_grad() ? &b : nullptr}, [sa = a.shape(), sb = b.shape()](Node& n, const Tensor& g) {
    return GradList{n.needs_grad(0) ? sum_to(mul(g, n.saved_value(1)), sa) : Tensor{},
                    n.needs_grad(1) ? sum_to(mul(g, n.saved_value(0)), sb) : Tensor{}};
  });
}

Tensor div(const Tensor& a, const Tensor& b, SourceLocation loc) {
  Tensor out = binary_forward(Binary::Div, "div", a, b);
  return record(out, "div", loc, {&a, &b}, {b.requires_grad() ? &a : nullptr, &b}, [sa = a.shape(), sb = b.shape()](Node& n, const Tensor& g) {
    const Tensor bv = n.saved_value(1);
    return GradList{n.needs_grad(0) ? sum_to(div(g, bv), sa) : Tensor{},
                    n.needs_grad(1) ? sum_to(neg(div(mul(g, n.saved_value(0)), mul(bv, bv))), sb) : Tensor{}};
  });
}

// Tensor-scalar forms: the same kernels, but the node keeps only the double and no shapes (the
// output has the tensor's shape): a saved scalar tensor cost ~250 bytes of graph per op.
namespace {
template <class Rule>
Tensor with_scalar(Binary op, const char* name, const Tensor& t, double c, bool scalar_first, SourceLocation loc, Rule&& rule) {
  autograd::check_defined(name, t);
  const Tensor s = autograd::scalar_like(t, c);
  Tensor out = scalar_first ? binary_forward(op, name, s, t) : binary_forward(op, name, t, s);
  return record(out, name, loc, {&t}, {}, std::forward<Rule>(rule));
}
}  // namespace

Tensor add(const Tensor& a, double b, SourceLocation loc) {
  return with_scalar(Binary::Add, "add", a, b, false, loc, [](Node&, const Tensor& g) { return GradList{g}; });
}
Tensor sub(const Tensor& a, double b, SourceLocation loc) {
  return with_scalar(Binary::Sub, "sub", a, b, false, loc, [](Node&, const Tensor& g) { return GradList{g}; });
}
Tensor sub(double a, const Tensor& b, SourceLocation loc) {
  return with_scalar(Binary::Sub, "sub", b, a, true, loc, [](Node&, const Tensor& g) { return GradList{neg(g)}; });
}
Tensor mul(const Tensor& a, double b, SourceLocation loc) {
  return with_scalar(Binary::Mul, "mul", a, b, false, loc, [b](Node&, const Tensor& g) { return GradList{mul(g, b)}; });
}
Tensor div(const Tensor& a, double b, SourceLocation loc) {
  return with_scalar(Binary::Div, "div", a, b, false, loc, [b](Node&, const Tensor& g) { return GradList{div(g, b)}; });
}
Tensor div(double a, const Tensor& b, SourceLocation loc) { return div(autograd::scalar_like(b, a), b, loc); }

Tensor pow(const Tensor& x, double p, SourceLocation loc) {
  autograd::check_float("pow", x);
  return record(kernel::unary_param(UnaryParam::PowScalar, x, p), "pow", loc, {&x}, {&x}, [p](Node& n, const Tensor& g) {
    if (p == 0) return GradList{zeros_like(g)};
    return GradList{mul(g, mul(pow(n.saved_value(0), p - 1), p))};
  });
}

Tensor pow(const Tensor& x, const Tensor& e, SourceLocation loc) {
  autograd::check_float("pow", x);
  Tensor out = binary_forward(Binary::Pow, "pow", x, e);
  return record(out, "pow", loc, {&x, &e}, {&x, &e, &out}, [sa = x.shape(), sb = e.shape()](Node& n, const Tensor& g) {
    const Tensor xv = n.saved_value(0), ev = n.saved_value(1);
    Tensor gx, ge_;
    if (n.needs_grad(0)) gx = sum_to(mul(g, mul(ev, pow(xv, sub(ev, 1.0)))), sa);
    if (n.needs_grad(1)) {
      // d/de x^e = x^e log x; zero where x == 0 and e >= 0, as in PyTorch.
      const Tensor zero_base = logical_and(eq(xv, 0.0), ge(ev, 0.0));
      ge_ = sum_to(where(zero_base, zeros_like(g), mul(g, mul(n.saved_value(2), log(xv)))), sb);
    }
    return GradList{gx, ge_};
  });
}

Tensor pow(double base, const Tensor& e, SourceLocation loc) { return pow(full_like(e, base), e, loc); }

Tensor exp(const Tensor& x, SourceLocation loc) {
  Tensor out = unary_forward(Unary::Exp, "exp", x);
  return record(out, "exp", loc, {&x}, {&out}, [](Node& n, const Tensor& g) {
    return GradList{mul(g, n.saved_value(0))};
  });
}

Tensor log(const Tensor& x, SourceLocation loc) {
  return record(unary_forward(Unary::Log, "log", x), "log", loc, {&x}, {&x}, [](Node& n, const Tensor& g) {
    return GradList{div(g, n.saved_value(0))};
  });
}

Tensor log1p(const Tensor& x, SourceLocation loc) {
  return record(unary_forward(Unary::Log1p, "log1p", x), "log1p", loc, {&x}, {&x}, [](Node& n, const Tensor& g) {
    return GradList{div(g, add(n.saved_value(0), 1.0))};
  });
}

Tensor sqrt(const Tensor& x, SourceLocation loc) {
  Tensor out = unary_forward(Unary::Sqrt, "sqrt", x);
  return record(out, "sqrt", loc, {&x}, {&out}, [](Node& n, const Tensor& g) {
    return GradList{div(g, mul(n.saved_value(0), 2.0))};
  });
}

Tensor rsqrt(const Tensor& x, SourceLocation loc) {
  Tensor out = unary_forward(Unary::Rsqrt, "rsqrt", x);
  return record(out, "rsqrt", loc, {&x}, {&out}, [](Node& n, const Tensor& g) {
    return GradList{mul(g, mul(pow(n.saved_value(0), 3.0), -0.5))};
  });
}

Tensor square(const Tensor& x, SourceLocation loc) {
  autograd::check_defined("square", x);
  return record(kernel::unary(Unary::Square, x), "square", loc, {&x}, {&x}, [](Node& n, const Tensor& g) {
    return GradList{mul(g, mul(n.saved_value(0), 2.0))};
  });
}

Tensor reciprocal(const Tensor& x, SourceLocation loc) {
  Tensor out = unary_forward(Unary::Reciprocal, "reciprocal", x);
  return record(out, "reciprocal", loc, {&x}, {&out}, [](Node& n, const Tensor& g) {
    const Tensor y = n.saved_value(0);
    return GradList{neg(mul(g, mul(y, y)))};
  });
}

Tensor abs(const Tensor& x, SourceLocation loc) {
  autograd::check_defined("abs", x);
  return record(kernel::unary(Unary::Abs, x), "abs", loc, {&x}, {&x}, [](Node& n, const Tensor& g) {
    return GradList{mul(g, sign(n.saved_value(0)))};
  });
}

Tensor sign(const Tensor& x, SourceLocation loc) {
  autograd::check_defined("sign", x);
  return record(kernel::unary(Unary::Sign, x), "sign", loc, {&x}, {}, [](Node&, const Tensor& g) {
    return GradList{zeros_like(g)};
  });
}

Tensor sin(const Tensor& x, SourceLocation loc) {
  return record(unary_forward(Unary::Sin, "sin", x), "sin", loc, {&x}, {&x}, [](Node& n, const Tensor& g) {
    return GradList{mul(g, cos(n.saved_value(0)))};
  });
}

Tensor cos(const Tensor& x, SourceLocation loc) {
  return record(unary_forward(Unary::Cos, "cos", x), "cos", loc, {&x}, {&x}, [](Node& n, const Tensor& g) {
    return GradList{neg(mul(g, sin(n.saved_value(0))))};
  });
}

Tensor erf(const Tensor& x, SourceLocation loc) {
  return record(unary_forward(Unary::Erf, "erf", x), "erf", loc, {&x}, {&x}, [](Node& n, const Tensor& g) {
    const Tensor xv = n.saved_value(0);
    return GradList{mul(g, mul(exp(neg(mul(xv, xv))), 2.0 / std::sqrt(std::numbers::pi)))};
  });
}

Tensor tanh(const Tensor& x, SourceLocation loc) {
  Tensor out = unary_forward(Unary::Tanh, "tanh", x);
  return record(out, "tanh", loc, {&x}, {&out}, [](Node& n, const Tensor& g) {
    const Tensor y = n.saved_value(0);
    return GradList{mul(g, sub(1.0, mul(y, y)))};
  });
}

Tensor sigmoid(const Tensor& x, SourceLocation loc) {
  Tensor out = unary_forward(Unary::Sigmoid, "sigmoid", x);
  return record(out, "sigmoid", loc, {&x}, {&out}, [](Node& n, const Tensor& g) {
    const Tensor y = n.saved_value(0);
    return GradList{mul(g, mul(y, sub(1.0, y)))};
  });
}

Tensor relu(const Tensor& x, SourceLocation loc) {
  autograd::check_float("relu", x);
  return record(kernel::unary(Unary::Relu, x), "relu", loc, {&x}, {&x}, [](Node& n, const Tensor& g) {
    return GradList{mul(g, kernel::unary(Unary::Heaviside, n.saved_value(0)))};
  });
}

Tensor leaky_relu(const Tensor& x, double slope, SourceLocation loc) {
  autograd::check_float("leaky_relu", x);
  return record(kernel::unary_param(UnaryParam::LeakyRelu, x, slope), "leaky_relu", loc, {&x}, {&x},
                [slope](Node& n, const Tensor& g) {
                  return GradList{mul(g, kernel::unary_param(UnaryParam::LeakySlope, n.saved_value(0), slope))};
                });
}

Tensor elu(const Tensor& x, double alpha, SourceLocation loc) {
  autograd::check_float("elu", x);
  return record(kernel::unary_param(UnaryParam::Elu, x, alpha), "elu", loc, {&x}, {&x}, [alpha](Node& n, const Tensor& g) {
    const Tensor xv = n.saved_value(0);
    return GradList{where(gt(xv, 0.0), g, mul(g, mul(exp(xv), alpha)))};
  });
}

Tensor gelu(const Tensor& x, SourceLocation loc) {
  autograd::check_float("gelu", x);
  return record(kernel::unary_param(UnaryParam::Gelu, x, 0), "gelu", loc, {&x}, {&x}, [](Node& n, const Tensor& g) {
    // d/dx x·Φ(x) = Φ(x) + x·φ(x)
    const Tensor xv = n.saved_value(0);
    const Tensor cdf = mul(add(erf(mul(xv, std::numbers::sqrt2 / 2)), 1.0), 0.5);
    const Tensor pdf = mul(exp(mul(mul(xv, xv), -0.5)), 1.0 / std::sqrt(2 * std::numbers::pi));
    return GradList{mul(g, add(cdf, mul(xv, pdf)))};
  });
}

Tensor softplus(const Tensor& x, double beta, double threshold, SourceLocation loc) {
  autograd::check_float("softplus", x);
  if (!(beta > 0)) throw ValueError(fmt::format("softplus: beta must be positive, got {}", beta));
  return record(kernel::unary_param(UnaryParam::Softplus, x, beta, threshold), "softplus", loc, {&x}, {&x},
                [beta, threshold](Node& n, const Tensor& g) {
                  const Tensor z = mul(n.saved_value(0), beta);
                  return GradList{where(gt(z, threshold), g, mul(g, sigmoid(z)))};
                });
}

Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max, SourceLocation loc) {
  autograd::check_defined("clamp", x);
  if (!min && !max) throw ValueError("clamp: at least one of min and max must be given");
  if ((min && std::isnan(*min)) || (max && std::isnan(*max)))
    throw ValueError(fmt::format("clamp: bounds must not be NaN (min={}, max={})", min ? *min : 0.0, max ? *max : 0.0));
  if (min && max && *min > *max) throw ValueError(fmt::format("clamp: min {} is greater than max {}", *min, *max));
  const double lo = min.value_or(std::nan("")), hi = max.value_or(std::nan(""));
  return record(kernel::unary_param(UnaryParam::Clamp, x, lo, hi), "clamp", loc, {&x}, {&x}, [lo, hi](Node& n, const Tensor& g) {
    return GradList{mul(g, kernel::unary_param(UnaryParam::ClampMask, n.saved_value(0), lo, hi))};
  });
}

namespace {
// maximum/minimum: the winner gets the gradient, ties split it evenly (as PyTorch).
Tensor extremum(bool is_max, const Tensor& a, const Tensor& b, SourceLocation loc) {
  const char* name = is_max ? "maximum" : "minimum";
  Tensor out = binary_forward(is_max ? Binary::Maximum : Binary::Minimum, name, a, b);
  return record(out, name, loc, {&a, &b}, {&a, &b}, [is_max, sa = a.shape(), sb = b.shape()](Node& n, const Tensor& g) {
    const Tensor av = n.saved_value(0), bv = n.saved_value(1);
    const Tensor half_tie = mul(mask(Binary::Eq, av, bv), 0.5);
    const Tensor wa = add(mask(is_max ? Binary::Gt : Binary::Lt, av, bv), half_tie);
    const Tensor wb = add(mask(is_max ? Binary::Lt : Binary::Gt, av, bv), half_tie);
    return GradList{n.needs_grad(0) ? sum_to(mul(g, wa), sa) : Tensor{}, n.needs_grad(1) ? sum_to(mul(g, wb), sb) : Tensor{}};
  });
}
}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b, SourceLocation loc) { return extremum(true, a, b, loc); }
Tensor minimum(const Tensor& a, const Tensor& b, SourceLocation loc) { return extremum(false, a, b, loc); }

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, SourceLocation loc) {
  autograd::check_defined("where", cond);
  autograd::check_same_dtype("where", a, b);
  broadcast_shapes("where", broadcast_shapes("where", cond.shape(), a.shape()), b.shape());
  return record(kernel::where(cond, a, b), "where", loc, {&a, &b}, {&cond}, [sa = a.shape(), sb = b.shape()](Node& n, const Tensor& g) {
    const Tensor c = n.saved_value(0);
    const Tensor zero = autograd::scalar_like(g, 0);
    return GradList{n.needs_grad(0) ? sum_to(where(c, g, zero), sa) : Tensor{},
                    n.needs_grad(1) ? sum_to(where(c, zero, g), sb) : Tensor{}};
  });
}

// ----- comparisons: masks, never recorded -----
Tensor eq(const Tensor& a, const Tensor& b) { return binary_forward(Binary::Eq, "eq", a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return binary_forward(Binary::Ne, "ne", a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return binary_forward(Binary::Lt, "lt", a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return binary_forward(Binary::Le, "le", a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return binary_forward(Binary::Gt, "gt", a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return binary_forward(Binary::Ge, "ge", a, b); }
Tensor logical_and(const Tensor& a, const Tensor& b) { return binary_forward(Binary::LogicalAnd, "logical_and", a, b); }
Tensor eq(const Tensor& a, double b) { autograd::check_defined("eq", a); return eq(a, autograd::scalar_like(a, b)); }
Tensor ne(const Tensor& a, double b) { autograd::check_defined("ne", a); return ne(a, autograd::scalar_like(a, b)); }
Tensor lt(const Tensor& a, double b) { autograd::check_defined("lt", a); return lt(a, autograd::scalar_like(a, b)); }
Tensor le(const Tensor& a, double b) { autograd::check_defined("le", a); return le(a, autograd::scalar_like(a, b)); }
Tensor gt(const Tensor& a, double b) { autograd::check_defined("gt", a); return gt(a, autograd::scalar_like(a, b)); }
Tensor ge(const Tensor& a, double b) { autograd::check_defined("ge", a); return ge(a, autograd::scalar_like(a, b)); }

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

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, double b) { return add(a, b); }
Tensor operator-(const Tensor& a, double b) { return sub(a, b); }
Tensor operator*(const Tensor& a, double b) { return mul(a, b); }
Tensor operator/(const Tensor& a, double b) { return div(a, b); }
Tensor operator+(double a, const Tensor& b) { return add(b, a); }
Tensor operator-(double a, const Tensor& b) { return sub(a, b); }
Tensor operator*(double a, const Tensor& b) { return mul(b, a); }
Tensor operator/(double a, const Tensor& b) { return div(a, b); }

}  // namespace xg
