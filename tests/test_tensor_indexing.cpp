// Indexing as LibTorch's (t[i], index, index_put_, select, Slice/None/Ellipsis, bool and int64
// tensor indices), with gradients (issue #15). Expected values by hand: x holds 0..11 as [3, 4].
#include "check.h"

using namespace xgt;
using namespace xg::indexing;
using xg::Tensor;

namespace {
Tensor grid(bool requires_grad = true) { return seq({3, 4}, 0, 1, 0, requires_grad); }
Tensor longs(std::initializer_list<double> v) { return xg::tensor(v, xg::kInt64); }
}  // namespace

TEST_CASE("index: ints, slices, None, Ellipsis") {
  const Tensor x = grid();
  check_values(x[1], {4, 5, 6, 7});
  check_values(x[-1], {8, 9, 10, 11});
  check_values(x[1][2], {6});
  check_shape(x[1][2], {});
  check_values(x.index({Slice(), 0}), {0, 4, 8});
  check_shape(x.index({Slice(), 0}), {3});
  check_values(x.index({Slice(None, None, 2)}), {0, 1, 2, 3, 8, 9, 10, 11});
  check_shape(x.index({Slice(None, None, 2)}), {2, 4});
  check_values(x.index({Slice(1, None), Slice(1, 3)}), {5, 6, 9, 10});
  check_values(x.index({Slice(-2, None), -1}), {7, 11});
  check_values(x.index({Slice(0, 4, 3)}), {0, 1, 2, 3});
  check_values(x.index({Slice(1, 4, 2), Slice(None, None, 3)}), {4, 7});
  check_values(x.index({Slice(-100, 100)}), values(x));  // clamped as Python
  check_shape(x.index({Slice(2, 1)}), {0, 4});
  check_shape(x.index({None, 1}), {1, 4});
  check_values(x.index({None, 1}), {4, 5, 6, 7});
  check_values(x.index({Ellipsis, 2}), {2, 6, 10});
  check_shape(x.index({"...", None}), {3, 4, 1});
  check_values(x.index({1, Ellipsis}), {4, 5, 6, 7});
  check_values(x.select(1, 2), {2, 6, 10});
  check_values(x.select(0, -3), {0, 1, 2, 3});
  check_values(x.slice(1, 1, 4, 2), {1, 3, 5, 7, 9, 11});
}

TEST_CASE("index: bool masks and int64 index tensors") {
  const Tensor x = grid();
  check_values(x.index({x > 5.5}), {6, 7, 8, 9, 10, 11});
  check_shape(x.index({x > 5.5}), {6});
  check_values(x.index({xg::tensor({1, 0, 1}, xg::kBool)}), {0, 1, 2, 3, 8, 9, 10, 11});
  check_values(x.index({Slice(), xg::tensor({0, 1, 1, 0}, xg::kBool)}), {1, 2, 5, 6, 9, 10});
  check_shape(x.index({Slice(), xg::tensor({0, 1, 1, 0}, xg::kBool)}), {3, 2});
  check_values(x.index({longs({2, 0, -1})}), {8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11});
  const Tensor two_d = x.index({Slice(), xg::tensor({{0, 1}, {3, 3}}, xg::kInt64)});
  check_shape(two_d, {3, 2, 2});
  check_values(two_d, {0, 1, 3, 3, 4, 5, 7, 7, 8, 9, 11, 11});
  // several int64 index tensors side by side pair up, broadcasting together
  check_values(x.index({longs({0, 2}), longs({1, 3})}), {1, 11});
  const Tensor pairs = x.index({xg::tensor({{0}, {2}}, xg::kInt64), longs({1, -1})});
  check_shape(pairs, {2, 2});
  check_values(pairs, {1, 3, 9, 11});
  check_values(x.unsqueeze(0).index({Slice(), longs({1}), longs({2})}), {6});
  // storage dtypes index too
  const Tensor m = xg::tensor({{1, 0}, {0, 1}}, xg::kBool);
  check_values(m[1], {0, 1});
  CHECK(m.index({Slice(), 0}).dtype() == xg::kBool);
}

TEST_CASE("index: gradients (gradcheck and gradgradcheck)") {
  const Tensor x = grid().detach().requires_grad_(true);
  const Tensor mask = xg::tensor({{1, 0, 0, 1}, {0, 1, 0, 0}, {1, 1, 0, 0}}, xg::kBool);
  const std::vector<std::function<Tensor(const Tensor&)>> fns{
      [](const Tensor& t) { return t[1]; },
      [](const Tensor& t) { return t.index({Slice(), 0}); },
      [](const Tensor& t) { return t.index({Slice(None, None, 2), Slice(1, 4, 2)}); },
      [](const Tensor& t) { return t.index({None, Ellipsis, -1}); },
      [&](const Tensor& t) { return t.index({mask}); },
      [](const Tensor& t) { return t.index({longs({2, 0, 2})}); },  // a repeated row: its gradient adds up
      [](const Tensor& t) { return t.select(1, -2); },
      [](const Tensor& t) { return t.index({longs({0, 2, 2}), longs({1, 3, 3})}); },
  };
  for (std::size_t k = 0; k < fns.size(); ++k) {
    CAPTURE(k);
    check_grads([&](const std::vector<Tensor>& in) { return fns[k](in[0]).pow(2.0); }, {x});
  }
  // by hand: rows 2, 0, 2 of x summed -> row 2 gets 2, row 0 gets 1
  Tensor y = grid();
  y.index({longs({2, 0, 2})}).sum().backward();
  check_values(y.grad(), {1, 1, 1, 1, 0, 0, 0, 0, 2, 2, 2, 2});
}

TEST_CASE("index_put_: values, last write wins, recorded in place with gradients") {
  Tensor y = xg::zeros({3, 4}, xg::kFloat64);
  y.index_put_({1}, 5.0);
  y.index_put_({Slice(), 0}, xg::tensor({1, 2, 3}, xg::kFloat64));
  y.index_put_({y > 4.5}, 7.0);
  y.index_put_({Slice(), 3}, xg::tensor({9.0}, xg::kFloat64));
  check_values(y, {1, 0, 0, 9, 2, 7, 7, 9, 3, 0, 0, 9});
  Tensor z = xg::zeros(4, xg::kFloat64);
  z.index_put_({longs({1, 1, 3})}, xg::tensor({10, 20, 30}, xg::kFloat64));
  check_values(z, {0, 20, 0, 30});
  Tensor b = xg::zeros({2, 2}, xg::kBool);
  b.index_put_({0, 1}, 1.0);
  check_values(b, {0, 1, 0, 0});

  // On the graph: a non-leaf takes the values; the gradient skips the overwritten elements.
  const Tensor x = grid();
  const Tensor v = f64({100, 200}, {2});
  Tensor a = x * 1.0;
  a.index_put_({Slice(0, 2), 1}, v);
  CHECK(a.grad_fn_name() != "");
  check_values(a.index({Slice(), 1}), {100, 200, 9});
  (a * a).sum().backward();
  check_values(x.grad(), {0, 0, 4, 6, 8, 0, 12, 14, 16, 18, 20, 22});
  check_values(v.grad(), {200, 400});

  const Tensor w = seq({3, 4}, 0.3, -0.2, 0.05);
  const Tensor mask = xg::tensor({{1, 0, 0, 1}, {0, 1, 0, 0}, {1, 1, 0, 0}}, xg::kBool);
  check_grads(
      [&](const std::vector<Tensor>& in) {
        Tensor t = in[0].clone();
        t.index_put_({mask}, in[1]);
        return t.pow(2.0);
      },
      {w, f64({1.5}, {})});
  check_grads([&](const std::vector<Tensor>& in) { return xg::index_put(in[0], {Slice(), longs({2, 0})}, in[1]).pow(2.0); },
              {w, seq({3, 2}, -1, 0.5, 0)});
  check_grads(  // repeated positions: only the last value gets a gradient
      [&](const std::vector<Tensor>& in) { return xg::index_put(in[0], {longs({1, 1})}, in[1]) * in[0]; },
      {w, seq({2, 4}, 2, 0.25, 0)});
}

TEST_CASE("indexing: bad input names the call and changes nothing") {
  Tensor x = grid(false);
  const auto before = values(x);
  XGT_CHECK_THROWS_MSG(x.index({0, 0, 0}), xg::IndexError, "index", "too many", "[3, 4]");
  XGT_CHECK_THROWS_MSG(x.index({5}), xg::IndexError, "index", "5", "size 3");
  XGT_CHECK_THROWS_MSG(x.index({Slice(), -5}), xg::IndexError, "index", "-5", "size 4");
  XGT_CHECK_THROWS_MSG(x[3], xg::IndexError, "select", "3");
  XGT_CHECK_THROWS_MSG(xg::scalar_tensor(3.0)[0], xg::IndexError, "select", "zero-dimensional");
  XGT_CHECK_THROWS_MSG(x.unsqueeze(1).index({longs({0}), Slice(), longs({1})}), xg::ValueError, "index", "side by side");
  XGT_CHECK_THROWS_MSG(x.index({longs({0}), xg::tensor({1, 0, 1, 1}, xg::kBool)}), xg::ValueError, "index", "int64");
  XGT_CHECK_THROWS_MSG(x.index({longs({0, 1}), longs({1, 2, 3})}), xg::ShapeError, "index", "[2]", "[3]");
  XGT_CHECK_THROWS_MSG(x.index({xg::tensor({0.0})}), xg::DTypeError, "index", "int64 or bool", "float32");
  XGT_CHECK_THROWS_MSG(x.index({longs({0, 3})}), xg::IndexError, "index", "3", "size 3");
  XGT_CHECK_THROWS_MSG(x.index({Slice(0, 3, 0)}), xg::ValueError, "step", "0");
  XGT_CHECK_THROWS_MSG(x.index({Ellipsis, 0, Ellipsis}), xg::IndexError, "index", "Ellipsis");
  XGT_CHECK_THROWS_MSG(x.index({xg::tensor({1, 0}, xg::kBool)}), xg::IndexError, "index", "mask of shape [2]");
  XGT_CHECK_THROWS_MSG(x.index({"x"}), xg::ValueError, "index", "\"...\"");
  XGT_CHECK_THROWS_MSG(x.index_put_({Slice(), 0}, f64({1, 2}, {2}, false)), xg::ShapeError, "index_put_", "[2]", "[3]");
  XGT_CHECK_THROWS_MSG(x.index_put_({7}, 1.0), xg::IndexError, "index_put_", "7");
  XGT_CHECK_THROWS_MSG(x.index_put_({0}, Tensor()), xg::ValueError, "index_put_");
  CHECK(values(x) == before);
  Tensor leaf = grid();
  XGT_CHECK_THROWS_MSG(leaf.index_put_({0}, 1.0), xg::AutogradError, "index_put_", "leaf");
  CHECK(values(leaf) == before);
  Tensor ints = xg::zeros(3, xg::kInt32);
  XGT_CHECK_THROWS_MSG(ints.index_put_({0}, 1e12), xg::ValueError, "index_put_", "int32");
}
