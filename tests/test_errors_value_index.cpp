// Every error a user can cause, part 2: ValueError and IndexError raised by realistic misuses,
// each message checked for the op name and the offending values, indices or dims.
#include "check.h"

#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

namespace {

using xgt::f64;
using xgt::i64;

}  // namespace

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

TEST_CASE("errors found by the bad-input matrix name the op the user called") {
  XGT_CHECK_THROWS_MSG(xg::linspace(0, NAN, 3), xg::ValueError, "linspace");
  XGT_CHECK_THROWS_MSG(xg::linspace(0, INFINITY, 3), xg::ValueError, "must be finite");
  XGT_CHECK_THROWS_MSG(xg::clamp(xg::tensor({-1.0, 2.0}), NAN, 1.0), xg::ValueError, "clamp: bounds must not be NaN");
  XGT_CHECK_THROWS_MSG(xg::argmax(xg::zeros({0}, xg::kFloat64), 0), xg::ValueError, "argmax");
  xg::nn::Linear lin(3, 2);
  XGT_CHECK_THROWS_MSG(lin(xg::ones({4, 3}, xg::kInt64)), xg::DTypeError, "Linear", "int64");
  const auto o = xg::nn::functional::CrossEntropyFuncOptions().weight(xg::ones({2}, xg::kFloat64));
  XGT_CHECK_THROWS_MSG(xg::nn::functional::cross_entropy(xg::zeros({2, 3}, xg::kFloat64),
                                                         xg::from_vector(std::vector<std::int64_t>{0, 1}, {2}), o),
                       xg::ShapeError, "cross_entropy: weight must have shape [3]");
}
