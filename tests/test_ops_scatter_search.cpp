// scatter, scatter_, scatter_add_, index_add_, index_fill(_), nonzero, argwhere, where(cond),
// isclose and x.options() (issue #15). Expected numbers: tests/reference/tensor_ops_reference.py
// (PyTorch 1.13, float64); gradients are of sum(op(x) * w) with w = 0.5·i − 1.25 at flat index i.
#include <limits>

#include "check.h"

using xg::Tensor;
using xgt::check_grads;
using xgt::check_shape;
using xgt::check_values;
using xgt::f64;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// ----- from tests/reference/tensor_ops_reference.py -----
const std::vector<double> kScatter{1.0, 6.0, 0.0, 4.0, 1.0, 2.0, 7.0, 8.0, 5.0, 3.5, 3.0, 4.5};
const std::vector<double> kScatterGradSelf{0.0, 0.0, -0.25, 0.0, 0.75, 0.0, 0.0, 0.0, 0.0, 3.25, 0.0, 4.25};
const std::vector<double> kScatterGradSrc{-1.25, 1.25, 3.75, 0.25, 2.75, -0.75, 1.75, 2.25};
const std::vector<double> kScatterValue{-1.0, -0.5, 0.0, -7.0, -7.0, 1.5, 2.0, 2.5, 3.0, -7.0, 4.0, 4.5};
const std::vector<double> kScatterAdd{0.0, 5.5, 0.0, 4.5, 1.0, 3.5, 9.0, 10.5, 8.0, 3.5, 7.0, 4.5};
const std::vector<double> kIndexFill{-1.0, -0.5, -1.0, 0.5, -1.0, 1.5, -1.0, 2.5, -1.0, 3.5, -1.0, 4.5};
const std::vector<double> kIndexAdd{4.0, 5.5, 7.0, 8.5, 1.0, 1.5, 2.0, 2.5, 4.0, 5.5, 7.0, 8.5};
const std::vector<double> kNonzero{0.0, 1.0, 1.0, 0.0, 1.0, 2.0};
const std::vector<double> kIsclose{1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0};
const std::vector<double> kIscloseNan{1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0};
const std::vector<double> kIscloseLoose{1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0};

Tensor weights(const xg::Shape& s) { return xgt::seq(s, -1.25, 0.5, 0, false); }
Tensor x34(bool rg = false) {
  Tensor x = xg::arange(12, xg::kFloat64).reshape({3, 4}) * 0.5 - 1.0;
  return rg ? x.requires_grad_(true) : x;
}
Tensor idx24() { return xg::from_vector(std::vector<std::int64_t>{0, 1, 2, 0, 2, 0, 1, 1}, {2, 4}); }
Tensor src24(bool rg = false) { return f64({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4}, rg); }
Tensor distinct(const xg::Shape& s) { return xgt::seq(s, 0.5, 0.37, -0.05); }
}  // namespace

TEST_CASE("scatter: values, gradients in self and src as PyTorch, scalar form, gradcheck") {
  Tensor x = x34(true), s = src24(true);
  const Tensor out = xg::scatter(x, 0, idx24(), s);
  check_values(out, kScatter);
  (out * weights({3, 4})).sum().backward();
  check_values(x.grad(), kScatterGradSelf);
  check_values(s.grad(), kScatterGradSrc);
  check_values(x34().scatter(-2, idx24(), src24()), kScatter);
  check_values(x34().scatter(1, xg::from_vector(std::vector<std::int64_t>{3, 0, 1}, {3, 1}), -7.0), kScatterValue);
  // By hand: repeated positions, the last write wins (src 2 at position 1).
  check_values(xg::scatter(xg::zeros({3}), 0, xg::tensor({1, 1}, xg::kInt64), xg::tensor({5.0f, 2.0f})), {0, 2, 0});
  check_values(xg::scatter(xg::zeros({2}, xg::kInt64), 0, xg::tensor({1}, xg::kInt64), 9.0), {0, 9});
  check_grads([](const std::vector<Tensor>& in) { return xg::square(xg::scatter(in[0], 0, idx24(), in[1])); },
              {distinct({3, 4}), distinct({2, 4})});
  // Along dim 1, without repeated positions (where they repeat, only the last write is a real derivative).
  check_grads([](const std::vector<Tensor>& in) {
    return xg::square(xg::scatter(in[0], 1, xg::from_vector(std::vector<std::int64_t>{4, 1, 2, 0, 2, 0, 3, 1}, {2, 4}), in[1]));
  }, {distinct({2, 5}), distinct({2, 4})});
}

TEST_CASE("scatter_, scatter_add_, index_add_, index_fill_ in place: values, history, gradcheck") {
  Tensor a = x34();
  Tensor& r = a.scatter_(0, idx24(), src24());
  CHECK(&r == &a);
  check_values(a, kScatter);
  Tensor b = x34();
  b.scatter_add_(0, idx24(), src24());
  check_values(b, kScatterAdd);
  Tensor c = x34();
  c.index_add_(0, xg::tensor({2, 0}, xg::kInt64), src24());
  check_values(c, kIndexAdd);
  Tensor d = x34();
  const auto v0 = d.version();
  d.index_fill_(1, xg::tensor({0, 2}, xg::kInt64), -1.0);
  check_values(d, kIndexFill);
  CHECK(d.version() > v0);
  check_values(x34().index_fill(-1, xg::tensor({0, 2}, xg::kInt64), -1.0), kIndexFill);
  Tensor e = x34();
  e.scatter_(1, xg::from_vector(std::vector<std::int64_t>{3, 0, 1}, {3, 1}), -7.0);
  check_values(e, kScatterValue);

  // On a tensor with history: recorded and rebased, the gradient flows to self and src.
  Tensor x = x34(true), s = src24(true);
  Tensor y = x * 1.0;
  y.scatter_(0, idx24(), s);
  (y * weights({3, 4})).sum().backward();
  check_values(x.grad(), kScatterGradSelf);
  check_values(s.grad(), kScatterGradSrc);
  // A leaf that requires grad refuses, as LibTorch, and is left unchanged.
  Tensor leaf = x34(true);
  xgt::Snapshot snap(leaf);
  XGT_CHECK_THROWS_MSG(leaf.index_fill_(0, xg::tensor({0}, xg::kInt64), 1.0), xg::AutogradError, "index_fill_", "leaf");
  CHECK(snap.unchanged());

  const auto through = [](auto&& f) {
    return [f](const std::vector<Tensor>& in) {
      Tensor y = in[0] * 1.0;
      f(y, in);
      return xg::square(y);
    };
  };
  check_grads(through([](Tensor& y, const std::vector<Tensor>& in) { y.scatter_(0, idx24(), in[1]); }),
              {distinct({3, 4}), distinct({2, 4})});
  check_grads(through([](Tensor& y, const std::vector<Tensor>& in) { y.scatter_add_(0, idx24(), in[1]); }),
              {distinct({3, 4}), distinct({2, 4})});
  check_grads(through([](Tensor& y, const std::vector<Tensor>& in) { y.index_add_(0, xg::tensor({2, 0}, xg::kInt64), in[1]); }),
              {distinct({3, 4}), distinct({2, 4})});
  check_grads(through([](Tensor& y, const std::vector<Tensor>&) { y.index_fill_(1, xg::tensor({1, 3}, xg::kInt64), 0.5); }),
              {distinct({3, 4})});
  check_grads([](const std::vector<Tensor>& in) { return xg::square(xg::index_fill(in[0], 0, xg::tensor({1}, xg::kInt64), 2.0)); },
              {distinct({3, 4})});
}

TEST_CASE("nonzero, argwhere, where(cond): coordinates in row-major order, any dtype") {
  const Tensor m = xg::tensor({{0.0, 1.5, 0.0}, {-2.0, 0.0, 3.0}});
  const Tensor nz = xg::nonzero(m);
  CHECK(nz.dtype() == xg::kInt64);
  check_shape(nz, {3, 2});
  check_values(nz, kNonzero);
  check_values(m.argwhere(), kNonzero);
  check_values((m > 0).nonzero(), {0, 1, 1, 2});
  check_values(xg::tensor({0, 7, 0, 7}, xg::kInt64).nonzero(), {1, 3});
  check_shape(xg::nonzero(xg::zeros({2, 3})), {0, 2});
  check_shape(xg::nonzero(xg::scalar_tensor(1)), {1, 0});
  check_shape(xg::nonzero(xg::scalar_tensor(0)), {0, 0});
  const auto w = xg::where(m != 0);
  REQUIRE(w.size() == 2);
  check_values(w[0], {0, 1, 1});
  check_values(w[1], {1, 0, 2});
  CHECK(w[0].dtype() == xg::kInt64);
  // The coordinates index the same elements (as m.index({rows, cols}) in LibTorch).
  check_values(m.index({w[0], w[1]}), {1.5, -2.0, 3.0});
  REQUIRE(xg::where(xg::scalar_tensor(1, xg::kBool)).size() == 1);
}

TEST_CASE("isclose: tolerances, infinities, NaN with equal_nan, broadcasting; x.options()") {
  const Tensor a = xg::tensor({1.0, 1.0 + 1e-6, kNaN, kInf, 1.0, kInf, 0.0}, xg::kFloat64);
  const Tensor b = xg::tensor({1.0, 1.0, kNaN, kInf, 1.1, -kInf, 1e-9}, xg::kFloat64);
  const Tensor c = xg::isclose(a, b);
  CHECK(c.dtype() == xg::kBool);
  check_values(c, kIsclose);
  check_values(a.isclose(b, 1e-5, 1e-8, true), kIscloseNan);
  check_values(xg::isclose(a, b, 0.1, 0.0), kIscloseLoose);
  check_shape(xg::isclose(xg::ones({2, 1}), xg::ones({3})), {2, 3});
  check_values(xg::isclose(xg::tensor({3, 4}, xg::kInt64), xg::tensor({3, 5}, xg::kInt64)), {1, 0});

  const Tensor x = xg::ones({2}, xg::TensorOptions(xg::kFloat64).requires_grad(true));
  const Tensor z = xg::zeros({3}, x.options());
  CHECK(z.dtype() == xg::kFloat64);
  CHECK(z.device() == x.device());
  CHECK_FALSE(z.requires_grad());  // as LibTorch: options() carries dtype and device
  CHECK(xg::ones({1}, xg::tensor({1}, xg::kInt64).options()).dtype() == xg::kInt64);
}

TEST_CASE("scatter, index ops and search: bad input is a typed error naming the op and values, nothing changed") {
  Tensor x = x34();
  xgt::Snapshot snap(x);
  const Tensor bad = xg::from_vector(std::vector<std::int64_t>{0, 1, 3, 0, 2, 0, 1, 1}, {2, 4});
  XGT_CHECK_THROWS_MSG(xg::scatter(x, 0, bad, src24()), xg::IndexError, "scatter", "index 3", "size 3");
  XGT_CHECK_THROWS_MSG(x.scatter_(0, bad, src24()), xg::IndexError, "scatter_", "index 3");
  XGT_CHECK_THROWS_MSG(x.scatter_(0, idx24().to(xg::kInt32), src24()), xg::DTypeError, "scatter_", "int64", "int32");
  XGT_CHECK_THROWS_MSG(x.scatter_(0, idx24(), src24().to(xg::kFloat32)), xg::DTypeError, "scatter_", "float32");
  XGT_CHECK_THROWS_MSG(x.scatter(0, idx24(), xg::ones({2, 3}, xg::kFloat64)), xg::ShapeError, "scatter", "[2, 3]", "[2, 4]");
  XGT_CHECK_THROWS_MSG(x.scatter(2, idx24(), src24()), xg::IndexError, "scatter", "dim 2");
  XGT_CHECK_THROWS_MSG(x.scatter_(1, xg::zeros({4, 1}, xg::kInt64), xg::zeros({4, 1}, xg::kFloat64)), xg::ShapeError,
                       "scatter_", "[4, 1]", "[3, 4]");
  XGT_CHECK_THROWS_MSG(xg::zeros({2}, xg::kInt64).scatter_(0, xg::tensor({0}, xg::kInt64), kNaN), xg::ValueError, "scatter_",
                       "nan");
  XGT_CHECK_THROWS_MSG(x.scatter_add_(0, bad, src24()), xg::IndexError, "scatter_add_", "index 3");
  XGT_CHECK_THROWS_MSG(x.index_add_(0, xg::tensor({5, 0}, xg::kInt64), src24()), xg::IndexError, "index_add_", "index 5");
  XGT_CHECK_THROWS_MSG(x.index_add_(1, xg::tensor({0, 1}, xg::kInt64), src24()), xg::ShapeError, "index_add_", "[2, 4]");
  XGT_CHECK_THROWS_MSG(x.index_fill_(1, xg::tensor({4}, xg::kInt64), 0.0), xg::IndexError, "index_fill_", "index 4", "size 4");
  XGT_CHECK_THROWS_MSG(x.index_fill_(1, xg::tensor({-1}, xg::kInt64), 0.0), xg::IndexError, "index_fill_", "index -1");
  XGT_CHECK_THROWS_MSG(x.index_fill_(3, xg::tensor({0}, xg::kInt64), 0.0), xg::IndexError, "index_fill_", "dim 3");
  XGT_CHECK_THROWS_MSG(x.index_fill(0, xg::tensor({0.0}), 0.0), xg::DTypeError, "index_fill", "float32");
  XGT_CHECK_THROWS_MSG(xg::zeros({2}, xg::kInt64).index_fill_(0, xg::tensor({0}, xg::kInt64), kNaN), xg::ValueError,
                       "index_fill_", "nan");
  XGT_CHECK_THROWS_MSG(xg::isclose(x, x.to(xg::kFloat32)), xg::DTypeError, "isclose", "float64", "float32");
  XGT_CHECK_THROWS_MSG(xg::isclose(x, xg::ones({2}, xg::kFloat64)), xg::ShapeError, "isclose", "[3, 4]", "[2]");
  XGT_CHECK_THROWS_MSG(xg::isclose(x, x, -1.0), xg::ValueError, "isclose", "rtol=-1");
  XGT_CHECK_THROWS_MSG(xg::nonzero(Tensor()), xg::ValueError, "nonzero", "undefined");
  XGT_CHECK_THROWS_MSG(xg::where(Tensor()), xg::ValueError, "where", "undefined");
  XGT_CHECK_THROWS_MSG(Tensor().options(), xg::ValueError, "options", "undefined");
  CHECK(snap.unchanged());
}
