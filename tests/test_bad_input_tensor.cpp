// The bad-input matrix (issue #9), tensor ops and autograd:
// realistic misuses across the whole API. Each case checks
//   (a) the exact xg::Error subtype,
//   (b) that the message names the op and the offending shapes / dtypes / values,
//   (c) that nothing was changed by the failed call: input values and version counters, module
//       and optimizer state_dicts, files on disk (byte for byte).
// The other parts are the test_bad_input_*.cpp files; test_errors_*.cpp hold the basic per-type
// cases, which the matrix does not repeat.
#include "check.h"

#include <cstdint>
#include <limits>
#include <vector>

namespace nn = xg::nn;
namespace F = xg::nn::functional;
namespace optim = xg::optim;

namespace {

using xgt::f64;
using xgt::i64;
using xgt::Snapshot;

}  // namespace

// =============================================================================================
// tensor ops
// =============================================================================================

TEST_CASE("bad input: tensor ops") {
  SUBCASE("broadcasting mismatch in a 3-D element-wise op (in place: target unchanged)") {
    xg::Tensor a = xg::ones({2, 3, 4});
    const xg::Tensor b = xg::ones({3, 5});
    const Snapshot sa(a), sb(b);
    XGT_CHECK_THROWS_MSG(xg::div(a, b), xg::ShapeError, "div", "[2, 3, 4]", "[3, 5]", "4 vs 5");
    XGT_CHECK_THROWS_MSG(a.mul_(b), xg::ShapeError, "mul_", "[2, 3, 4]", "[3, 5]");
    CHECK(sa.unchanged());
    CHECK(sb.unchanged());
  }
  SUBCASE("broadcasting mismatch in where and pow") {
    const xg::Tensor c = xg::ones({2, 3}), x = xg::ones({2, 3}), y = xg::ones({4, 3});
    XGT_CHECK_THROWS_MSG(xg::where(c, x, y), xg::ShapeError, "where", "[2, 3]", "[4, 3]");
    XGT_CHECK_THROWS_MSG(xg::pow(x, y), xg::ShapeError, "pow", "[2, 3]", "[4, 3]");
  }
  SUBCASE("matmul inner-dim mismatch, batched, and batch dims that do not broadcast") {
    const xg::Tensor a = xg::ones({2, 3, 4}, xg::kFloat64).requires_grad_();
    const Snapshot sa(a);
    XGT_CHECK_THROWS_MSG(xg::matmul(a, xg::ones({2, 5, 6}, xg::kFloat64)), xg::ShapeError, "matmul", "[2, 3, 4]",
                         "[2, 5, 6]", "4 vs 5");
    // (the message names only the batch dims, [2] and [3], not the operands' full shapes)
    XGT_CHECK_THROWS_MSG(xg::matmul(a, xg::ones({3, 4, 2}, xg::kFloat64)), xg::ShapeError, "matmul", "batch", "[2]",
                         "[3]", "2 vs 3");
    CHECK(sa.unchanged());
    CHECK(a.is_leaf());
    CHECK_FALSE(a.grad().defined());
  }
  SUBCASE("int64 into float-only ops") {
    const xg::Tensor i = i64({1, 2, 3});
    const Snapshot si(i);
    XGT_CHECK_THROWS_MSG(xg::sigmoid(i), xg::DTypeError, "sigmoid", "int64");
    XGT_CHECK_THROWS_MSG(xg::tanh(i), xg::DTypeError, "tanh", "int64");
    XGT_CHECK_THROWS_MSG(xg::logsumexp(i, {0}), xg::DTypeError, "logsumexp", "int64");
    XGT_CHECK_THROWS_MSG(xg::matmul(xg::ones({2, 3}), xg::ones({3, 2}, xg::kInt64)), xg::DTypeError, "matmul",
                         "float32", "int64");
    CHECK(si.unchanged());
  }
  SUBCASE("max / min / mean of an empty tensor") {
    const xg::Tensor e = xg::zeros({0}, xg::kFloat64);
    XGT_CHECK_THROWS_MSG(xg::max(e), xg::ValueError, "max", "[0]");
    XGT_CHECK_THROWS_MSG(xg::min(e), xg::ValueError, "min", "[0]");
    XGT_CHECK_THROWS_MSG(xg::mean(xg::zeros({2, 0}, xg::kFloat64), {1}), xg::ValueError, "mean", "[2, 0]");
  }
  SUBCASE("max along an empty dim") {
    XGT_CHECK_THROWS_MSG(xg::max(xg::zeros({3, 0}), 1), xg::ValueError, "max", "[3, 0]");
  }
  SUBCASE("out-of-range dims in shape ops") {
    const xg::Tensor x = xg::ones({2, 3});
    XGT_CHECK_THROWS_MSG(xg::cat({x, x}, 2), xg::IndexError, "cat", "dim 2");
    XGT_CHECK_THROWS_MSG(xg::stack({x, x}, 4), xg::IndexError, "stack", "dim 4");
    XGT_CHECK_THROWS_MSG(xg::squeeze(x, 3), xg::IndexError, "squeeze", "dim 3");
    XGT_CHECK_THROWS_MSG(xg::max(x, -3), xg::IndexError, "max", "dim -3");
    XGT_CHECK_THROWS_MSG(xg::permute(x, {0, 2}), xg::IndexError, "permute");
  }
  SUBCASE("out-of-range indices in scatter_add / index_add (target unchanged)") {
    const xg::Tensor x = xg::zeros({3, 2});
    const Snapshot sx(x);
    XGT_CHECK_THROWS_MSG(xg::index_add(x, 0, i64({0, 3}), xg::ones({2, 2})), xg::IndexError, "index_add", "index 3",
                         "size 3");
    XGT_CHECK_THROWS_MSG(
        xg::scatter_add(x, 0, xg::from_vector(std::vector<std::int64_t>{0, 7}, {1, 2}), xg::ones({1, 2})),
        xg::IndexError, "scatter_add", "index 7", "size 3");
    CHECK(sx.unchanged());
  }
  SUBCASE("NaN / Inf where the op cannot accept them") {
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    const xg::Tensor p = xg::from_vector(std::vector<double>{0.2, nan}, {2}, true);
    const Snapshot sp(p);
    XGT_CHECK_THROWS_MSG(F::binary_cross_entropy(p, f64({0, 1}, {2}, false)), xg::ValueError, "binary_cross_entropy",
                         "nan");
    CHECK(sp.unchanged());
    XGT_CHECK_THROWS_MSG(xg::arange(0, inf, 1), xg::ValueError, "arange", "inf");
    XGT_CHECK_THROWS_MSG(xg::arange(nan, 5, 1), xg::ValueError, "arange", "nan");
  }
}

// =============================================================================================
// autograd
// =============================================================================================

TEST_CASE("bad input: autograd") {
  SUBCASE("backward on an unreduced loss (reduction none) without a gradient: existing grads unchanged") {
    xg::Tensor w = f64({1, 2}, {2});
    xg::sum(w * 3.0).backward();  // w.grad() = [3, 3]
    const Snapshot sg(w.grad());
    const xg::Tensor per_example = F::mse_loss(w * 2.0, f64({0, 0}, {2}, false), nn::Reduction::None);
    XGT_CHECK_THROWS_MSG(per_example.backward(), xg::AutogradError, "backward", "single-element", "[2]");
    CHECK(sg.unchanged());
  }
  SUBCASE("backward twice through a cross_entropy graph: gradient not accumulated again") {
    xg::Tensor logits = xg::from_vector(std::vector<double>{1, 2, 3, 0, 0, 1}, {2, 3}, true);
    const xg::Tensor loss = F::cross_entropy(logits, i64({2, 0}));
    loss.backward();
    const Snapshot sg(logits.grad());
    XGT_CHECK_THROWS_MSG(loss.backward(), xg::AutogradError, "backward", "second time", "retain_graph");
    CHECK(sg.unchanged());
  }
  SUBCASE("an optimizer step between forward and backward overwrites a saved weight") {
    nn::Linear lin(3, 2);
    optim::SGD opt(lin->parameters(), optim::SGDOptions(0.1));
    const xg::Tensor loss1 = xg::sum(xg::square(lin(xg::ones({4, 3}))));
    // A gradient for the step, from a separate graph.
    xg::sum(lin(xg::ones({1, 3}))).backward();
    opt.step();  // bumps weight's version: loss1's graph saved the old weight
    const Snapshot sw(lin->weight), swg(lin->weight.grad());
    // Linear's weight is at version 1 after its initialization, so the step makes it 2.
    XGT_CHECK_THROWS_MSG(loss1.backward(), xg::AutogradError, "backward", "linear", "[2, 3]", "in-place",
                         "optimizer.step", "version is 2", "expected 1");
    CHECK(sw.unchanged());
    CHECK(swg.unchanged());
  }
  SUBCASE("a sigmoid output changed in place under NoGradGuard") {
    const xg::Tensor x = f64({0, 1}, {2});
    xg::Tensor y = xg::sigmoid(x);
    {
      xg::NoGradGuard ng;
      y.fill_(0.5);
    }
    XGT_CHECK_THROWS_MSG(xg::sum(y).backward(), xg::AutogradError, "sigmoid", "fill_", "version is 1", "expected 0");
    CHECK_FALSE(x.grad().defined());
  }
}
