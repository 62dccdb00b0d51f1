// Tensor::register_post_accumulate_grad_hook: once per backward, after the leaf's last gradient
// went into .grad() (DistributedDataParallel starts its reductions from it). Values by hand.
#include "check.h"

#include <string>

using xg::Tensor;

TEST_CASE("post-accumulate hook: once per backward, with every contribution in .grad()") {
  Tensor w = xg::tensor({1, 2}, xg::requires_grad());
  const Tensor x = xg::tensor({3, 4});
  int calls = 0;
  std::vector<double> seen;
  w.register_post_accumulate_grad_hook([&](const Tensor& t) {
    ++calls;
    CHECK(t.impl() == w.impl());
    seen = t.grad().to_vector<double>();
  });
  // d/dw [sum(w x) + sum(w w)] = x + 2w = [5, 8]: two edges into w, one call.
  (xg::sum(w * x) + xg::sum(w * w)).backward();
  CHECK(calls == 1);
  CHECK(seen == std::vector<double>{5, 8});
  (xg::sum(w * x) + xg::sum(w * w)).backward();  // accumulates: [10, 16]
  CHECK(calls == 2);
  CHECK(seen == std::vector<double>{10, 16});
}

TEST_CASE("post-accumulate hooks fire as backward reaches each leaf") {
  Tensor w1 = xg::tensor({2}, xg::requires_grad()), w2 = xg::tensor({3}, xg::requires_grad());
  std::vector<std::string> order;
  w1.register_post_accumulate_grad_hook([&](const Tensor&) { order.push_back("w1"); });
  const auto id = w2.register_post_accumulate_grad_hook([&](const Tensor&) { order.push_back("w2"); });
  // out = exp(w1) * w2: w2's gradient is ready after the last node; w1's needs one more (exp).
  xg::sum(xg::exp(w1) * w2).backward();
  CHECK(order == std::vector<std::string>{"w2", "w1"});
  // backward(inputs=...) fills .grad() and runs the hook; autograd::grad leaves both alone.
  order.clear();
  xg::sum(xg::exp(w1) * w2).backward({}, false, false, {w2});
  CHECK(order == std::vector<std::string>{"w2"});
  order.clear();
  (void)xg::autograd::grad({xg::sum(xg::exp(w1) * w2)}, {w1, w2});
  CHECK(order.empty());
  // A leaf root, and a removed hook.
  w2.remove_hook(id);
  w1.backward(xg::ones({1}));
  w2.backward(xg::ones({1}));
  CHECK(order == std::vector<std::string>{"w1"});
}

TEST_CASE("post-accumulate hook bad input") {
  Tensor w = xg::tensor({1, 2}, xg::requires_grad());
  Tensor y = w * 2.0;
  XGT_CHECK_THROWS_MSG(y.register_post_accumulate_grad_hook([](const Tensor&) {}), xg::AutogradError,
                       "register_post_accumulate_grad_hook", "is not a leaf");
  Tensor c = xg::tensor({1});
  XGT_CHECK_THROWS_MSG(c.register_post_accumulate_grad_hook([](const Tensor&) {}), xg::AutogradError,
                       "does not require grad");
}
