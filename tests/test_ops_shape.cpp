// Shape and indexing ops.
#include "check.h"

using xg::Tensor;
using xgt::check_grads;
using xgt::check_shape;
using xgt::check_values;
using xgt::f64;

namespace {
// 0.5 + scale·i - 0.003·i² at flat index i.
Tensor seq(const xg::Shape& s, double scale = 0.1) { return xgt::seq(s, 0.5, scale, -0.003); }
Tensor idx(std::vector<std::int64_t> v, const xg::Shape& s) { return xg::from_vector(v, s); }
}  // namespace

TEST_CASE("reshape/view share storage; -1 is inferred; gradient reshapes back") {
  Tensor x = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor r = xg::reshape(x, {3, -1});
  check_shape(r, {3, 2});
  CHECK(r.raw_data() == x.raw_data());
  check_shape(x.view({6}), {6});
  check_shape(xg::flatten(seq({2, 3, 4}), 1), {2, 12});
  check_shape(xg::flatten(seq({2, 3, 4})), {24});
  (r * f64({1, 2, 3, 4, 5, 6}, {3, 2}, false)).sum().backward();
  check_values(x.grad(), {1, 2, 3, 4, 5, 6});
  check_grads([](const std::vector<Tensor>& in) { return xg::reshape(in[0], {4, 6}) * 2.0; }, {seq({2, 3, 4})});

  // view and flatten: the gradient of sum(w ∘ view(x)) is w laid out in x's shape.
  Tensor v = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  (xg::view(v, {3, 2}) * f64({10, 20, 30, 40, 50, 60}, {3, 2}, false)).sum().backward();
  check_values(v.grad(), {10, 20, 30, 40, 50, 60});
  Tensor f = f64({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2});
  const Tensor flat = xg::flatten(f, 1);
  check_shape(flat, {2, 4});
  check_values(flat, {1, 2, 3, 4, 5, 6, 7, 8});
  (flat * flat).sum().backward();  // d/dx x² = 2x
  check_values(f.grad(), {2, 4, 6, 8, 10, 12, 14, 16});
  check_grads([](const std::vector<Tensor>& in) { return xg::view(in[0], {6, 4}) * xg::view(in[0], {6, 4}); },
              {seq({2, 3, 4})});
  check_grads([](const std::vector<Tensor>& in) { return xg::sin(xg::flatten(in[0], 1)); }, {seq({2, 3, 4})});
  check_grads([](const std::vector<Tensor>& in) { return xg::flatten(in[0], 0, 1) * xg::flatten(in[0]).sum(); },
              {seq({2, 3, 4})});
}

TEST_CASE("transpose, t, permute: values and gradients") {
  const Tensor x = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  check_values(xg::t(x), {1, 4, 2, 5, 3, 6});
  check_shape(xg::t(x), {3, 2});
  const Tensor p = xg::permute(seq({2, 3, 4}), {2, 0, 1});
  check_shape(p, {4, 2, 3});
  CHECK(p.at<double>({3, 1, 2}) == seq({2, 3, 4}).at<double>({1, 2, 3}));
  check_shape(xg::transpose(seq({2, 3, 4}), 0, -1), {4, 3, 2});
  check_grads([](const std::vector<Tensor>& in) { return xg::permute(in[0], {1, 2, 0}) * xg::permute(in[0], {1, 2, 0}); }, {seq({2, 3, 4})});
  check_grads([](const std::vector<Tensor>& in) { return xg::transpose(in[0], 1, 2); }, {seq({2, 3, 4})});

  // t: the gradient of sum(t(x) ∘ w) is t(w).
  Tensor y = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  (xg::t(y) * f64({1, 2, 3, 4, 5, 6}, {3, 2}, false)).sum().backward();
  check_values(y.grad(), {1, 3, 5, 2, 4, 6});
  check_grads([](const std::vector<Tensor>& in) { return xg::t(in[0]) * in[1]; }, {seq({2, 3}), seq({3, 2}, 0.2)});
  check_grads([](const std::vector<Tensor>& in) { return xg::matmul(xg::t(in[0]), in[0]); }, {seq({3, 2})});
}

TEST_CASE("squeeze/unsqueeze") {
  const Tensor x = seq({2, 1, 3, 1});
  check_shape(xg::squeeze(x), {2, 3});
  check_shape(xg::squeeze(x, 1), {2, 3, 1});
  check_shape(xg::squeeze(x, 0), {2, 1, 3, 1});  // size 2: unchanged
  check_shape(xg::unsqueeze(seq({2, 3}), 0), {1, 2, 3});
  check_shape(xg::unsqueeze(seq({2, 3}), -1), {2, 3, 1});
  check_grads([](const std::vector<Tensor>& in) { return xg::unsqueeze(xg::squeeze(in[0]), 1) * 3.0; }, {seq({2, 1, 3, 1})});
}

TEST_CASE("expand / broadcast_to and sum_to are adjoint") {
  Tensor x = f64({1, 2, 3}, {3, 1});
  const Tensor e = xg::expand(x, {2, 3, 4});
  check_shape(e, {2, 3, 4});
  CHECK(e.at<double>({1, 2, 3}) == 3);
  check_shape(xg::broadcast_to(x, {3, -1}), {3, 1});
  e.sum().backward();
  check_values(x.grad(), {8, 8, 8});
  check_values(xg::sum_to(xg::ones({2, 3, 4}, xg::kFloat64), {3, 1}), {8, 8, 8});
  check_grads([](const std::vector<Tensor>& in) { return xg::expand(in[0], {2, 3, 4}) * 1.5; }, {seq({3, 1})});
  check_grads([](const std::vector<Tensor>& in) { return xg::sum_to(in[0], {1, 4}); }, {seq({2, 3, 4})});

  // broadcast_to: each element's gradient sums the weights of its copies.
  Tensor b = f64({1, 2}, {2, 1});
  const Tensor bb = xg::broadcast_to(b, {2, 2, 3});
  check_shape(bb, {2, 2, 3});
  check_values(bb, {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2});
  (bb * xg::arange(0, 12, 1, xg::kFloat64).reshape({2, 2, 3})).sum().backward();
  check_values(b.grad(), {0 + 1 + 2 + 6 + 7 + 8, 3 + 4 + 5 + 9 + 10 + 11});
  check_grads([](const std::vector<Tensor>& in) { return xg::broadcast_to(in[0], {2, 3, 4}) * in[1]; },
              {seq({3, 1}), seq({2, 3, 4}, 0.05)});
  check_grads([](const std::vector<Tensor>& in) { return xg::square(xg::broadcast_to(in[0], {3, -1})); },
              {seq({1, 4})});
}

TEST_CASE("cat and stack: values and gradients split back") {
  Tensor a = f64({1, 2, 3, 4}, {2, 2});
  Tensor b = f64({5, 6}, {2, 1});
  const Tensor c = xg::cat({a, b}, 1);
  check_shape(c, {2, 3});
  check_values(c, {1, 2, 5, 3, 4, 6});
  (c * f64({1, 2, 3, 4, 5, 6}, {2, 3}, false)).sum().backward();
  check_values(a.grad(), {1, 2, 4, 5});
  check_values(b.grad(), {3, 6});
  check_values(xg::cat({f64({1}, {1}), f64({2, 3}, {2})}), {1, 2, 3});
  const Tensor s = xg::stack({f64({1, 2}, {2}), f64({3, 4}, {2})}, 1);
  check_shape(s, {2, 2});
  check_values(s, {1, 3, 2, 4});
  check_grads([](const std::vector<Tensor>& in) { return xg::cat({in[0], in[1] * in[1]}, 0); }, {seq({2, 3}), seq({1, 3})});
  check_grads([](const std::vector<Tensor>& in) { return xg::stack({in[0], in[1]}, 2); }, {seq({2, 3}), seq({2, 3}, 0.2)});
}

TEST_CASE("narrow, slice and narrow_scatter") {
  const Tensor x = seq({3, 4});
  const Tensor n = xg::narrow(x, 1, 1, 2);
  check_shape(n, {3, 2});
  CHECK(n.at<double>({2, 1}) == x.at<double>({2, 2}));
  check_shape(xg::slice(x, 0, -2, 100), {2, 4});
  check_shape(xg::slice(x, 1, 3, 1), {3, 0});
  const Tensor sc = xg::narrow_scatter({2, 3}, xg::tensor({7.0, 8.0}, xg::kFloat64).reshape({2, 1}), 1, 2);
  check_values(sc, {0, 0, 7, 0, 0, 8});
  check_grads([](const std::vector<Tensor>& in) { return xg::narrow(in[0], 0, 1, 2); }, {seq({3, 4})});
  check_grads([](const std::vector<Tensor>& in) { return xg::narrow_scatter({5, 4}, in[0], 0, 1); }, {seq({3, 4})});

  // slice: values and a gradient that is zero outside the slice.
  Tensor y = f64({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4});
  const Tensor s = xg::slice(y, 1, 1, 3);
  check_values(s, {2, 3, 6, 7});
  (s * s).sum().backward();
  check_values(y.grad(), {0, 4, 6, 0, 0, 12, 14, 0});
  check_grads([](const std::vector<Tensor>& in) { return xg::slice(in[0], 1, 1, 3) * xg::slice(in[0], 1, 2, 4); },
              {seq({3, 4})});
  check_grads([](const std::vector<Tensor>& in) { return xg::exp(xg::slice(in[0], 0, -2, 100)); }, {seq({3, 4})});
}

TEST_CASE("index_select and index_add with repeated indices") {
  Tensor x = f64({1, 2, 3, 4, 5, 6}, {3, 2});
  const Tensor i = idx({2, 0, 2}, {3});
  const Tensor s = xg::index_select(x, 0, i);
  check_values(s, {5, 6, 1, 2, 5, 6});
  s.sum().backward();
  check_values(x.grad(), {1, 1, 0, 0, 2, 2});
  check_values(xg::index_add(xg::zeros({3}, xg::kFloat64), 0, i, xg::tensor({1.0, 2.0, 3.0}, xg::kFloat64)), {2, 0, 4});
  check_grads([&](const std::vector<Tensor>& in) { return xg::index_select(in[0], 1, idx({1, 1, 0}, {3})); }, {seq({3, 2})});
  check_grads([&](const std::vector<Tensor>& in) { return xg::index_add(in[0], 0, i, in[1]); }, {seq({3, 2}), seq({3, 2}, 0.3)});
}

TEST_CASE("gather and scatter_add are adjoint; one_hot") {
  Tensor x = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor i = idx({2, 0, 1, 1}, {2, 2});
  const Tensor g = xg::gather(x, 1, i);
  check_values(g, {3, 1, 5, 5});
  g.sum().backward();
  check_values(x.grad(), {1, 0, 1, 0, 2, 0});
  const Tensor sa = xg::scatter_add(xg::zeros({2, 3}, xg::kFloat64), 1, i, xg::tensor({{1.0, 2.0}, {3.0, 4.0}}, xg::kFloat64));
  check_values(sa, {2, 0, 1, 0, 7, 0});
  check_grads([&](const std::vector<Tensor>& in) { return xg::gather(in[0], 1, i); }, {seq({2, 3})});
  check_grads([&](const std::vector<Tensor>& in) { return xg::scatter_add(in[0], 1, i, in[1]) * in[0]; }, {seq({2, 3}), seq({2, 2}, 0.4)});
  const Tensor oh = xg::one_hot(idx({0, 2, 1}, {3}), 4);
  check_shape(oh, {3, 4});
  CHECK(oh.to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0});
  check_shape(xg::one_hot(idx({0, 2}, {2})), {2, 3});
}

TEST_CASE("clone and to(dtype) are differentiable") {
  Tensor x = f64({1, 2}, {2});
  Tensor y = x.clone() * 3.0;
  Tensor z = x.to(xg::kFloat32);
  CHECK(z.dtype() == xg::kFloat32);
  (y.sum() + z.sum().to(xg::kFloat64) * 2.0).backward();
  check_values(x.grad(), {5, 5});
  CHECK_FALSE(x.to(xg::kInt64).requires_grad());

  // clone: sum(clone(a) ∘ a) = Σ a², gradient 2a.
  Tensor a = f64({0.5, -1.5, 2}, {3});
  (xg::clone(a) * a).sum().backward();
  check_values(a.grad(), {1, -3, 4});
  check_grads([](const std::vector<Tensor>& in) { return xg::clone(in[0]) * in[0]; }, {seq({2, 3})});
  check_grads([](const std::vector<Tensor>& in) { return xg::sin(in[0].clone()); }, {seq({2, 3})});

  // to: float64 -> float32 -> float64, times x: the value x², the gradient 2x through both casts.
  // These x, and x ± 2^-10 (gradcheck's eps here), are exact in float32, so the finite differences
  // of the first derivative are exact; the second derivative rounds v·x to float32 on its way back
  // through the casts (about 2^-24 relative, divided by 2^-9 for the difference): hence 1e-3.
  Tensor w = f64({0.5, -1.25, 3}, {3});
  const Tensor w32 = w.to(xg::kFloat32);
  CHECK(w32.dtype() == xg::kFloat32);
  const Tensor sq = w32.to(xg::kFloat64) * w;
  CHECK(sq.dtype() == xg::kFloat64);
  check_values(sq, {0.25, 1.5625, 9});
  sq.sum().backward();
  check_values(w.grad(), {1, -2.5, 6});
  check_grads([](const std::vector<Tensor>& in) { return in[0].to(xg::kFloat32).to(xg::kFloat64) * in[0]; },
              {f64({0.5, -1.25, 3}, {3})}, 1e-3, 1e-3, 0x1p-10);
}
