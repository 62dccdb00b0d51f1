// Every error a user can cause: each xg::Error subtype raised by realistic misuses, with the
// message checked for the op name and the offending shapes, dtypes or values; and failed calls
// leave their inputs (values and version counters) unchanged.
#include <doctest/doctest.h>

#include "check.h"

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "xgrad.h"

namespace {

using xgt::f64;
using xgt::i64;
using xgt::values;
using xgt::VD;

static_assert(std::is_base_of_v<std::runtime_error, xg::Error>);
static_assert(std::is_base_of_v<xg::Error, xg::ShapeError>);
static_assert(std::is_base_of_v<xg::Error, xg::DTypeError>);
static_assert(std::is_base_of_v<xg::Error, xg::ValueError>);
static_assert(std::is_base_of_v<xg::Error, xg::IndexError>);
static_assert(std::is_base_of_v<xg::Error, xg::AutogradError>);

}  // namespace

// ---------------------------------------------------------------------------------------------
// the hierarchy
// ---------------------------------------------------------------------------------------------

TEST_CASE("every error type is caught as xg::Error and as std::runtime_error") {
  const xg::Tensor a = xg::zeros({2, 3});
  CHECK_THROWS_AS((void)xg::add(a, xg::zeros({4})), xg::Error);                       // ShapeError
  CHECK_THROWS_AS((void)xg::add(a, xg::zeros({2, 3}, xg::kFloat64)), xg::Error);      // DTypeError
  CHECK_THROWS_AS((void)a.item<float>(), xg::Error);                                  // ValueError
  CHECK_THROWS_AS((void)xg::sum(a, {2}), xg::Error);                                  // IndexError
  CHECK_THROWS_AS(f64({1, 2, 3}, {3}).backward(), xg::Error);                        // AutogradError
  CHECK_THROWS_AS((void)xg::matmul(a, a), std::runtime_error);
  CHECK_THROWS_AS((void)xg::exp(xg::zeros({1}, xg::kInt64)), std::runtime_error);
  CHECK_THROWS_AS((void)xg::bernoulli({1}, 2.0), std::runtime_error);
  CHECK_THROWS_AS((void)a.at<float>({9, 9}), std::runtime_error);
  CHECK_THROWS_AS(xg::sum(a).backward(), std::runtime_error);
}

// ---------------------------------------------------------------------------------------------
// ShapeError
// ---------------------------------------------------------------------------------------------

TEST_CASE("ShapeError: element-wise ops on shapes that do not broadcast") {
  const xg::Tensor a = xg::zeros({2, 3}), b = xg::zeros({4});
  XGT_CHECK_THROWS_MSG(xg::add(a, b), xg::ShapeError, "add", "[2, 3]", "[4]", "3 vs 4");
  XGT_CHECK_THROWS_MSG((a * b), xg::ShapeError, "mul", "[2, 3]", "[4]");
  XGT_CHECK_THROWS_MSG(xg::sub(xg::zeros({5, 2}), xg::zeros({3, 1})), xg::ShapeError, "sub", "[5, 2]", "[3, 1]",
                       "5 vs 3");
  XGT_CHECK_THROWS_MSG(xg::maximum(xg::zeros({2}), xg::zeros({3})), xg::ShapeError, "maximum", "[2]", "[3]");
}

TEST_CASE("ShapeError: matmul inner-dimension mismatch") {
  XGT_CHECK_THROWS_MSG(xg::matmul(xg::zeros({2, 3}), xg::zeros({4, 5})), xg::ShapeError, "matmul", "[2, 3]", "[4, 5]",
                       "3 vs 4");
  XGT_CHECK_THROWS_MSG(xg::matmul(xg::zeros({3}), xg::zeros({4})), xg::ShapeError, "matmul", "[3]", "[4]");
  XGT_CHECK_THROWS_MSG(xg::zeros({2, 3}).matmul(xg::zeros({2})), xg::ShapeError, "matmul", "[2, 3]", "[2]");
  XGT_CHECK_THROWS_MSG(xg::mm(xg::zeros({3}), xg::zeros({3, 2})), xg::ShapeError, "mm", "[3]", "[3, 2]");
  XGT_CHECK_THROWS_MSG(xg::linear(xg::zeros({4, 5}), xg::zeros({2, 3})), xg::ShapeError, "linear", "[4, 5]", "[2, 3]");
}

TEST_CASE("ShapeError: reshape/view/expand to an incompatible shape") {
  const xg::Tensor x = xg::zeros({2, 3});
  XGT_CHECK_THROWS_MSG(x.reshape({4, 2}), xg::ShapeError, "reshape", "[2, 3]", "6 elements", "[4, 2]", "8 elements");
  XGT_CHECK_THROWS_MSG(x.view({4, -1}), xg::ShapeError, "[2, 3]", "[4, -1]");
  XGT_CHECK_THROWS_MSG(x.reshape({-1, -1}), xg::ShapeError, "reshape", "-1");
  XGT_CHECK_THROWS_MSG(xg::ones({3}).expand({2, 4}), xg::ShapeError, "expand", "[3]", "[2, 4]");
  XGT_CHECK_THROWS_MSG(xg::zeros({1, 1, 1, 1, 1, 1, 1, 1, 1}), xg::ShapeError, "at most 8 dimensions");
  XGT_CHECK_THROWS_MSG(xg::zeros({1, 1, 1, 1, 1, 1, 1, 2}).unsqueeze(0), xg::ShapeError, "at most 8 dimensions");
}

TEST_CASE("ShapeError: creation from data of the wrong size, cat and stack of mismatched shapes") {
  XGT_CHECK_THROWS_MSG(xg::from_vector(std::vector<double>{1, 2, 3, 4, 5}, {2, 3}), xg::ShapeError, "5 values",
                       "[2, 3]", "6 elements");
  XGT_CHECK_THROWS_MSG(xg::tensor({{1, 2}, {3}}), xg::ShapeError, "ragged", "2", "1");
  XGT_CHECK_THROWS_MSG(xg::cat({xg::zeros({2, 3}), xg::zeros({2, 4})}, 0), xg::ShapeError, "cat", "[2, 4]", "[2, 3]");
  XGT_CHECK_THROWS_MSG(xg::stack({xg::zeros({3}), xg::zeros({2})}), xg::ShapeError, "stack", "[3]", "[2]");
}

TEST_CASE("ShapeError: backward with a gradient of the wrong shape") {
  const xg::Tensor x = f64({1, 2, 3}, {3});
  const xg::Tensor y = x * 2.0;
  XGT_CHECK_THROWS_MSG(y.backward(f64({1, 1}, {2}, false)), xg::ShapeError, "backward", "[2]", "[3]");
  CHECK_FALSE(x.grad().defined());
  // The graph is intact after the failed call: a correct backward works.
  y.backward(f64({1, 10, 100}, {3}, false));
  REQUIRE(x.grad().defined());
  CHECK(values(x.grad()) == VD{2, 20, 200});
}

// ---------------------------------------------------------------------------------------------
// DTypeError
// ---------------------------------------------------------------------------------------------

TEST_CASE("DTypeError: mixing float32 and float64") {
  const xg::Tensor a = xg::zeros({2}), b = xg::zeros({2}, xg::kFloat64);
  XGT_CHECK_THROWS_MSG((a + b), xg::DTypeError, "add", "float32", "float64");
  XGT_CHECK_THROWS_MSG(xg::matmul(xg::zeros({2, 2}), xg::zeros({2, 2}, xg::kFloat64)), xg::DTypeError, "matmul",
                       "float32", "float64");
  XGT_CHECK_THROWS_MSG(xg::cat({a, b}), xg::DTypeError, "cat", "float32", "float64");
  XGT_CHECK_THROWS_MSG(xg::div(xg::zeros({2}, xg::kInt64), b), xg::DTypeError, "div", "int64", "float64");
}

TEST_CASE("DTypeError: floating-point ops on int64 tensors") {
  const xg::Tensor i = i64({1, 2, 3});
  XGT_CHECK_THROWS_MSG(xg::exp(i), xg::DTypeError, "exp", "int64", "[3]");
  XGT_CHECK_THROWS_MSG(i.log(), xg::DTypeError, "log", "int64");
  XGT_CHECK_THROWS_MSG(xg::mean(i), xg::DTypeError, "mean", "int64");
  XGT_CHECK_THROWS_MSG(xg::softmax(i, 0), xg::DTypeError, "softmax", "int64");
  XGT_CHECK_THROWS_MSG(xg::rand({3}, xg::kInt64), xg::DTypeError, "rand", "int64");
  XGT_CHECK_THROWS_MSG(xg::randn({3}, xg::kInt64), xg::DTypeError, "randn", "int64");
}

TEST_CASE("DTypeError: requires_grad on an int64 tensor") {
  xg::Tensor i = i64({1, 2});
  XGT_CHECK_THROWS_MSG(i.requires_grad_(), xg::DTypeError, "requires_grad_", "int64", "[2]");
  CHECK_FALSE(i.requires_grad());
  XGT_CHECK_THROWS_MSG(xg::zeros({2, 2}, xg::TensorOptions(xg::kInt64).requires_grad()), xg::DTypeError,
                       "requires_grad_", "int64", "[2, 2]");
  i.requires_grad_(false);  // turning it off is fine
  CHECK_FALSE(i.requires_grad());
}

TEST_CASE("DTypeError: data_ptr of the wrong type, float indices") {
  xg::Tensor f = xg::zeros({2});
  XGT_CHECK_THROWS_MSG(f.data_ptr<double>(), xg::DTypeError, "data_ptr", "float64", "float32");
  XGT_CHECK_THROWS_MSG(i64({1}).data_ptr<float>(), xg::DTypeError, "data_ptr", "float32", "int64");
  const xg::Tensor x = xg::zeros({3, 2});
  XGT_CHECK_THROWS_MSG(xg::index_select(x, 0, xg::tensor({0, 1})), xg::DTypeError, "index_select", "int64", "float32");
  XGT_CHECK_THROWS_MSG(xg::gather(x, 1, xg::zeros({3, 1})), xg::DTypeError, "gather", "int64", "float32");
  XGT_CHECK_THROWS_MSG(xg::one_hot(xg::tensor({0, 1}, xg::kFloat64)), xg::DTypeError, "one_hot", "float64");
}

// ---------------------------------------------------------------------------------------------
// ValueError
// ---------------------------------------------------------------------------------------------

TEST_CASE("ValueError: item() on a tensor without exactly one element") {
  XGT_CHECK_THROWS_MSG(xg::zeros({2, 2}).item<float>(), xg::ValueError, "item", "[2, 2]");
  XGT_CHECK_THROWS_MSG(xg::zeros({0}).item<double>(), xg::ValueError, "item", "[0]");
}

TEST_CASE("ValueError: variance of too few elements") {
  XGT_CHECK_THROWS_MSG(xg::var(f64({3.0}, {1}, false)), xg::ValueError, "var", "2", "got 1", "[1]");
  XGT_CHECK_THROWS_MSG(xg::std(xg::zeros({3, 1}, xg::kFloat64), std::vector<std::int64_t>{1}), xg::ValueError, "var",
                       "got 1", "[3, 1]");
  XGT_CHECK_THROWS_MSG(xg::var(xg::zeros({0}, xg::kFloat64), {}, false), xg::ValueError, "var", "got 0");
  // The biased variance of one element is fine (zero).
  CHECK(xg::var(f64({3.0}, {1}, false), {}, false).item<double>() == 0.0);
}

TEST_CASE("ValueError: clamp with min > max or no bound") {
  const xg::Tensor x = f64({1, 2}, {2}, false);
  XGT_CHECK_THROWS_MSG(xg::clamp(x, 2.0, 1.0), xg::ValueError, "clamp", "min 2", "max 1");
  XGT_CHECK_THROWS_MSG(xg::clamp(x, std::nullopt, std::nullopt), xg::ValueError, "clamp");
}

TEST_CASE("ValueError: random creation with invalid parameters") {
  XGT_CHECK_THROWS_MSG(xg::bernoulli({3}, 1.5), xg::ValueError, "bernoulli", "1.5");
  XGT_CHECK_THROWS_MSG(xg::bernoulli({3}, -0.25), xg::ValueError, "bernoulli", "-0.25");
  XGT_CHECK_THROWS_MSG(xg::bernoulli({3}, std::nan("")), xg::ValueError, "bernoulli", "nan");
  XGT_CHECK_THROWS_MSG(xg::randint(5, 5, {2}), xg::ValueError, "randint", "low=5", "high=5");
  XGT_CHECK_THROWS_MSG(xg::randperm(-1), xg::ValueError, "randperm", "-1");
}

TEST_CASE("ValueError: arange/linspace/eye/zeros with impossible arguments") {
  XGT_CHECK_THROWS_MSG(xg::arange(0, 1, 0), xg::ValueError, "arange", "step=0");
  XGT_CHECK_THROWS_MSG(xg::arange(0, 5, -1), xg::ValueError, "arange", "-1");
  XGT_CHECK_THROWS_MSG(xg::linspace(0, 1, -2), xg::ValueError, "linspace", "-2");
  XGT_CHECK_THROWS_MSG(xg::eye(-1, 2), xg::ValueError, "eye", "-1");
  XGT_CHECK_THROWS_MSG(xg::zeros({-1, 2}), xg::ValueError, "zeros", "negative", "[-1, 2]");
}

TEST_CASE("ValueError: every creation function names itself for a negative or unaddressable shape") {
  const xg::Shape negative{3, -2};
  XGT_CHECK_THROWS_MSG(xg::ones(negative), xg::ValueError, "ones:", "negative", "[3, -2]");
  XGT_CHECK_THROWS_MSG(xg::full(negative, 2.0), xg::ValueError, "full:", "negative", "[3, -2]");
  XGT_CHECK_THROWS_MSG(xg::empty(negative), xg::ValueError, "empty:", "negative", "[3, -2]");
  XGT_CHECK_THROWS_MSG(xg::rand(negative), xg::ValueError, "rand:", "negative", "[3, -2]");
  XGT_CHECK_THROWS_MSG(xg::randn(negative), xg::ValueError, "randn:", "negative", "[3, -2]");
  XGT_CHECK_THROWS_MSG(xg::randint(0, 3, negative), xg::ValueError, "randint:", "negative", "[3, -2]");
  XGT_CHECK_THROWS_MSG(xg::bernoulli(negative, 0.5), xg::ValueError, "bernoulli:", "negative", "[3, -2]");
  XGT_CHECK_THROWS_MSG(xg::from_vector(std::vector<double>{1, 2}, {-1, -2}), xg::ValueError, "tensor:", "negative",
                       "[-1, -2]");
  // Sizes whose product overflows int64, or whose bytes overflow the address space: an error, not
  // a small allocation from a wrapped-around product.
  const std::int64_t big = std::int64_t{1} << 40;
  XGT_CHECK_THROWS_MSG(xg::zeros({big, big}), xg::ValueError, "zeros", "[1099511627776, 1099511627776]", "address");
  XGT_CHECK_THROWS_MSG(xg::empty({big, big, big, big}, xg::kFloat64), xg::ValueError, "empty", "address");
  XGT_CHECK_THROWS_MSG(xg::ones({std::int64_t{1} << 62}, xg::kFloat64), xg::ValueError, "ones", "float64", "address");
  // A zero size anywhere makes an empty tensor, whatever the other sizes.
  CHECK(xg::zeros({0, big, big}).numel() == 0);
  CHECK(xg::Shape{big, big, big}.numel() == INT64_MAX);  // saturates instead of wrapping
  CHECK(xg::Shape{big, big, 0}.numel() == 0);
}

TEST_CASE("ShapeError: reshape to sizes whose product overflows int64") {
  const std::int64_t big = std::int64_t{1} << 40;
  const xg::Tensor x = xg::zeros({2, 3});
  XGT_CHECK_THROWS_MSG(x.reshape({big, big, 6}), xg::ShapeError, "reshape", "[2, 3]");
  XGT_CHECK_THROWS_MSG(x.reshape({big, big, -1}), xg::ShapeError, "reshape", "[2, 3]");
  // An empty tensor may take any shape with a zero in it.
  CHECK(xg::zeros({0}).reshape({big, big, 0}).numel() == 0);
}

TEST_CASE("ValueError: undefined tensors and other bad arguments") {
  const xg::Tensor undefined;
  XGT_CHECK_THROWS_MSG(xg::exp(undefined), xg::ValueError, "exp", "undefined");
  XGT_CHECK_THROWS_MSG(undefined.numel(), xg::ValueError, "numel", "undefined");
  XGT_CHECK_THROWS_MSG(xg::norm(f64({1, 2}, {2}, false), 3), xg::ValueError, "norm", "3");
  XGT_CHECK_THROWS_MSG(xg::mean(xg::zeros({0}, xg::kFloat64)), xg::ValueError, "mean", "[0]");
  XGT_CHECK_THROWS_MSG(xg::sum(xg::zeros({2, 2}), {1, -1}), xg::ValueError, "sum", "more than once");
}

// ---------------------------------------------------------------------------------------------
// IndexError
// ---------------------------------------------------------------------------------------------

TEST_CASE("IndexError: dim out of range in reductions, softmax, transpose") {
  const xg::Tensor x = xg::zeros({2, 3});
  XGT_CHECK_THROWS_MSG(xg::sum(x, {2}), xg::IndexError, "sum", "dim 2", "2 dimension(s)", "-2 to 1");
  XGT_CHECK_THROWS_MSG(x.mean({-3}), xg::IndexError, "mean", "dim -3");
  XGT_CHECK_THROWS_MSG(xg::softmax(x, 2), xg::IndexError, "softmax", "dim 2");
  XGT_CHECK_THROWS_MSG(x.log_softmax(-3), xg::IndexError, "log_softmax", "dim -3");
  XGT_CHECK_THROWS_MSG(x.transpose(0, 5), xg::IndexError, "transpose", "dim 5");
  XGT_CHECK_THROWS_MSG(x.argmax(2), xg::IndexError, "dim 2");
  XGT_CHECK_THROWS_MSG(x.unsqueeze(4), xg::IndexError, "unsqueeze", "dim 4");
  XGT_CHECK_THROWS_MSG(x.size(2), xg::IndexError, "size", "dim 2");
}

TEST_CASE("IndexError: index_select, gather, one_hot with out-of-range indices") {
  const xg::Tensor x = xg::zeros({3, 2});
  XGT_CHECK_THROWS_MSG(xg::index_select(x, 0, i64({0, 5})), xg::IndexError, "index_select", "index 5", "dim 0",
                       "size 3");
  XGT_CHECK_THROWS_MSG(xg::index_select(x, 1, i64({-3})), xg::IndexError, "index_select", "index -3", "size 2");
  const xg::Tensor y = xg::zeros({2, 3});
  XGT_CHECK_THROWS_MSG(xg::gather(y, 1, xg::from_vector(std::vector<std::int64_t>{0, 3}, {1, 2})), xg::IndexError,
                       "gather", "index 3", "dim 1", "size 3");
  XGT_CHECK_THROWS_MSG(xg::one_hot(i64({0, 3}), 3), xg::IndexError, "one_hot", "3", "num_classes");
  XGT_CHECK_THROWS_MSG(xg::one_hot(i64({1, -1})), xg::IndexError, "one_hot", "-1", "negative");
  XGT_CHECK_THROWS_MSG(xg::narrow(y, 1, 2, 2), xg::IndexError, "narrow", "[2, 4)", "size 3");
}

TEST_CASE("IndexError: at() out of range or with the wrong number of indices") {
  const xg::Tensor x = xg::zeros({2, 3});
  XGT_CHECK_THROWS_MSG(x.at<float>({2, 0}), xg::IndexError, "at", "index 2", "dim 0", "size 2", "[2, 3]");
  XGT_CHECK_THROWS_MSG(x.at<float>({0, -4}), xg::IndexError, "at", "index -4", "dim 1", "size 3");
  XGT_CHECK_THROWS_MSG(x.at<float>({1}), xg::IndexError, "at", "1 indices", "[2, 3]");
}

// ---------------------------------------------------------------------------------------------
// AutogradError
// ---------------------------------------------------------------------------------------------

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

TEST_CASE("AutogradError: in-place op on a tensor that requires grad in grad mode") {
  xg::Tensor x = f64({1, 2, 3}, {3});
  XGT_CHECK_THROWS_MSG(x.add_(1.0), xg::AutogradError, "add_", "requires grad", "[3]", "leaf", "NoGradGuard");
  XGT_CHECK_THROWS_MSG(x.copy_(f64({0, 0, 0}, {3}, false)), xg::AutogradError, "copy_", "requires grad");
  XGT_CHECK_THROWS_MSG(x.zero_(), xg::AutogradError, "requires grad");
  xg::Tensor y = x * 2.0;
  XGT_CHECK_THROWS_MSG(y.mul_(3.0), xg::AutogradError, "mul_", "requires grad", "mul");
  XGT_CHECK_THROWS_MSG(y.clamp_(0.0, 1.0), xg::AutogradError, "clamp_", "requires grad");
  CHECK(values(x) == VD{1, 2, 3});
  CHECK(values(y) == VD{2, 4, 6});
  CHECK(x.version() == 0u);
  CHECK(y.version() == 0u);
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

// ---------------------------------------------------------------------------------------------
// a failed op leaves its inputs unchanged
// ---------------------------------------------------------------------------------------------

TEST_CASE("a failed in-place op leaves the tensor's values and version unchanged") {
  xg::Tensor a = xg::tensor({{1, 2, 3}, {4, 5, 6}});
  a.add_(0.0);  // version 1, so "unchanged" is not just "still zero"
  REQUIRE(a.version() == 1u);
  const VD before = values(a);
  auto unchanged = [&] {
    CHECK(values(a) == before);
    CHECK(a.version() == 1u);
  };

  XGT_CHECK_THROWS_MSG(a.add_(xg::tensor({1, 2, 3, 4})), xg::ShapeError, "add_", "[2, 3]", "[4]");
  unchanged();
  XGT_CHECK_THROWS_MSG(a.add_(xg::tensor({1, 2, 3, 4}), 2.0), xg::ShapeError, "add_", "[4]");
  unchanged();
  XGT_CHECK_THROWS_MSG(a.div_(xg::ones({2, 2, 3})), xg::ShapeError, "div_", "[2, 2, 3]", "[2, 3]");
  unchanged();
  XGT_CHECK_THROWS_MSG(a.mul_(xg::from_vector(std::vector<float>{1, 2, 3}, {3, 1})), xg::ShapeError, "mul_", "[3, 1]");
  unchanged();
  XGT_CHECK_THROWS_MSG(a.copy_(xg::tensor({1, 2, 3, 4})), xg::ShapeError, "copy_", "[4]", "[2, 3]");
  unchanged();
  XGT_CHECK_THROWS_MSG(a.copy_(xg::zeros({3, 2, 3})), xg::ShapeError, "copy_", "[3, 2, 3]", "[2, 3]");
  unchanged();
  XGT_CHECK_THROWS_MSG(a.sub_(xg::ones({2, 3}, xg::kFloat64)), xg::DTypeError, "float32", "float64");
  unchanged();
  XGT_CHECK_THROWS_MSG(a.add_(xg::ones({3}, xg::kInt64), 0.5), xg::DTypeError, "add_", "int64");
  unchanged();
  XGT_CHECK_THROWS_MSG(a.clamp_(2.0, 1.0), xg::ValueError, "clamp", "min 2", "max 1");
  unchanged();
  XGT_CHECK_THROWS_MSG(a.clamp_(std::nullopt, std::nullopt), xg::ValueError, "clamp");
  unchanged();
  XGT_CHECK_THROWS_MSG(a.mul_(xg::Tensor()), xg::ValueError, "mul_", "undefined");
  unchanged();
  XGT_CHECK_THROWS_MSG(a.copy_(xg::Tensor()), xg::ValueError, "copy_", "undefined");
  unchanged();
}

TEST_CASE("a failed in-place op leaves the other operand unchanged too") {
  xg::Tensor a = xg::zeros({3});
  const xg::Tensor b = xg::tensor({{1, 2, 3}, {4, 5, 6}});
  XGT_CHECK_THROWS_MSG(a.add_(b), xg::ShapeError, "add_", "[2, 3]", "[3]");
  CHECK(values(b) == VD{1, 2, 3, 4, 5, 6});
  CHECK(b.version() == 0u);
  CHECK(values(a) == VD{0, 0, 0});
  CHECK(a.version() == 0u);
}

TEST_CASE("a failed in-place op on a tensor that requires grad changes nothing") {
  xg::Tensor w = f64({1, 2}, {2});
  CHECK_THROWS_AS(w.sub_(f64({1, 1}, {2}, false)), xg::AutogradError);
  CHECK_THROWS_AS(w.fill_(0), xg::AutogradError);
  CHECK(values(w) == VD{1, 2});
  CHECK(w.version() == 0u);
  // And under NoGradGuard a shape error still leaves it alone.
  {
    xg::NoGradGuard ng;
    CHECK_THROWS_AS(w.sub_(f64({1, 1, 1}, {3}, false)), xg::ShapeError);
  }
  CHECK(values(w) == VD{1, 2});
  CHECK(w.version() == 0u);
}

TEST_CASE("a failed in-place op on a tensor saved for backward does not invalidate the graph") {
  const xg::Tensor x = f64({1, 2, 3}, {3});
  xg::Tensor w = f64({4, 5, 6}, {3}, false);
  const xg::Tensor y = x * w;
  CHECK_THROWS_AS(w.add_(f64({1, 2}, {2}, false)), xg::ShapeError);
  CHECK_THROWS_AS(w.clamp_(1.0, 0.0), xg::ValueError);
  CHECK_THROWS_AS(w.copy_(xg::zeros({2})), xg::ShapeError);
  xg::sum(y).backward();  // w's version is still the one mul saved
  CHECK(values(x.grad()) == VD{4, 5, 6});
}

TEST_CASE("a failed out-of-place op records nothing and changes nothing") {
  const xg::Tensor x = f64({1, 2, 3}, {3});
  CHECK_THROWS_AS((void)xg::add(x, f64({1, 2}, {2}, false)), xg::ShapeError);
  CHECK_THROWS_AS((void)x.reshape({2, 2}), xg::ShapeError);
  CHECK_THROWS_AS((void)xg::softmax(x, 1), xg::IndexError);
  CHECK(values(x) == VD{1, 2, 3});
  CHECK(x.version() == 0u);
  CHECK(x.is_leaf());
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("errors found by the bad-input matrix name the op the user called") {
  XGT_CHECK_THROWS_MSG(xg::linspace(0, NAN, 3), xg::ValueError, "linspace");
  XGT_CHECK_THROWS_MSG(xg::linspace(0, INFINITY, 3), xg::ValueError, "must be finite");
  XGT_CHECK_THROWS_MSG(xg::clamp(xg::tensor({-1.0, 2.0}), NAN, 1.0), xg::ValueError, "clamp: bounds must not be NaN");
  XGT_CHECK_THROWS_MSG(xg::argmax(xg::zeros({0}, xg::kFloat64), 0), xg::ValueError, "argmax");
  xg::nn::Linear lin(3, 2);
  XGT_CHECK_THROWS_MSG(lin(xg::ones({4, 3}, xg::kInt64)), xg::DTypeError, "linear");
  xg::nn::functional::CrossEntropyOptions o;
  o.weight = xg::ones({2}, xg::kFloat64);
  XGT_CHECK_THROWS_MSG(xg::nn::functional::cross_entropy(xg::zeros({2, 3}, xg::kFloat64),
                                                         xg::from_vector(std::vector<std::int64_t>{0, 1}, {2}), o),
                       xg::ShapeError, "cross_entropy: weight must have shape [3]");
}
