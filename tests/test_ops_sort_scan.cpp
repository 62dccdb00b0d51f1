// cumsum, cumprod, flip, roll, repeat, tril, triu, unbind, sort, argsort and topk (issue #15).
// Expected numbers: tests/reference/tensor_ops_reference.py (PyTorch 1.13, float64); the gradient
// numbers are of sum(op(x) * w) with w = 0.5·i − 1.25 at flat index i.
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
const std::vector<double> kCumsum1{1.5, -0.5, 0.0, 3.0, 3.25, 2.25};
const std::vector<double> kCumsum1Grad{-2.25, -1.0, -0.25, 2.25, 2.0, 1.25};
const std::vector<double> kCumsum0{1.5, -2.0, 0.5, 4.5, -1.75, -0.5};
const std::vector<double> kCumprod1{1.5, -3.0, -1.5, 3.0, 0.75, -0.75};
const std::vector<double> kCumprod1Grad{0.5, -1.3125, 0.75, 0.125, -1.5, 0.9375};
const std::vector<double> kCumprodZeros{2.0, 0.0, 0.0, -0.0, 0.5, 0.75, 0.0, 0.0, 0.0, 0.0, -0.0, -0.0};
const std::vector<double> kCumprodZerosGrad{-1.25, -4.5, 0.0, 0.0, 2.625, 0.625, 1.3125, 0.0, -11.5, 0.0, 0.0, 0.0};
const std::vector<double> kCumprodZeros0{2.0, 0.0, 3.0, -1.0, 1.0, 0.0, 0.0, -0.0, 0.0, 0.0, -0.0, -0.0};
const std::vector<double> kCumprodZeros0Grad{-0.875, 10.875, -0.25, 0.25, 1.5, 0.0, -0.375, -19.25, 2.75, 0.0, 0.0, 0.0};
const std::vector<double> kFlip01{4.5, 4.0, 3.5, 3.0, 2.5, 2.0, 1.5, 1.0, 0.5, 0.0, -0.5, -1.0};
const std::vector<double> kFlipLast{0.5, 0.0, -0.5, -1.0, 2.5, 2.0, 1.5, 1.0, 4.5, 4.0, 3.5, 3.0};
const std::vector<double> kRoll0{3.0, 3.5, 4.0, 4.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5};
const std::vector<double> kRoll01{4.0, 4.5, 3.0, 3.5, 0.0, 0.5, -1.0, -0.5, 2.0, 2.5, 1.0, 1.5};
const std::vector<double> kRollFlat{2.5, 3.0, 3.5, 4.0, 4.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0};
const std::vector<double> kRollGrad{4.25, 2.75, 3.25, 3.75, 0.25, -1.25, -0.75, -0.25, 2.25, 0.75, 1.25, 1.75};
const std::vector<double> kRepeat{1.0, -2.0, 1.0, -2.0, 1.0, -2.0, 1.0, -2.0, 1.0, -2.0, 1.0, -2.0};
const std::vector<double> kRepeat3{1.5, -2.0, 0.5, 1.5, -2.0, 0.5, 3.0, 0.25, -1.0, 3.0, 0.25, -1.0, 1.5, -2.0, 0.5, 1.5, -2.0, 0.5, 3.0, 0.25, -1.0, 3.0, 0.25, -1.0};
const std::vector<double> kRepeat3Grad{10.0, 12.0, 14.0, 22.0, 24.0, 26.0};
const std::vector<double> kTril{-1.0, 0.0, 0.0, 0.0, 1.0, 1.5, 0.0, 0.0, 3.0, 3.5, 4.0, 0.0};
const std::vector<double> kTril1{-1.0, -0.5, 0.0, 0.0, 1.0, 1.5, 2.0, 0.0, 3.0, 3.5, 4.0, 4.5};
const std::vector<double> kTrilM1{0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 3.0, 3.5, 0.0, 0.0};
const std::vector<double> kTriu{-1.0, -0.5, 0.0, 0.5, 0.0, 1.5, 2.0, 2.5, 0.0, 0.0, 4.0, 4.5};
const std::vector<double> kTriu1{0.0, -0.5, 0.0, 0.5, 0.0, 0.0, 2.0, 2.5, 0.0, 0.0, 0.0, 4.5};
const std::vector<double> kTriuM1{-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 0.0, 3.5, 4.0, 4.5};
const std::vector<double> kSortValues{-kInf, 1.0, 1.0, 2.0, 3.0, 3.0, kNaN};
const std::vector<double> kSortIndices{4.0, 2.0, 6.0, 5.0, 0.0, 3.0, 1.0};
const std::vector<double> kSortDescValues{kNaN, 3.0, 3.0, 2.0, 1.0, 1.0, -kInf};
const std::vector<double> kSortDescIndices{1.0, 0.0, 3.0, 5.0, 2.0, 6.0, 4.0};
const std::vector<double> kSort0Values{1.0, 3.0, 2.0, 0.5, 0.0, 0.75, 0.25, -1.0, -2.0};
const std::vector<double> kSort0Indices{2.0, 1.0, 0.0, 0.0, 2.0, 2.0, 1.0, 0.0, 1.0};
const std::vector<double> kSort0Grad{0.25, 2.25, -0.25, 1.75, -0.75, 2.75, -1.25, 0.75, 1.25};
const std::vector<double> kArgsort1{1.0, 0.0, 2.0, 2.0, 0.0, 1.0, 1.0, 2.0, 0.0};
const std::vector<double> kTopkLargestValues{kNaN, 5.0, 4.0};
const std::vector<double> kTopkLargestIndices{2.0, 1.0, 4.0};
const std::vector<double> kTopkSmallestValues{-2.0, 1.0};
const std::vector<double> kTopkSmallestIndices{5.0, 0.0};
const std::vector<double> kTopk2Values{2.0, 0.5, 3.0, 0.25, 1.0, 0.75};
const std::vector<double> kTopk2Indices{2.0, 0.0, 1.0, 0.0, 0.0, 2.0};
const std::vector<double> kTopk2Grad{-0.75, 0.0, -1.25, 0.25, -0.25, 0.0, 0.75, 0.0, 1.25};

// The weights of the reference script's losses: 0.5·i − 1.25 at flat index i.
Tensor weights(const xg::Shape& s) { return xgt::seq(s, -1.25, 0.5, 0, false); }
// x.grad() of sum(f(x) * w) for a fresh leaf copy of x, and f(x).
std::pair<Tensor, Tensor> grad_of(const std::function<Tensor(const Tensor&)>& f, const Tensor& x0) {
  Tensor x = x0.detach().clone().requires_grad_(true);
  Tensor out = f(x);
  (out * weights(out.shape())).sum().backward();
  return {out, x.grad()};
}
// As check_values, with NaN matching NaN.
void check_with_nan(const Tensor& t, const std::vector<double>& want) {
  const auto got = t.to_vector<double>();
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    CHECK_MESSAGE((std::isnan(want[i]) ? std::isnan(got[i]) : got[i] == want[i]), "element ", i, ": got ", got[i],
                  ", expected ", want[i]);
}
Tensor x23(bool rg = false) { return f64({1.5, -2.0, 0.5, 3.0, 0.25, -1.0}, {2, 3}, rg); }
Tensor x34() { return xg::arange(12, xg::kFloat64).reshape({3, 4}) * 0.5 - 1.0; }
Tensor with_zeros(bool rg = true) { return f64({2, 0, 3, -1, 0.5, 1.5, 0, 0, 0, 2, -0.5, 4}, {3, 4}, rg); }
// 0.5 + 0.37·i − 0.05·i², no two values equal (sort and topk are smooth there).
Tensor distinct(const xg::Shape& s) { return xgt::seq(s, 0.5, 0.37, -0.05); }
}  // namespace

TEST_CASE("cumsum: values along each dim, gradient is the reversed running sum, gradcheck") {
  check_values(xg::cumsum(x23(), 1), kCumsum1);
  check_values(x23().cumsum(-1), kCumsum1);
  check_values(xg::cumsum(x23(), 0), kCumsum0);
  auto [out, g] = grad_of([](const Tensor& x) { return x.cumsum(1); }, x23());
  check_values(out, kCumsum1);
  check_values(g, kCumsum1Grad);
  // By hand: cumsum([1, 2, 3]) = [1, 3, 6]; int64 stays int64, a mask counts in int64 (as PyTorch).
  const Tensor ints = xg::cumsum(xg::tensor({1, 2, 3}, xg::kInt64), 0);
  CHECK(ints.dtype() == xg::kInt64);
  check_values(ints, {1, 3, 6});
  const Tensor mask = xg::cumsum(xg::tensor({1, 0, 1, 1}, xg::kBool), 0);
  CHECK(mask.dtype() == xg::kInt64);
  check_values(mask, {1, 1, 2, 3});
  CHECK(xg::cumsum(xg::tensor({1.0f, 2.0f}), 0).dtype() == xg::kFloat32);
  check_values(xg::cumsum(xg::scalar_tensor(2.5, xg::kFloat64), 0), {2.5});
  for (std::int64_t d : {0, 1, 2, -1})
    check_grads([d](const std::vector<Tensor>& in) { return xg::square(xg::cumsum(in[0], d)); }, {distinct({2, 3, 4})});
}

TEST_CASE("cumprod: values, gradient with and without zeros matches PyTorch, gradcheck at zeros") {
  check_values(xg::cumprod(x23(), 1), kCumprod1);
  auto [out, g] = grad_of([](const Tensor& x) { return x.cumprod(1); }, x23());
  check_values(out, kCumprod1);
  check_values(g, kCumprod1Grad);
  // One zero, two zeros, a zero first: d y_j / d x_i is the product of the others up to j.
  auto [oz, gz] = grad_of([](const Tensor& x) { return xg::cumprod(x, 1); }, with_zeros(false));
  check_values(oz, kCumprodZeros);
  check_values(gz, kCumprodZerosGrad);
  auto [oz0, gz0] = grad_of([](const Tensor& x) { return xg::cumprod(x, -2); }, with_zeros(false));
  check_values(oz0, kCumprodZeros0);
  check_values(gz0, kCumprodZeros0Grad);
  // By hand: x = [2, 0, 3], y = [2, 0, 0]; dy/dx·1 = [1 + 0 + 0, 2 + 2·3, 0] = [1, 8, 0].
  Tensor x = f64({2, 0, 3}, {3});
  xg::cumprod(x, 0).sum().backward();
  check_values(x.grad(), {1, 8, 0});
  check_values(xg::cumprod(xg::tensor({2, -3, 4}, xg::kInt64), 0), {2, -6, -24});
  check_grads([](const std::vector<Tensor>& in) { return xg::cumprod(in[0], 1); }, {distinct({2, 5})});
  check_grads([](const std::vector<Tensor>& in) { return xg::cumprod(in[0], 1); }, {with_zeros()});
  check_grads([](const std::vector<Tensor>& in) { return xg::cumprod(in[0], 0); }, {with_zeros()});
  check_grads([](const std::vector<Tensor>& in) { return xg::square(xg::cumprod(in[0], -1)); }, {with_zeros()});
}

TEST_CASE("flip, roll: values, gradients, gradcheck") {
  check_values(xg::flip(x34(), {0, 1}), kFlip01);
  check_values(x34().flip(-1), kFlipLast);
  check_values(x34().flip({}), x34().to_vector<double>());
  check_values(xg::roll(x34(), 1, 0), kRoll0);
  check_values(x34().roll({1, -2}, {0, 1}), kRoll01);
  check_values(xg::roll(x34(), 5), kRollFlat);
  check_shape(xg::roll(x34(), 5), {3, 4});
  check_values(xg::roll(x34(), 17), kRollFlat);       // 17 ≡ 5 (mod 12)
  check_values(xg::roll(x34(), -7), kRollFlat);       // −7 ≡ 5
  check_values(xg::roll(x34(), INT64_MIN, 1), xg::roll(x34(), 0, 1).to_vector<double>());  // 2^63 ≡ 0 (mod 4)
  auto [out, g] = grad_of([](const Tensor& x) { return x.roll({2, 7}, {0, 1}); }, x34());
  check_values(g, kRollGrad);
  // Any dtype: flip of int64 and bool, as LibTorch.
  check_values(xg::flip(xg::tensor({1, 2, 3}, xg::kInt64), 0), {3, 2, 1});
  check_values(xg::roll(xg::tensor({1, 0, 0}, xg::kBool), 1), {0, 1, 0});
  check_grads([](const std::vector<Tensor>& in) { return xg::square(xg::flip(in[0], {0, -1})); }, {distinct({2, 3, 4})});
  check_grads([](const std::vector<Tensor>& in) { return xg::square(xg::roll(in[0], {1, -5}, {2, 0})); },
              {distinct({2, 3, 4})});
  check_grads([](const std::vector<Tensor>& in) { return xg::square(xg::roll(in[0], 3)); }, {distinct({2, 3})});
}

TEST_CASE("repeat: tiles, leading dims, zeros, gradient sums the copies, gradcheck") {
  check_values(xg::tensor({1.0, -2.0}).repeat({2, 3}), kRepeat);
  check_shape(xg::repeat(xg::tensor({1.0, -2.0}), {2, 3}), {2, 6});
  auto [out, g] = grad_of([](const Tensor& x) { return x.repeat({2, 1, 2}); }, x23());
  check_shape(out, {2, 2, 6});
  check_values(out, kRepeat3);
  check_values(g, kRepeat3Grad);
  check_shape(x23().repeat({0, 2}), {0, 6});
  check_values(x23().repeat({1, 1}), x23().to_vector<double>());
  check_values(xg::tensor({1, 2}, xg::kInt64).repeat(2), {1, 2, 1, 2});
  check_grads([](const std::vector<Tensor>& in) { return xg::square(xg::repeat(in[0], {3, 1, 2})); }, {distinct({2, 3})});
}

TEST_CASE("tril and triu: diagonals k = 0, 1, -1, batched, gradient masks, gradcheck") {
  check_values(xg::tril(x34()), kTril);
  check_values(x34().tril(1), kTril1);
  check_values(xg::tril(x34(), -1), kTrilM1);
  check_values(xg::triu(x34()), kTriu);
  check_values(x34().triu(1), kTriu1);
  check_values(xg::triu(x34(), -1), kTriuM1);
  check_values(xg::tril(x34(), INT64_MAX), x34().to_vector<double>());
  check_values(xg::triu(x34(), INT64_MIN), x34().to_vector<double>());
  check_values(xg::tril(x34(), INT64_MIN), std::vector<double>(12, 0.0));
  // Batched: each matrix of the last two dims.
  const Tensor b = xg::stack({x34(), x34() * 2});
  check_values(xg::tril(b).select(0, 1), (xg::tril(x34()) * 2).to_vector<double>());
  Tensor x = f64({1, 2, 3, 4}, {2, 2});
  (xg::triu(x) * 3.0).sum().backward();
  check_values(x.grad(), {3, 3, 0, 3});
  check_values(xg::tril(xg::ones({2, 2}, xg::kInt64)), {1, 0, 1, 1});
  check_grads([](const std::vector<Tensor>& in) { return xg::square(xg::tril(in[0], 1)); }, {distinct({2, 3, 4})});
  check_grads([](const std::vector<Tensor>& in) { return xg::square(xg::triu(in[0], -1)); }, {distinct({3, 4})});
}

TEST_CASE("unbind: the slices along a dim, each differentiable") {
  auto parts = xg::unbind(x23(), 1);
  REQUIRE(parts.size() == 3);
  check_values(parts[0], {1.5, 3.0});
  check_values(parts[2], {0.5, -1.0});
  auto rows = x23().unbind();
  REQUIRE(rows.size() == 2);
  check_values(rows[1], {3.0, 0.25, -1.0});
  check_values(x23().unbind(-1)[1], {-2.0, 0.25});
  Tensor x = x23(true);
  auto cols = x.unbind(1);
  (cols[0] * 2.0 + cols[2] * cols[2]).sum().backward();
  check_values(x.grad(), {2, 0, 1, 2, 0, -2});  // 2 for column 0, 2x for column 2
  check_grads([](const std::vector<Tensor>& in) {
    auto p = xg::unbind(in[0], 1);
    return p[0] * p[1] + xg::square(p[2]);
  }, {distinct({4, 3})});
}

TEST_CASE("sort: stable in both directions, NaN largest, gradient scattered back, gradcheck") {
  const Tensor v = xg::tensor({3.0, kNaN, 1.0, 3.0, -kInf, 2.0, 1.0}, xg::kFloat64);
  auto [s, i] = xg::sort(v);
  check_with_nan(s, kSortValues);
  check_with_nan(i, kSortIndices);
  CHECK(i.dtype() == xg::kInt64);
  auto [sd, id] = v.sort(0, true);
  check_with_nan(sd, kSortDescValues);
  check_with_nan(id, kSortDescIndices);
  auto [ss, is] = v.sort(/*stable=*/true, -1, true);  // LibTorch's stable overload
  check_with_nan(is, kSortDescIndices);
  const Tensor m = f64({0.5, -1.0, 2.0, 0.25, 3.0, -2.0, 1.0, 0.0, 0.75}, {3, 3}, false);
  auto [out, g] = grad_of([](const Tensor& x) { return std::get<0>(xg::sort(x, 0, true)); }, m);
  check_values(out, kSort0Values);
  check_values(std::get<1>(m.sort(0, true)), kSort0Indices);
  check_values(g, kSort0Grad);
  check_values(xg::argsort(m, 1), kArgsort1);
  check_values(m.argsort(), kArgsort1);
  // float32 and int64, and a 0-d tensor.
  auto [sf, ifl] = xg::tensor({2.0f, -1.0f, 0.5f}).sort();
  CHECK(sf.dtype() == xg::kFloat32);
  check_values(sf, {-1, 0.5, 2});
  check_values(std::get<0>(xg::tensor({5, -3, 4}, xg::kInt64).sort(0, true)), {5, 4, -3});
  auto [s0, i0] = xg::sort(xg::scalar_tensor(4.0, xg::kFloat64));
  check_shape(s0, {});
  check_values(i0, {0});
  check_grads([](const std::vector<Tensor>& in) { return xg::square(std::get<0>(xg::sort(in[0], 1))); }, {distinct({3, 5})});
  check_grads([](const std::vector<Tensor>& in) { return xg::square(std::get<0>(xg::sort(in[0], 0, true))); },
              {distinct({4, 3})});
}

TEST_CASE("topk: largest and smallest, NaN largest, gradient to the chosen elements, gradcheck") {
  const Tensor t = xg::tensor({1.0, 5.0, kNaN, 3.0, 4.0, -2.0}, xg::kFloat64);
  auto [v, i] = xg::topk(t, 3);
  check_with_nan(v, kTopkLargestValues);
  check_with_nan(i, kTopkLargestIndices);
  auto [vs, is] = t.topk(2, 0, /*largest=*/false);
  check_values(vs, kTopkSmallestValues);
  check_values(is, kTopkSmallestIndices);
  const Tensor m = f64({0.5, -1.0, 2.0, 0.25, 3.0, -2.0, 1.0, 0.0, 0.75}, {3, 3}, false);
  auto [out, g] = grad_of([](const Tensor& x) { return std::get<0>(x.topk(2, 1)); }, m);
  check_shape(out, {3, 2});
  check_values(out, kTopk2Values);
  check_values(std::get<1>(xg::topk(m, 2, -1)), kTopk2Indices);
  check_values(g, kTopk2Grad);
  check_shape(std::get<0>(xg::topk(m, 0, 0)), {0, 3});
  check_values(std::get<0>(xg::topk(m, 3, 0, true, false)), {1.0, 3.0, 2.0, 0.5, 0.0, 0.75, 0.25, -1.0, -2.0});
  check_grads([](const std::vector<Tensor>& in) { return xg::square(std::get<0>(xg::topk(in[0], 2, 1))); }, {distinct({3, 5})});
  check_grads([](const std::vector<Tensor>& in) { return xg::square(std::get<0>(xg::topk(in[0], 3, 0, false))); },
              {distinct({4, 3})});
}

TEST_CASE("scans, rearranging, sorting: bad input is a typed error naming the op and values, nothing changed") {
  Tensor x = x34();
  xgt::Snapshot snap(x);
  XGT_CHECK_THROWS_MSG(xg::cumsum(x, 2), xg::IndexError, "cumsum", "dim 2");
  XGT_CHECK_THROWS_MSG(x.cumprod(-3), xg::IndexError, "cumprod", "dim -3");
  XGT_CHECK_THROWS_MSG(xg::flip(x, {0, -2}), xg::ValueError, "flip", "dim -2", "more than once");
  XGT_CHECK_THROWS_MSG(xg::flip(x, 5), xg::IndexError, "flip", "dim 5");
  XGT_CHECK_THROWS_MSG(xg::roll(x, {1, 2}), xg::ValueError, "roll", "2 values");
  XGT_CHECK_THROWS_MSG(xg::roll(x, {1, 2}, {0}), xg::ValueError, "roll", "2 shifts and 1 dims");
  XGT_CHECK_THROWS_MSG(xg::roll(x, 1, 3), xg::IndexError, "roll", "dim 3");
  XGT_CHECK_THROWS_MSG(x.repeat({2}), xg::ShapeError, "repeat", "[2]", "[3, 4]");
  XGT_CHECK_THROWS_MSG(x.repeat({2, -1}), xg::ValueError, "repeat", "-1");
  XGT_CHECK_THROWS_MSG(x.repeat({INT64_MAX, 2}), xg::ShapeError, "repeat", "overflow");
  XGT_CHECK_THROWS_MSG(x.repeat({1, 1, 1, 1, 1, 1, 1, 1, 1}), xg::ShapeError, "repeat", "more than 8");
  XGT_CHECK_THROWS_MSG(xg::tril(xg::ones({3})), xg::ShapeError, "tril", "[3]");
  XGT_CHECK_THROWS_MSG(xg::triu(xg::scalar_tensor(1)), xg::ShapeError, "triu", "[]");
  XGT_CHECK_THROWS_MSG(x.unbind(2), xg::IndexError, "unbind", "dim 2");
  XGT_CHECK_THROWS_MSG(xg::unbind(xg::scalar_tensor(1)), xg::IndexError, "unbind", "zero-dimensional");
  XGT_CHECK_THROWS_MSG(xg::sort(x, 2), xg::IndexError, "sort", "dim 2");
  XGT_CHECK_THROWS_MSG(xg::sort(xg::tensor({1, 0}, xg::kBool)), xg::DTypeError, "sort", "bool");
  XGT_CHECK_THROWS_MSG(xg::argsort(x, -3), xg::IndexError, "argsort", "dim -3");
  XGT_CHECK_THROWS_MSG(xg::topk(x, 5, 1), xg::ValueError, "topk", "k = 5", "size 4");
  XGT_CHECK_THROWS_MSG(x.topk(-1), xg::ValueError, "topk", "k = -1");
  XGT_CHECK_THROWS_MSG(x.topk(1, 2), xg::IndexError, "topk", "dim 2");
  XGT_CHECK_THROWS_MSG(xg::cumsum(Tensor(), 0), xg::ValueError, "cumsum", "undefined");
  CHECK(snap.unchanged());
}
