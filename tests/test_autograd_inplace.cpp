// In-place ops on the graph (issue #16): the tensor takes the op's result and history (LibTorch's
// rebase), its views follow, a leaf that requires grad is refused, and values saved before the
// write still refuse to backward.
#include <doctest/doctest.h>
#include <xgrad.h>

#include <limits>

#include "check.h"

using xg::Tensor;
namespace nn = xg::nn;

namespace {
// A residual block written with in-place ops, the way model code does: h += residual, relu_, mul_.
struct InplaceBlockImpl : nn::Module {
  InplaceBlockImpl() {
    fc1 = register_module("fc1", nn::Linear(nn::LinearOptions(3, 3).dtype(xg::kFloat64)));
    fc2 = register_module("fc2", nn::Linear(nn::LinearOptions(3, 3).dtype(xg::kFloat64)));
    gate = register_parameter("gate", xg::tensor({0.5, -1.25, 2.0}, xg::kFloat64));
  }
  Tensor forward(Tensor x) {
    Tensor h = fc1(x);
    h.relu_();
    h += x;  // the residual
    Tensor y = fc2(h);
    y.mul_(gate);
    y *= 0.5;
    return xg::tanh(y);
  }
  nn::Linear fc1{nullptr}, fc2{nullptr};
  Tensor gate;
};
XG_MODULE(InplaceBlock);
}  // namespace
using xgt::check_values;
using xgt::f64;

TEST_CASE("inplace: a model's relu_, += and mul_ give the gradients of the out-of-place model") {
  const Tensor x = f64({-1.0, 0.5, 2.0}, {3});
  const Tensor w = f64({3.0, -2.0, 0.25}, {3});
  Tensor h = x * w;  // {-3, -1, 0.5}
  h += x;            // {-4, -0.5, 2.5}
  h.mul_(2.0);       // {-8, -1, 5}
  h.relu_();         // {0, 0, 5}
  check_values(h, {0, 0, 5});
  CHECK(h.grad_fn_name() == "relu");
  h.sum().backward();
  // d/dx: 2·(w + 1) where the relu passes; d/dw: 2·x there.
  check_values(x.grad(), {0, 0, 2 * 1.25});
  check_values(w.grad(), {0, 0, 2 * 2.0});
}

TEST_CASE("inplace: every in-place op passes gradcheck and gradgradcheck on the graph") {
  const Tensor a = f64({0.3, -1.2, 2.1, 0.7}, {2, 2});
  const Tensor b = f64({1.5, 0.4, -0.8, 2.2}, {2, 2});
  xgt::check_grads(
      [](const std::vector<Tensor>& in) {
        Tensor h = in[0] * in[1];
        h.add_(in[0], 0.5);
        h.sub_(in[1], 2.0);
        h.mul_(in[0]);
        h.div_(in[1]);
        h += 1.0;
        h -= in[0];
        h *= in[1];
        h /= 3.0;
        h.clamp_(-1.5, 1.0);
        return h;
      },
      {a, b});
  xgt::check_grads(
      [](const std::vector<Tensor>& in) {
        Tensor h = xg::zeros({2, 2}, xg::kFloat64);
        h.copy_(in[0] * in[0]);  // h had no history: it takes the source's
        h.relu_();
        h.mul_(in[1]);
        return h;
      },
      {a, b});
}

TEST_CASE("inplace: a leaf that requires grad (or a view of one) is refused and left unchanged") {
  Tensor x = f64({1.0, 2.0}, {2});
  XGT_CHECK_THROWS_MSG(x.add_(1.0), xg::AutogradError, "add_", "leaf tensor that requires grad", "NoGradGuard");
  XGT_CHECK_THROWS_MSG(x.relu_(), xg::AutogradError, "relu_", "leaf");
  Tensor v = x.view({2, 1});
  XGT_CHECK_THROWS_MSG(v.mul_(2.0), xg::AutogradError, "mul_", "a view of a leaf tensor");
  check_values(x, {1, 2});
  CHECK(x.version() == 0);
  {
    xg::NoGradGuard ng;  // as an optimizer step: allowed, and the version counts it
    x.sub_(0.5);
  }
  check_values(x, {0.5, 1.5});
  CHECK(x.version() == 1);
  CHECK(x.is_leaf());
}

TEST_CASE("inplace: a value saved before the write refuses to backward, naming both ops") {
  const Tensor x = f64({1.0, 2.0}, {2});
  Tensor y = x * 2.0;
  const Tensor z = y * y;  // saves y
  y.add_(1.0);
  XGT_CHECK_THROWS_MSG(z.sum().backward(), xg::AutogradError, "'mul'", "'add_'", "modified by an in-place operation");
  // The op's own saved input is a copy: x·y then y.mul_(x) backward is right (y's old value).
  const Tensor a = f64({1.5, -2.0}, {2});
  Tensor b = a * 3.0;
  const Tensor c = f64({2.0, 0.5}, {2});
  b.mul_(c);  // b = 3a·c: d/dc = 3a, d/da = 3c
  b.sum().backward();
  check_values(c.grad(), {4.5, -6.0});
  check_values(a.grad(), {6.0, 1.5});
}

TEST_CASE("inplace: views follow (the base of a modified view and the views of a modified base)") {
  {
    const Tensor x = f64({1.0, 2.0, 3.0, 4.0}, {2, 2});
    Tensor b = x * 1.0;
    Tensor v = b.view({4});
    v.mul_(3.0);
    check_values(b, {3, 6, 9, 12});
    CHECK(b.grad_fn_name() == "reshape");
    (b * x).sum().backward();  // b = 3x, so d/dx (3x·x) = 6x
    check_values(x.grad(), {6, 12, 18, 24});
  }
  {
    const Tensor x = f64({1.0, 2.0, 3.0, 4.0}, {2, 2});
    Tensor b = x * 1.0;
    const Tensor v = b.view({4});
    b.mul_(x);  // the view reads x·x now
    check_values(v, {1, 4, 9, 16});
    v.sum().backward();
    check_values(x.grad(), {2, 4, 6, 8});
  }
  {
    // A plain tensor and its view take the history of what is added into it.
    Tensor h = xg::zeros({3}, xg::kFloat64);
    const Tensor hv = h.view({3, 1});
    const Tensor w = f64({1.0, 2.0, 3.0}, {3});
    h += w * w;
    CHECK(h.requires_grad());
    CHECK(hv.requires_grad());
    hv.sum().backward();
    check_values(w.grad(), {2, 4, 6});
  }
}

TEST_CASE("inplace: fill_ and zero_ keep a history whose gradient is zero (as LibTorch); copy_ takes the source's") {
  const Tensor x = f64({1.0, 2.0}, {2});
  Tensor y = x * 2.0;
  y.fill_(5.0);
  CHECK(y.requires_grad());
  CHECK(y.grad_fn()->name() == "FillBackward0");
  check_values(y, {5, 5});
  (y * x).sum().backward();  // only through the second factor: the fill's gradient is zero
  check_values(x.grad(), {5, 5});
  x.grad().zero_();
  Tensor z = x * x;
  z.zero_();
  CHECK(z.grad_fn()->name() == "ZeroBackward0");
  (z + x).sum().backward();
  check_values(x.grad(), {1, 1});

  const Tensor s = f64({0.5, -1.0}, {2});
  Tensor h = xg::zeros({2}, xg::kFloat32);
  h.copy_(s * 3.0);  // float64 into float32, differentiably
  CHECK(h.dtype() == xg::kFloat32);
  h.sum().backward();
  check_values(s.grad(), {3, 3});
}

TEST_CASE("inplace: retain_grad follows the rebase; x.grad().zero_() after a create_graph backward is safe") {
  const Tensor x = f64({1.0, 2.0}, {2});
  Tensor y = x * 2.0;
  y.retain_grad();
  y.mul_(3.0);
  (y * y).sum().backward();
  check_values(y.grad(), {12, 24});  // d/dy y² at the new y = {6, 12}
  check_values(x.grad(), {72, 144});

  const Tensor p = f64({1.0, 3.0}, {2});
  (p * p * p).sum().backward({}, true, true);
  Tensor g = p.grad();  // 3p², with a graph
  CHECK(g.requires_grad());
  const Tensor gg = g.sum();
  g.zero_();
  check_values(p.grad(), {0, 0});
  gg.backward();  // through g's history before zero_: d/dp Σ3p² = 6p, added to the zeroed .grad()
  check_values(p.grad(), {6, 18});
}

TEST_CASE("call sites: operators and methods record the user's line, not one inside xgrad") {
  const Tensor x = f64({1.0, 2.0}, {2});
  Tensor y = x * 2.0;
  const int op_line = __LINE__ + 1;
  const Tensor z = y * y;
  const int method_line = __LINE__ + 1;
  const Tensor w = y.pow(3.0);
  y.add_(1.0);
  XGT_CHECK_THROWS_MSG(z.sum().backward(), xg::AutogradError, "test_autograd_inplace.cpp:" + std::to_string(op_line));
  XGT_CHECK_THROWS_MSG(w.sum().backward(), xg::AutogradError, "test_autograd_inplace.cpp:" + std::to_string(method_line));
}

TEST_CASE("call sites: in-place methods, compound operators, clone() and to() record the user's line") {
  const Tensor x = f64({1.0, 2.0}, {2});
  Tensor h = x * 1.0;
  const int inplace_line = __LINE__ + 1;
  h += x;
  Tensor r = x * 1.0;
  const int method_line = __LINE__ + 1;
  r.mul_(x);
  const int clone_line = __LINE__ + 1;
  const Tensor c = xg::sqrt(x.clone());
  const int to_line = __LINE__ + 1;
  const Tensor t = x.to(xg::kFloat32);
  xg::DetectAnomalyGuard anomaly;
  const double inf = std::numeric_limits<double>::infinity();
  const auto seed = [&](const Tensor& like) { return xg::full_like(like, inf); };
  XGT_CHECK_THROWS_MSG(h.backward(seed(h)), xg::AutogradError, "test_autograd_inplace.cpp:" + std::to_string(inplace_line));
  XGT_CHECK_THROWS_MSG(r.backward(seed(r)), xg::AutogradError, "test_autograd_inplace.cpp:" + std::to_string(method_line));
  XGT_CHECK_THROWS_MSG(xg::autograd::grad({c}, {x}, {seed(c)}), xg::AutogradError,
                       "test_autograd_inplace.cpp:" + std::to_string(clone_line));
  XGT_CHECK_THROWS_MSG(t.backward(seed(t)), xg::AutogradError, "test_autograd_inplace.cpp:" + std::to_string(to_line));
}

TEST_CASE("create_graph: each leaf's .grad() is its own tensor, so zeroing one in place leaves the others") {
  const Tensor a = f64({1.0, 2.0}, {2}), b = f64({3.0, 4.0}, {2});
  (a + b).sum().backward({}, false, /*create_graph=*/true);  // add passes the same gradient to both
  CHECK(a.grad().impl() != b.grad().impl());
  a.grad().zero_();
  check_values(a.grad(), {0, 0});
  check_values(b.grad(), {1, 1});
  // A retained gradient is saved by the mul that uses it; zeroing the leaf's .grad() keeps it.
  const Tensor p = f64({1.0, 3.0}, {2});
  Tensor y = p * 2.0;
  y.retain_grad();
  const Tensor seed = f64({1.0, 1.0}, {2}, false);
  (y * y).backward(seed, false, true);
  check_values(p.grad(), {8, 24});  // d/dp (2p)² = 8p
  y.grad().zero_();
  check_values(p.grad(), {8, 24});
  check_values(seed, {1, 1});
  // The user's own gradient is not stored as .grad(): zeroing .grad() leaves it alone.
  const Tensor q = f64({1.0, 2.0}, {2});
  const Tensor g = f64({5.0, 6.0}, {2}, false);
  q.backward(g, false, true);
  q.grad().zero_();
  check_values(g, {5, 6});
}

TEST_CASE("call sites: unary minus records the user's line") {
  const Tensor x = f64({1.0, 2.0}, {2});
  const int neg_line = __LINE__ + 1;
  const Tensor u = -(x * 2.0);
  xg::DetectAnomalyGuard anomaly;  // neg's backward turns the seed's inf into -inf: anomaly names neg
  XGT_CHECK_THROWS_MSG(u.backward(f64({std::numeric_limits<double>::infinity(), 1.0}, {2})), xg::AutogradError, "'neg'",
                       "test_autograd_inplace.cpp:" + std::to_string(neg_line));
}

TEST_CASE("grad_fn(): LibTorch's node names, inputs and next functions; empty for a leaf") {
  const Tensor x = f64({1.0, 2.0}, {2});
  const Tensor y = xg::log_softmax(x * x, 0);
  REQUIRE(y.grad_fn());
  CHECK(y.grad_fn()->name() == "LogSoftmaxBackward0");
  CHECK(y.grad_fn()->op_name() == y.grad_fn_name());
  CHECK(y.grad_fn()->num_inputs() == 1);
  CHECK(y.grad_fn()->num_outputs() == 1);
  const auto next = y.grad_fn()->next_functions();
  REQUIRE(next.size() == 1);
  CHECK(next[0]->name() == "MulBackward0");
  CHECK(next[0]->num_outputs() == 2);
  for (const auto& leaf_edge : next[0]->next_functions()) CHECK(leaf_edge == nullptr);  // x is a leaf
  CHECK(x.grad_fn() == nullptr);
  CHECK_FALSE(x.grad_fn());
  CHECK(x.grad_fn()->name().empty());
  const auto fn = y.grad_fn();  // a handle keeps the node alive, as a shared_ptr
  CHECK(fn == y.grad_fn());
}

TEST_CASE("hooks: remove_hook of an unknown handle raises; a hook may return void") {
  const Tensor x = f64({1.0, 2.0}, {2});
  Tensor y = x * 3.0;
  int seen = 0;
  const auto h = y.register_hook([&](const Tensor& g) { seen += static_cast<int>(g.numel()); });
  y.sum().backward();
  CHECK(seen == 2);
  check_values(x.grad(), {3, 3});  // a void hook keeps the gradient
  y.remove_hook(h);
  XGT_CHECK_THROWS_MSG(y.remove_hook(h), xg::ValueError, "remove_hook", std::to_string(h));
  XGT_CHECK_THROWS_MSG(y.remove_hook(12345678), xg::ValueError, "remove_hook", "12345678");
}

TEST_CASE("inplace: a view made under NoGradGuard of a tensor that requires grad refuses in-place writes in grad mode") {
  const Tensor x = f64({1.0, 2.0}, {2});
  const Tensor b = x * 2.0;
  Tensor v;
  {
    xg::NoGradGuard ng;
    v = b.view({2, 1});
  }
  CHECK_FALSE(v.requires_grad());
  XGT_CHECK_THROWS_MSG(v.mul_(2.0), xg::AutogradError, "mul_", "NoGradGuard", "[2]");
  check_values(b, {2, 4});
  {
    xg::NoGradGuard ng;  // allowed where nothing is recorded, as LibTorch
    v.mul_(2.0);
  }
  check_values(b, {4, 8});
  // A detach() of the same tensor may be written in grad mode (LibTorch allows it; the version
  // counter still guards values saved for backward).
  Tensor d = b.detach();
  d.mul_(0.5);
  check_values(b, {2, 4});
  // An in-place op on the base keeps the no-grad view a constant.
  Tensor base = x * 1.0;
  Tensor w;
  {
    xg::NoGradGuard ng;
    w = base.view({2, 1});
  }
  base.mul_(x);
  CHECK(base.requires_grad());
  CHECK_FALSE(w.requires_grad());
  check_values(w, {1, 4});
}

TEST_CASE("backward(inputs=...) accumulates only into the given tensors; detach_ leaves the graph") {
  const Tensor a = f64({1.0, 2.0}, {2});
  const Tensor b = f64({3.0, -1.0}, {2});
  Tensor h = a * b;
  h.retain_grad();
  const Tensor loss = (h * a).sum();  // d/da = 2ab, d/db = a², d/dh = a
  loss.backward({}, true, false, {b});
  CHECK_FALSE(a.grad().defined());
  check_values(b.grad(), {1, 4});
  check_values(h.grad(), {1, 2});  // retain_grad() on the pruned path still fills, as LibTorch
  loss.backward({}, false, false, {a, h});  // a non-leaf input receives its gradient too
  check_values(a.grad(), {6, -4});
  check_values(h.grad(), {2, 4});
  check_values(b.grad(), {1, 4});  // unchanged
  XGT_CHECK_THROWS_MSG(((a * 2.0).sum().backward({}, false, false, {f64({1.0}, {1}, false)})), xg::AutogradError,
                       "backward", "input 0", "does not require grad");

  Tensor y = a * 3.0;
  y.detach_();
  CHECK_FALSE(y.requires_grad());
  CHECK(y.is_leaf());
  check_values(y, {3, 6});
}

TEST_CASE("inplace: relu_, += and mul_ inside a module: gradcheck and gradgradcheck over its parameters and input") {
  xg::manual_seed(11);
  InplaceBlock net;
  const Tensor x = xg::randn({4, 3}, xg::kFloat64).requires_grad_();
  const auto r1 = xg::gradcheck(*net, {x});
  CHECK_MESSAGE(r1.ok, r1.report);
  const auto r2 = xg::gradgradcheck(*net, {x});
  CHECK_MESSAGE(r2.ok, r2.report);
  // A wrong gradient is caught: the same block with the in-place residual replaced by a detached one.
  const auto wrong = xg::gradcheck(*net, [&](const std::vector<Tensor>& in) {
    Tensor h = net->fc1(in[0]);
    h.relu_();
    h += in[0].detach();
    Tensor y = net->fc2(h);
    y.mul_(net->gate);
    return xg::tanh(y * 0.5);
  }, {x});
  CHECK_FALSE(wrong.ok);
}
