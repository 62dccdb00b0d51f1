// Every error a user can cause, part 1: the xg::Error hierarchy, ShapeError and DTypeError raised
// by realistic misuses, each message checked for the op name and the offending shapes or dtypes.
// (Part 2: test_errors_value_index.cpp; autograd misuses: test_errors_autograd.cpp; failed calls
// change nothing: test_errors_unchanged.cpp; the wider matrix: test_bad_input_*.cpp.)
#include "check.h"

#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <vector>

static_assert(std::is_base_of_v<std::runtime_error, xg::Error>);
static_assert(std::is_base_of_v<xg::Error, xg::ShapeError>);
static_assert(std::is_base_of_v<xg::Error, xg::DTypeError>);
static_assert(std::is_base_of_v<xg::Error, xg::ValueError>);
static_assert(std::is_base_of_v<xg::Error, xg::IndexError>);
static_assert(std::is_base_of_v<xg::Error, xg::AutogradError>);

namespace {

using xgt::f64;
using xgt::i64;
using xgt::values;
using xgt::VD;

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

TEST_CASE("ShapeError: reshape to sizes whose product overflows int64") {
  const std::int64_t big = std::int64_t{1} << 40;
  const xg::Tensor x = xg::zeros({2, 3});
  XGT_CHECK_THROWS_MSG(x.reshape({big, big, 6}), xg::ShapeError, "reshape", "[2, 3]");
  XGT_CHECK_THROWS_MSG(x.reshape({big, big, -1}), xg::ShapeError, "reshape", "[2, 3]");
  // An empty tensor may take any shape with a zero in it.
  CHECK(xg::zeros({0}).reshape({big, big, 0}).numel() == 0);
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
                       "zeros", "requires_grad", "int64");
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
