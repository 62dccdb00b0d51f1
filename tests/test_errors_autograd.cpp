// AutogradError: backward on non-scalars or on tensors without grad, backward twice, tensors
// saved for backward and changed in place, in-place ops on tensors that require grad, and other
// misuses of the autograd API; each message names the op and what to do instead.
#include "check.h"

namespace {

using xgt::f64;
using xgt::values;
using xgt::VD;

}  // namespace

TEST_CASE("AutogradError: backward on a non-scalar output without a gradient") {
  const xg::Tensor x = f64({1, 2, 3}, {3});
  const xg::Tensor y = x * x;
  XGT_CHECK_THROWS_MSG(y.backward(), xg::AutogradError, "backward", "single-element", "[3]");
  XGT_CHECK_THROWS_MSG(xg::autograd::grad({y}, {x}), xg::AutogradError, "single-element", "[3]");
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("AutogradError: backward on a tensor that does not require grad") {
  XGT_CHECK_THROWS_MSG(xg::sum(f64({1, 2}, {2}, false)).backward(), xg::AutogradError, "backward",
                       "does not require grad");
  const xg::Tensor x = f64({1, 2}, {2});
  xg::Tensor y;
  {
    xg::NoGradGuard ng;
    y = xg::sum(x * x);
  }
  XGT_CHECK_THROWS_MSG(y.backward(), xg::AutogradError, "backward", "NoGradGuard");
}

TEST_CASE("AutogradError: backward twice without retain_graph") {
  xg::Tensor x = f64({1, 2, 3}, {3});
  const xg::Tensor y = xg::sum(x * x);
  y.backward();
  CHECK(values(x.grad()) == VD{2, 4, 6});
  XGT_CHECK_THROWS_MSG(y.backward(), xg::AutogradError, "backward", "second time", "sum", "retain_graph");
  CHECK(values(x.grad()) == VD{2, 4, 6});  // not accumulated again

  // With retain_graph the second call works and accumulates.
  const xg::Tensor z = xg::sum(x * 3.0);
  x.set_grad({});
  z.backward({}, true);
  z.backward();
  CHECK(values(x.grad()) == VD{6, 6, 6});
  XGT_CHECK_THROWS_MSG(z.backward(), xg::AutogradError, "second time");

  // The same through autograd::grad.
  const xg::Tensor w = xg::sum(xg::exp(x));
  (void)xg::autograd::grad({w}, {x});
  XGT_CHECK_THROWS_MSG(xg::autograd::grad({w}, {x}), xg::AutogradError, "second time");
}

TEST_CASE("AutogradError: a tensor saved for backward was modified in place") {
  SUBCASE("a constant operand changed under NoGradGuard") {
    const xg::Tensor x = f64({1, 2, 3}, {3});
    xg::Tensor w = f64({4, 5, 6}, {3}, false);
    const xg::Tensor y = x * w;  // mul saves w for x's gradient
    {
      xg::NoGradGuard ng;
      w.add_(1.0);
    }
    XGT_CHECK_THROWS_MSG(xg::sum(y).backward(), xg::AutogradError, "mul", "[3]", "in-place", "add_", "version is 1",
                         "expected 0");
    CHECK_FALSE(x.grad().defined());
  }
  SUBCASE("a constant operand changed in grad mode (it does not require grad, so the write is allowed)") {
    const xg::Tensor x = f64({1, 2}, {2});
    xg::Tensor w = f64({3, 4}, {2}, false);
    const xg::Tensor y = xg::matmul(x, w);
    w.mul_(2.0);
    w.mul_(2.0);
    XGT_CHECK_THROWS_MSG(y.backward(), xg::AutogradError, "matmul", "mul_", "version is 2", "expected 0");
  }
  SUBCASE("a saved output changed under NoGradGuard") {
    const xg::Tensor x = f64({0, 1}, {2});
    xg::Tensor y = xg::exp(x);  // exp saves its output
    {
      xg::NoGradGuard ng;
      y.mul_(2.0);
    }
    XGT_CHECK_THROWS_MSG(xg::sum(y).backward(), xg::AutogradError, "exp", "[2]", "mul_", "version is 1", "expected 0");
  }
  SUBCASE("no error when the tensor was cloned before the change") {
    const xg::Tensor x = f64({1, 2, 3}, {3});
    xg::Tensor w = f64({4, 5, 6}, {3}, false);
    const xg::Tensor y = x * w.clone();
    w.add_(1.0);
    xg::sum(y).backward();
    CHECK(values(x.grad()) == VD{4, 5, 6});
  }
}

TEST_CASE("AutogradError: in-place op on a leaf that requires grad in grad mode") {
  xg::Tensor x = f64({1, 2, 3}, {3});
  XGT_CHECK_THROWS_MSG(x.add_(1.0), xg::AutogradError, "add_", "requires grad", "[3]", "leaf", "NoGradGuard");
  XGT_CHECK_THROWS_MSG(x.copy_(f64({0, 0, 0}, {3}, false)), xg::AutogradError, "copy_", "requires grad");
  XGT_CHECK_THROWS_MSG(x.zero_(), xg::AutogradError, "requires grad");
  XGT_CHECK_THROWS_MSG(x.clamp_(0.0, 1.0), xg::AutogradError, "clamp_", "requires grad");
  CHECK(values(x) == VD{1, 2, 3});
  CHECK(x.version() == 0u);
  // A non-leaf is recorded instead (tests/test_autograd_inplace.cpp).
}

TEST_CASE("AutogradError: autograd::grad with an unused input or one that does not require grad") {
  const xg::Tensor x = f64({1, 2}, {2}), z = f64({5, 6}, {2});
  const xg::Tensor y = xg::sum(x * x);
  XGT_CHECK_THROWS_MSG(xg::autograd::grad({y}, {x, z}, {}, true), xg::AutogradError, "grad", "input 1", "[2]",
                       "not used", "allow_unused");
  const auto g = xg::autograd::grad({y}, {x, z}, {}, true, false, true);
  REQUIRE(g.size() == 2u);
  CHECK(values(g[0]) == VD{2, 4});
  CHECK_FALSE(g[1].defined());
  XGT_CHECK_THROWS_MSG(xg::autograd::grad({y}, {f64({1, 2}, {2}, false)}, {}, true), xg::AutogradError, "grad",
                       "input 0", "does not require grad");
  CHECK_FALSE(x.grad().defined());  // grad() never touches .grad()
}

TEST_CASE("AutogradError: other misuses of the autograd API") {
  const xg::Tensor x = f64({1, 2, 3}, {3});
  xg::Tensor y = x * 2.0;
  XGT_CHECK_THROWS_MSG(y.requires_grad_(false), xg::AutogradError, "requires_grad_", "non-leaf", "mul", "detach");
  CHECK(y.requires_grad());
  xg::Tensor c = f64({1}, {1}, false);
  XGT_CHECK_THROWS_MSG(c.retain_grad(), xg::AutogradError, "retain_grad", "does not require grad");
  XGT_CHECK_THROWS_MSG(c.register_hook([](const xg::Tensor& g) { return g; }), xg::AutogradError, "register_hook",
                       "does not require grad");

  // A hook that returns a gradient of the wrong shape.
  xg::Tensor leaf = f64({1, 2, 3}, {3});
  leaf.register_hook([](const xg::Tensor&) { return f64({1, 1}, {2}, false); });
  XGT_CHECK_THROWS_MSG(xg::sum(leaf * 2.0).backward(), xg::AutogradError, "hook", "[2]", "[3]");
}
