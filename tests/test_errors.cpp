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

using VD = std::vector<double>;

static_assert(std::is_base_of_v<std::runtime_error, xg::Error>);
static_assert(std::is_base_of_v<xg::Error, xg::ShapeError>);
static_assert(std::is_base_of_v<xg::Error, xg::DTypeError>);
static_assert(std::is_base_of_v<xg::Error, xg::ValueError>);
static_assert(std::is_base_of_v<xg::Error, xg::IndexError>);
static_assert(std::is_base_of_v<xg::Error, xg::AutogradError>);

std::vector<double> values(const xg::Tensor& t) { return t.to_vector<double>(); }

xg::Tensor f64(std::initializer_list<double> v, bool requires_grad = false) {
  return xg::tensor(v, xg::TensorOptions(xg::kFloat64).requires_grad(requires_grad));
}

xg::Tensor i64(std::initializer_list<double> v) { return xg::tensor(v, xg::kInt64); }

}  // namespace

// CHECK_ERROR(Type, callable, "part", ...): calling it throws exactly Type (an xg::Error) and the
// message contains every part.
#define CHECK_ERROR(Type, fn, ...)                                                                   \
  do {                                                                                               \
    const std::string msg_ = xgt::thrown_message<Type>(fn);                                                \
    INFO(#Type " message: ", msg_);                                                                  \
    CHECK_MESSAGE(msg_.rfind('<', 0) != 0, "expected " #Type);                                       \
    for (std::string_view part_ : std::initializer_list<std::string_view>{__VA_ARGS__})              \
      CHECK_MESSAGE(msg_.find(part_) != std::string::npos, "message lacks \"", std::string(part_), "\""); \
  } while (false)

// ---------------------------------------------------------------------------------------------
// the hierarchy
// ---------------------------------------------------------------------------------------------

TEST_CASE("every error type is caught as xg::Error and as std::runtime_error") {
  const xg::Tensor a = xg::zeros({2, 3});
  CHECK_THROWS_AS((void)xg::add(a, xg::zeros({4})), xg::Error);                       // ShapeError
  CHECK_THROWS_AS((void)xg::add(a, xg::zeros({2, 3}, xg::kFloat64)), xg::Error);      // DTypeError
  CHECK_THROWS_AS((void)a.item<float>(), xg::Error);                                  // ValueError
  CHECK_THROWS_AS((void)xg::sum(a, {2}), xg::Error);                                  // IndexError
  CHECK_THROWS_AS(f64({1, 2, 3}, true).backward(), xg::Error);                        // AutogradError
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
  CHECK_ERROR(xg::ShapeError, [&] { (void)xg::add(a, b); }, "add", "[2, 3]", "[4]", "3 vs 4");
  CHECK_ERROR(xg::ShapeError, [&] { (void)(a * b); }, "mul", "[2, 3]", "[4]");
  CHECK_ERROR(xg::ShapeError, [&] { (void)xg::sub(xg::zeros({5, 2}), xg::zeros({3, 1})); }, "sub", "[5, 2]", "[3, 1]",
              "5 vs 3");
  CHECK_ERROR(xg::ShapeError, [&] { (void)xg::maximum(xg::zeros({2}), xg::zeros({3})); }, "maximum", "[2]", "[3]");
}

TEST_CASE("ShapeError: matmul inner-dimension mismatch") {
  CHECK_ERROR(xg::ShapeError, [] { (void)xg::matmul(xg::zeros({2, 3}), xg::zeros({4, 5})); }, "matmul", "[2, 3]",
              "[4, 5]", "3 vs 4");
  CHECK_ERROR(xg::ShapeError, [] { (void)xg::matmul(xg::zeros({3}), xg::zeros({4})); }, "matmul", "[3]", "[4]");
  CHECK_ERROR(xg::ShapeError, [] { (void)xg::zeros({2, 3}).matmul(xg::zeros({2})); }, "matmul", "[2, 3]", "[2]");
  CHECK_ERROR(xg::ShapeError, [] { (void)xg::mm(xg::zeros({3}), xg::zeros({3, 2})); }, "mm", "[3]", "[3, 2]");
  CHECK_ERROR(xg::ShapeError, [] { (void)xg::linear(xg::zeros({4, 5}), xg::zeros({2, 3})); }, "linear", "[4, 5]",
              "[2, 3]");
}

TEST_CASE("ShapeError: reshape/view/expand to an incompatible shape") {
  const xg::Tensor x = xg::zeros({2, 3});
  CHECK_ERROR(xg::ShapeError, [&] { (void)x.reshape({4, 2}); }, "reshape", "[2, 3]", "6 elements", "[4, 2]",
              "8 elements");
  CHECK_ERROR(xg::ShapeError, [&] { (void)x.view({4, -1}); }, "[2, 3]", "[4, -1]");
  CHECK_ERROR(xg::ShapeError, [&] { (void)x.reshape({-1, -1}); }, "reshape", "-1");
  CHECK_ERROR(xg::ShapeError, [] { (void)xg::ones({3}).expand({2, 4}); }, "expand", "[3]", "[2, 4]");
  CHECK_ERROR(xg::ShapeError, [] { (void)xg::zeros({1, 1, 1, 1, 1, 1, 1, 1, 1}); }, "at most 8 dimensions");
  CHECK_ERROR(xg::ShapeError, [] { (void)xg::zeros({1, 1, 1, 1, 1, 1, 1, 2}).unsqueeze(0); }, "at most 8 dimensions");
}

TEST_CASE("ShapeError: creation from data of the wrong size, cat and stack of mismatched shapes") {
  CHECK_ERROR(xg::ShapeError, [] { (void)xg::from_vector(std::vector<double>{1, 2, 3, 4, 5}, {2, 3}); }, "5 values",
              "[2, 3]", "6 elements");
  CHECK_ERROR(xg::ShapeError, [] { (void)xg::tensor({{1, 2}, {3}}); }, "ragged", "2", "1");
  CHECK_ERROR(xg::ShapeError, [] { (void)xg::cat({xg::zeros({2, 3}), xg::zeros({2, 4})}, 0); }, "cat", "[2, 4]",
              "[2, 3]");
  CHECK_ERROR(xg::ShapeError, [] { (void)xg::stack({xg::zeros({3}), xg::zeros({2})}); }, "stack", "[3]", "[2]");
}

TEST_CASE("ShapeError: backward with a gradient of the wrong shape") {
  const xg::Tensor x = f64({1, 2, 3}, true);
  const xg::Tensor y = x * 2.0;
  CHECK_ERROR(xg::ShapeError, [&] { y.backward(f64({1, 1})); }, "backward", "[2]", "[3]");
  CHECK_FALSE(x.grad().defined());
  // The graph is intact after the failed call: a correct backward works.
  y.backward(f64({1, 10, 100}));
  REQUIRE(x.grad().defined());
  CHECK(values(x.grad()) == VD{2, 20, 200});
}

// ---------------------------------------------------------------------------------------------
// DTypeError
// ---------------------------------------------------------------------------------------------

TEST_CASE("DTypeError: mixing float32 and float64") {
  const xg::Tensor a = xg::zeros({2}), b = xg::zeros({2}, xg::kFloat64);
  CHECK_ERROR(xg::DTypeError, [&] { (void)(a + b); }, "add", "float32", "float64");
  CHECK_ERROR(xg::DTypeError, [&] { (void)xg::matmul(xg::zeros({2, 2}), xg::zeros({2, 2}, xg::kFloat64)); }, "matmul",
              "float32", "float64");
  CHECK_ERROR(xg::DTypeError, [&] { (void)xg::cat({a, b}); }, "cat", "float32", "float64");
  CHECK_ERROR(xg::DTypeError, [&] { (void)xg::div(xg::zeros({2}, xg::kInt64), b); }, "div", "int64", "float64");
}

TEST_CASE("DTypeError: floating-point ops on int64 tensors") {
  const xg::Tensor i = i64({1, 2, 3});
  CHECK_ERROR(xg::DTypeError, [&] { (void)xg::exp(i); }, "exp", "int64", "[3]");
  CHECK_ERROR(xg::DTypeError, [&] { (void)i.log(); }, "log", "int64");
  CHECK_ERROR(xg::DTypeError, [&] { (void)xg::mean(i); }, "mean", "int64");
  CHECK_ERROR(xg::DTypeError, [&] { (void)xg::softmax(i, 0); }, "softmax", "int64");
  CHECK_ERROR(xg::DTypeError, [] { (void)xg::rand({3}, xg::kInt64); }, "rand", "int64");
  CHECK_ERROR(xg::DTypeError, [] { (void)xg::randn({3}, xg::kInt64); }, "randn", "int64");
}

TEST_CASE("DTypeError: requires_grad on an int64 tensor") {
  xg::Tensor i = i64({1, 2});
  CHECK_ERROR(xg::DTypeError, [&] { i.requires_grad_(); }, "requires_grad_", "int64", "[2]");
  CHECK_FALSE(i.requires_grad());
  CHECK_ERROR(xg::DTypeError, [] { (void)xg::zeros({2, 2}, xg::TensorOptions(xg::kInt64).requires_grad()); },
              "requires_grad_", "int64", "[2, 2]");
  i.requires_grad_(false);  // turning it off is fine
  CHECK_FALSE(i.requires_grad());
}

TEST_CASE("DTypeError: data_ptr of the wrong type, float indices") {
  xg::Tensor f = xg::zeros({2});
  CHECK_ERROR(xg::DTypeError, [&] { (void)f.data_ptr<double>(); }, "data_ptr", "float64", "float32");
  CHECK_ERROR(xg::DTypeError, [&] { (void)i64({1}).data_ptr<float>(); }, "data_ptr", "float32", "int64");
  const xg::Tensor x = xg::zeros({3, 2});
  CHECK_ERROR(xg::DTypeError, [&] { (void)xg::index_select(x, 0, xg::tensor({0, 1})); }, "index_select", "int64",
              "float32");
  CHECK_ERROR(xg::DTypeError, [&] { (void)xg::gather(x, 1, xg::zeros({3, 1})); }, "gather", "int64", "float32");
  CHECK_ERROR(xg::DTypeError, [&] { (void)xg::one_hot(xg::tensor({0, 1}, xg::kFloat64)); }, "one_hot", "float64");
}

// ---------------------------------------------------------------------------------------------
// ValueError
// ---------------------------------------------------------------------------------------------

TEST_CASE("ValueError: item() on a tensor without exactly one element") {
  CHECK_ERROR(xg::ValueError, [] { (void)xg::zeros({2, 2}).item<float>(); }, "item", "[2, 2]");
  CHECK_ERROR(xg::ValueError, [] { (void)xg::zeros({0}).item<double>(); }, "item", "[0]");
}

TEST_CASE("ValueError: variance of too few elements") {
  CHECK_ERROR(xg::ValueError, [] { (void)xg::var(f64({3.0})); }, "var", "2", "got 1", "[1]");
  CHECK_ERROR(xg::ValueError, [] { (void)xg::std(xg::zeros({3, 1}, xg::kFloat64), std::vector<std::int64_t>{1}); }, "var", "got 1", "[3, 1]");
  CHECK_ERROR(xg::ValueError, [] { (void)xg::var(xg::zeros({0}, xg::kFloat64), {}, false); }, "var", "got 0");
  // The biased variance of one element is fine (zero).
  CHECK(xg::var(f64({3.0}), {}, false).item<double>() == 0.0);
}

TEST_CASE("ValueError: clamp with min > max or no bound") {
  const xg::Tensor x = f64({1, 2});
  CHECK_ERROR(xg::ValueError, [&] { (void)xg::clamp(x, 2.0, 1.0); }, "clamp", "min 2", "max 1");
  CHECK_ERROR(xg::ValueError, [&] { (void)xg::clamp(x, std::nullopt, std::nullopt); }, "clamp");
}

TEST_CASE("ValueError: random creation with invalid parameters") {
  CHECK_ERROR(xg::ValueError, [] { (void)xg::bernoulli({3}, 1.5); }, "bernoulli", "1.5");
  CHECK_ERROR(xg::ValueError, [] { (void)xg::bernoulli({3}, -0.25); }, "bernoulli", "-0.25");
  CHECK_ERROR(xg::ValueError, [] { (void)xg::bernoulli({3}, std::nan("")); }, "bernoulli", "nan");
  CHECK_ERROR(xg::ValueError, [] { (void)xg::randint(5, 5, {2}); }, "randint", "low=5", "high=5");
  CHECK_ERROR(xg::ValueError, [] { (void)xg::randperm(-1); }, "randperm", "-1");
}

TEST_CASE("ValueError: arange/linspace/eye/zeros with impossible arguments") {
  CHECK_ERROR(xg::ValueError, [] { (void)xg::arange(0, 1, 0); }, "arange", "step=0");
  CHECK_ERROR(xg::ValueError, [] { (void)xg::arange(0, 5, -1); }, "arange", "-1");
  CHECK_ERROR(xg::ValueError, [] { (void)xg::linspace(0, 1, -2); }, "linspace", "-2");
  CHECK_ERROR(xg::ValueError, [] { (void)xg::eye(-1, 2); }, "eye", "-1");
  CHECK_ERROR(xg::ValueError, [] { (void)xg::zeros({-1, 2}); }, "zeros", "negative", "[-1, 2]");
}

TEST_CASE("ValueError: every creation function names itself for a negative or unaddressable shape") {
  const xg::Shape negative{3, -2};
  CHECK_ERROR(xg::ValueError, [&] { (void)xg::ones(negative); }, "ones:", "negative", "[3, -2]");
  CHECK_ERROR(xg::ValueError, [&] { (void)xg::full(negative, 2.0); }, "full:", "negative", "[3, -2]");
  CHECK_ERROR(xg::ValueError, [&] { (void)xg::empty(negative); }, "empty:", "negative", "[3, -2]");
  CHECK_ERROR(xg::ValueError, [&] { (void)xg::rand(negative); }, "rand:", "negative", "[3, -2]");
  CHECK_ERROR(xg::ValueError, [&] { (void)xg::randn(negative); }, "randn:", "negative", "[3, -2]");
  CHECK_ERROR(xg::ValueError, [&] { (void)xg::randint(0, 3, negative); }, "randint:", "negative", "[3, -2]");
  CHECK_ERROR(xg::ValueError, [&] { (void)xg::bernoulli(negative, 0.5); }, "bernoulli:", "negative", "[3, -2]");
  CHECK_ERROR(xg::ValueError, [&] { (void)xg::from_vector(std::vector<double>{1, 2}, {-1, -2}); }, "tensor:", "negative",
              "[-1, -2]");
  // Sizes whose product overflows int64, or whose bytes overflow the address space: an error, not
  // a small allocation from a wrapped-around product.
  const std::int64_t big = std::int64_t{1} << 40;
  CHECK_ERROR(xg::ValueError, [&] { (void)xg::zeros({big, big}); }, "zeros", "[1099511627776, 1099511627776]", "address");
  CHECK_ERROR(xg::ValueError, [&] { (void)xg::empty({big, big, big, big}, xg::kFloat64); }, "empty", "address");
  CHECK_ERROR(xg::ValueError, [&] { (void)xg::ones({std::int64_t{1} << 62}, xg::kFloat64); }, "ones", "float64", "address");
  // A zero size anywhere makes an empty tensor, whatever the other sizes.
  CHECK(xg::zeros({0, big, big}).numel() == 0);
  CHECK(xg::Shape{big, big, big}.numel() == INT64_MAX);  // saturates instead of wrapping
  CHECK(xg::Shape{big, big, 0}.numel() == 0);
}

TEST_CASE("ShapeError: reshape to sizes whose product overflows int64") {
  const std::int64_t big = std::int64_t{1} << 40;
  const xg::Tensor x = xg::zeros({2, 3});
  CHECK_ERROR(xg::ShapeError, [&] { (void)x.reshape({big, big, 6}); }, "reshape", "[2, 3]");
  CHECK_ERROR(xg::ShapeError, [&] { (void)x.reshape({big, big, -1}); }, "reshape", "[2, 3]");
  // An empty tensor may take any shape with a zero in it.
  CHECK(xg::zeros({0}).reshape({big, big, 0}).numel() == 0);
}

TEST_CASE("ValueError: undefined tensors and other bad arguments") {
  const xg::Tensor undefined;
  CHECK_ERROR(xg::ValueError, [&] { (void)xg::exp(undefined); }, "exp", "undefined");
  CHECK_ERROR(xg::ValueError, [&] { (void)undefined.numel(); }, "numel", "undefined");
  CHECK_ERROR(xg::ValueError, [] { (void)xg::norm(f64({1, 2}), 3); }, "norm", "3");
  CHECK_ERROR(xg::ValueError, [] { (void)xg::mean(xg::zeros({0}, xg::kFloat64)); }, "mean", "[0]");
  CHECK_ERROR(xg::ValueError, [] { (void)xg::sum(xg::zeros({2, 2}), {1, -1}); }, "sum", "more than once");
}

// ---------------------------------------------------------------------------------------------
// IndexError
// ---------------------------------------------------------------------------------------------

TEST_CASE("IndexError: dim out of range in reductions, softmax, transpose") {
  const xg::Tensor x = xg::zeros({2, 3});
  CHECK_ERROR(xg::IndexError, [&] { (void)xg::sum(x, {2}); }, "sum", "dim 2", "2 dimension(s)", "-2 to 1");
  CHECK_ERROR(xg::IndexError, [&] { (void)x.mean({-3}); }, "mean", "dim -3");
  CHECK_ERROR(xg::IndexError, [&] { (void)xg::softmax(x, 2); }, "softmax", "dim 2");
  CHECK_ERROR(xg::IndexError, [&] { (void)x.log_softmax(-3); }, "log_softmax", "dim -3");
  CHECK_ERROR(xg::IndexError, [&] { (void)x.transpose(0, 5); }, "transpose", "dim 5");
  CHECK_ERROR(xg::IndexError, [&] { (void)x.argmax(2); }, "dim 2");
  CHECK_ERROR(xg::IndexError, [&] { (void)x.unsqueeze(4); }, "unsqueeze", "dim 4");
  CHECK_ERROR(xg::IndexError, [&] { (void)x.size(2); }, "size", "dim 2");
}

TEST_CASE("IndexError: index_select, gather, one_hot with out-of-range indices") {
  const xg::Tensor x = xg::zeros({3, 2});
  CHECK_ERROR(xg::IndexError, [&] { (void)xg::index_select(x, 0, i64({0, 5})); }, "index_select", "index 5", "dim 0",
              "size 3");
  CHECK_ERROR(xg::IndexError, [&] { (void)xg::index_select(x, 1, i64({-3})); }, "index_select", "index -3", "size 2");
  const xg::Tensor y = xg::zeros({2, 3});
  CHECK_ERROR(xg::IndexError, [&] { (void)xg::gather(y, 1, xg::from_vector(std::vector<std::int64_t>{0, 3}, {1, 2})); },
              "gather", "index 3", "dim 1", "size 3");
  CHECK_ERROR(xg::IndexError, [] { (void)xg::one_hot(i64({0, 3}), 3); }, "one_hot", "3", "num_classes");
  CHECK_ERROR(xg::IndexError, [] { (void)xg::one_hot(i64({1, -1})); }, "one_hot", "-1", "negative");
  CHECK_ERROR(xg::IndexError, [&] { (void)xg::narrow(y, 1, 2, 2); }, "narrow", "[2, 4)", "size 3");
}

TEST_CASE("IndexError: at() out of range or with the wrong number of indices") {
  const xg::Tensor x = xg::zeros({2, 3});
  CHECK_ERROR(xg::IndexError, [&] { (void)x.at<float>({2, 0}); }, "at", "index 2", "dim 0", "size 2", "[2, 3]");
  CHECK_ERROR(xg::IndexError, [&] { (void)x.at<float>({0, -4}); }, "at", "index -4", "dim 1", "size 3");
  CHECK_ERROR(xg::IndexError, [&] { (void)x.at<float>({1}); }, "at", "1 indices", "[2, 3]");
}

// ---------------------------------------------------------------------------------------------
// AutogradError
// ---------------------------------------------------------------------------------------------

TEST_CASE("AutogradError: backward on a non-scalar output without a gradient") {
  const xg::Tensor x = f64({1, 2, 3}, true);
  const xg::Tensor y = x * x;
  CHECK_ERROR(xg::AutogradError, [&] { y.backward(); }, "backward", "single-element", "[3]");
  CHECK_ERROR(xg::AutogradError, [&] { (void)xg::autograd::grad({y}, {x}); }, "single-element", "[3]");
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("AutogradError: backward on a tensor that does not require grad") {
  CHECK_ERROR(xg::AutogradError, [] { xg::sum(f64({1, 2})).backward(); }, "backward", "does not require grad");
  const xg::Tensor x = f64({1, 2}, true);
  xg::Tensor y;
  {
    xg::NoGradGuard ng;
    y = xg::sum(x * x);
  }
  CHECK_ERROR(xg::AutogradError, [&] { y.backward(); }, "backward", "NoGradGuard");
}

TEST_CASE("AutogradError: backward twice without retain_graph") {
  xg::Tensor x = f64({1, 2, 3}, true);
  const xg::Tensor y = xg::sum(x * x);
  y.backward();
  CHECK(values(x.grad()) == VD{2, 4, 6});
  CHECK_ERROR(xg::AutogradError, [&] { y.backward(); }, "backward", "second time", "sum", "retain_graph");
  CHECK(values(x.grad()) == VD{2, 4, 6});  // not accumulated again

  // With retain_graph the second call works and accumulates.
  const xg::Tensor z = xg::sum(x * 3.0);
  x.set_grad({});
  z.backward({}, true);
  z.backward();
  CHECK(values(x.grad()) == VD{6, 6, 6});
  CHECK_ERROR(xg::AutogradError, [&] { z.backward(); }, "second time");

  // The same through autograd::grad.
  const xg::Tensor w = xg::sum(xg::exp(x));
  (void)xg::autograd::grad({w}, {x});
  CHECK_ERROR(xg::AutogradError, [&] { (void)xg::autograd::grad({w}, {x}); }, "second time");
}

TEST_CASE("AutogradError: a tensor saved for backward was modified in place") {
  SUBCASE("a constant operand changed under NoGradGuard") {
    const xg::Tensor x = f64({1, 2, 3}, true);
    xg::Tensor w = f64({4, 5, 6});
    const xg::Tensor y = x * w;  // mul saves w for x's gradient
    {
      xg::NoGradGuard ng;
      w.add_(1.0);
    }
    CHECK_ERROR(xg::AutogradError, [&] { xg::sum(y).backward(); }, "mul", "[3]", "in-place", "add_", "version is 1",
                "expected 0");
    CHECK_FALSE(x.grad().defined());
  }
  SUBCASE("a constant operand changed in grad mode (it does not require grad, so the write is allowed)") {
    const xg::Tensor x = f64({1, 2}, true);
    xg::Tensor w = f64({3, 4});
    const xg::Tensor y = xg::matmul(x, w);
    w.mul_(2.0);
    w.mul_(2.0);
    CHECK_ERROR(xg::AutogradError, [&] { y.backward(); }, "matmul", "mul_", "version is 2", "expected 0");
  }
  SUBCASE("a saved output changed under NoGradGuard") {
    const xg::Tensor x = f64({0, 1}, true);
    xg::Tensor y = xg::exp(x);  // exp saves its output
    {
      xg::NoGradGuard ng;
      y.mul_(2.0);
    }
    CHECK_ERROR(xg::AutogradError, [&] { xg::sum(y).backward(); }, "exp", "[2]", "mul_", "version is 1", "expected 0");
  }
  SUBCASE("no error when the tensor was cloned before the change") {
    const xg::Tensor x = f64({1, 2, 3}, true);
    xg::Tensor w = f64({4, 5, 6});
    const xg::Tensor y = x * w.clone();
    w.add_(1.0);
    xg::sum(y).backward();
    CHECK(values(x.grad()) == VD{4, 5, 6});
  }
}

TEST_CASE("AutogradError: in-place op on a tensor that requires grad in grad mode") {
  xg::Tensor x = f64({1, 2, 3}, true);
  CHECK_ERROR(xg::AutogradError, [&] { x.add_(1.0); }, "add_", "requires grad", "[3]", "leaf", "NoGradGuard");
  CHECK_ERROR(xg::AutogradError, [&] { x.copy_(f64({0, 0, 0})); }, "copy_", "requires grad");
  CHECK_ERROR(xg::AutogradError, [&] { x.zero_(); }, "requires grad");
  xg::Tensor y = x * 2.0;
  CHECK_ERROR(xg::AutogradError, [&] { y.mul_(3.0); }, "mul_", "requires grad", "mul");
  CHECK_ERROR(xg::AutogradError, [&] { y.clamp_(0.0, 1.0); }, "clamp_", "requires grad");
  CHECK(values(x) == VD{1, 2, 3});
  CHECK(values(y) == VD{2, 4, 6});
  CHECK(x.version() == 0u);
  CHECK(y.version() == 0u);
}

TEST_CASE("AutogradError: autograd::grad with an unused input or one that does not require grad") {
  const xg::Tensor x = f64({1, 2}, true), z = f64({5, 6}, true);
  const xg::Tensor y = xg::sum(x * x);
  CHECK_ERROR(xg::AutogradError, [&] { (void)xg::autograd::grad({y}, {x, z}, {}, true); }, "grad", "input 1", "[2]",
              "not used", "allow_unused");
  const auto g = xg::autograd::grad({y}, {x, z}, {}, true, false, true);
  REQUIRE(g.size() == 2u);
  CHECK(values(g[0]) == VD{2, 4});
  CHECK_FALSE(g[1].defined());
  CHECK_ERROR(xg::AutogradError, [&] { (void)xg::autograd::grad({y}, {f64({1, 2})}, {}, true); }, "grad", "input 0",
              "does not require grad");
  CHECK_FALSE(x.grad().defined());  // grad() never touches .grad()
}

TEST_CASE("AutogradError: other misuses of the autograd API") {
  const xg::Tensor x = f64({1, 2, 3}, true);
  xg::Tensor y = x * 2.0;
  CHECK_ERROR(xg::AutogradError, [&] { y.requires_grad_(false); }, "requires_grad_", "non-leaf", "mul", "detach");
  CHECK(y.requires_grad());
  xg::Tensor c = f64({1});
  CHECK_ERROR(xg::AutogradError, [&] { c.retain_grad(); }, "retain_grad", "does not require grad");
  CHECK_ERROR(xg::AutogradError, [&] { (void)c.register_hook([](const xg::Tensor& g) { return g; }); }, "register_hook",
              "does not require grad");

  // A hook that returns a gradient of the wrong shape.
  xg::Tensor leaf = f64({1, 2, 3}, true);
  leaf.register_hook([](const xg::Tensor&) { return f64({1, 1}); });
  CHECK_ERROR(xg::AutogradError, [&] { xg::sum(leaf * 2.0).backward(); }, "hook", "[2]", "[3]");
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

  CHECK_ERROR(xg::ShapeError, [&] { a.add_(xg::tensor({1, 2, 3, 4})); }, "add_", "[2, 3]", "[4]");
  unchanged();
  CHECK_ERROR(xg::ShapeError, [&] { a.add_(xg::tensor({1, 2, 3, 4}), 2.0); }, "add_", "[4]");
  unchanged();
  CHECK_ERROR(xg::ShapeError, [&] { a.div_(xg::ones({2, 2, 3})); }, "div_", "[2, 2, 3]", "[2, 3]");
  unchanged();
  CHECK_ERROR(xg::ShapeError, [&] { a.mul_(xg::from_vector(std::vector<float>{1, 2, 3}, {3, 1})); }, "mul_", "[3, 1]");
  unchanged();
  CHECK_ERROR(xg::ShapeError, [&] { a.copy_(xg::tensor({1, 2, 3, 4})); }, "copy_", "[4]", "[2, 3]");
  unchanged();
  CHECK_ERROR(xg::ShapeError, [&] { a.copy_(xg::zeros({3, 2, 3})); }, "copy_", "[3, 2, 3]", "[2, 3]");
  unchanged();
  CHECK_ERROR(xg::DTypeError, [&] { a.sub_(xg::ones({2, 3}, xg::kFloat64)); }, "float32", "float64");
  unchanged();
  CHECK_ERROR(xg::DTypeError, [&] { a.add_(xg::ones({3}, xg::kInt64), 0.5); }, "add_", "int64");
  unchanged();
  CHECK_ERROR(xg::ValueError, [&] { a.clamp_(2.0, 1.0); }, "clamp", "min 2", "max 1");
  unchanged();
  CHECK_ERROR(xg::ValueError, [&] { a.clamp_(std::nullopt, std::nullopt); }, "clamp");
  unchanged();
  CHECK_ERROR(xg::ValueError, [&] { a.mul_(xg::Tensor()); }, "mul_", "undefined");
  unchanged();
  CHECK_ERROR(xg::ValueError, [&] { a.copy_(xg::Tensor()); }, "copy_", "undefined");
  unchanged();
}

TEST_CASE("a failed in-place op leaves the other operand unchanged too") {
  xg::Tensor a = xg::zeros({3});
  const xg::Tensor b = xg::tensor({{1, 2, 3}, {4, 5, 6}});
  CHECK_ERROR(xg::ShapeError, [&] { a.add_(b); }, "add_", "[2, 3]", "[3]");
  CHECK(values(b) == VD{1, 2, 3, 4, 5, 6});
  CHECK(b.version() == 0u);
  CHECK(values(a) == VD{0, 0, 0});
  CHECK(a.version() == 0u);
}

TEST_CASE("a failed in-place op on a tensor that requires grad changes nothing") {
  xg::Tensor w = f64({1, 2}, true);
  CHECK_THROWS_AS(w.sub_(f64({1, 1})), xg::AutogradError);
  CHECK_THROWS_AS(w.fill_(0), xg::AutogradError);
  CHECK(values(w) == VD{1, 2});
  CHECK(w.version() == 0u);
  // And under NoGradGuard a shape error still leaves it alone.
  {
    xg::NoGradGuard ng;
    CHECK_THROWS_AS(w.sub_(f64({1, 1, 1})), xg::ShapeError);
  }
  CHECK(values(w) == VD{1, 2});
  CHECK(w.version() == 0u);
}

TEST_CASE("a failed in-place op on a tensor saved for backward does not invalidate the graph") {
  const xg::Tensor x = f64({1, 2, 3}, true);
  xg::Tensor w = f64({4, 5, 6});
  const xg::Tensor y = x * w;
  CHECK_THROWS_AS(w.add_(f64({1, 2})), xg::ShapeError);
  CHECK_THROWS_AS(w.clamp_(1.0, 0.0), xg::ValueError);
  CHECK_THROWS_AS(w.copy_(xg::zeros({2})), xg::ShapeError);
  xg::sum(y).backward();  // w's version is still the one mul saved
  CHECK(values(x.grad()) == VD{4, 5, 6});
}

TEST_CASE("a failed out-of-place op records nothing and changes nothing") {
  const xg::Tensor x = f64({1, 2, 3}, true);
  CHECK_THROWS_AS((void)xg::add(x, f64({1, 2})), xg::ShapeError);
  CHECK_THROWS_AS((void)x.reshape({2, 2}), xg::ShapeError);
  CHECK_THROWS_AS((void)xg::softmax(x, 1), xg::IndexError);
  CHECK(values(x) == VD{1, 2, 3});
  CHECK(x.version() == 0u);
  CHECK(x.is_leaf());
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("errors found by the bad-input matrix name the op the user called") {
  CHECK_THROWS_WITH_AS(xg::linspace(0, NAN, 3), doctest::Contains("linspace"), xg::ValueError);
  CHECK_THROWS_WITH_AS(xg::linspace(0, INFINITY, 3), doctest::Contains("must be finite"), xg::ValueError);
  CHECK_THROWS_WITH_AS(xg::clamp(xg::tensor({-1.0, 2.0}), NAN, 1.0), doctest::Contains("clamp: bounds must not be NaN"), xg::ValueError);
  CHECK_THROWS_WITH_AS(xg::argmax(xg::zeros({0}, xg::kFloat64), 0), doctest::Contains("argmax"), xg::ValueError);
  xg::nn::Linear lin(3, 2);
  CHECK_THROWS_WITH_AS(lin(xg::ones({4, 3}, xg::kInt64)), doctest::Contains("linear"), xg::DTypeError);
  xg::nn::functional::CrossEntropyOptions o;
  o.weight = xg::ones({2}, xg::kFloat64);
  CHECK_THROWS_WITH_AS(xg::nn::functional::cross_entropy(xg::zeros({2, 3}, xg::kFloat64), xg::from_vector(std::vector<std::int64_t>{0, 1}, {2}), o),
                       doctest::Contains("cross_entropy: weight must have shape [3]"), xg::ShapeError);
}
