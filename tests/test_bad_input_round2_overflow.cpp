// Issue #14, classes 2 and 3: no check computes with user numbers in a way that can overflow,
// float-to-int64 conversions of NaN, ±inf or out-of-range values raise ValueError, and a failed
// allocation is an xg::OutOfMemoryError. Each case: the type, the op and the user's value in the
// message, and the inputs unchanged.
#include <cmath>
#include <limits>

#include "check.h"

namespace {

using xgt::Snapshot;
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("round2 overflow: narrow compares without computing start + length") {
  const xg::Tensor x = xgt::seq({2, 3}, 0, 1, 0);
  const Snapshot s(x);
  XGT_CHECK_THROWS_MSG(xg::narrow(x, 1, 1, kMax), xg::IndexError, "narrow", "length 9223372036854775807", "size 3");
  XGT_CHECK_THROWS_MSG(xg::narrow(x, 1, kMax, 1), xg::IndexError, "narrow", "start 9223372036854775807");
  XGT_CHECK_THROWS_MSG(xg::narrow(x, 1, kMin, 1), xg::IndexError, "narrow", "start -9223372036854775808");
  XGT_CHECK_THROWS_MSG(xg::narrow(x, 1, -5, 1), xg::IndexError, "narrow", "start -5", "[-5, -4)");  // not the wrapped -2
  XGT_CHECK_THROWS_MSG(xg::narrow(x, 1, 2, 2), xg::IndexError, "narrow", "[2, 4)", "size 3");
  XGT_CHECK_THROWS_MSG(xg::narrow(x, 0, 0, kMin), xg::IndexError, "narrow", "length -9223372036854775808");
  CHECK(s.unchanged());
  // In range, negative starts still count from the end.
  xgt::check_values(xg::narrow(x, 1, -2, 2), {1, 2, 4, 5});
}

TEST_CASE("round2 overflow: narrow_scatter and slice take any int64 without wrapping") {
  const xg::Tensor src = xgt::f64({1, 2}, {2});
  const Snapshot s(src);
  XGT_CHECK_THROWS_MSG(xg::narrow_scatter({3}, src, 0, kMax), xg::ShapeError, "narrow_scatter", "offset 9223372036854775807");
  XGT_CHECK_THROWS_MSG(xg::narrow_scatter({3}, src, 0, -1), xg::ShapeError, "narrow_scatter", "offset -1");
  CHECK(s.unchanged());
  xgt::check_values(xg::slice(xgt::f64({1, 2, 3}, {3}), 0, kMin, kMax), {1, 2, 3});
}

TEST_CASE("round2 overflow: arange's element count is checked before it becomes an int64") {
  XGT_CHECK_THROWS_MSG(xg::arange(0, 1e19), xg::ValueError, "arange", "end=1e+19", "more than a tensor can hold");
  XGT_CHECK_THROWS_MSG(xg::arange(-1e308, 1e308, 1.0), xg::ValueError, "arange", "inf elements");
  XGT_CHECK_THROWS_MSG(xg::arange(0, 1, 1e-300), xg::ValueError, "arange", "step=1e-300");
  XGT_CHECK_THROWS_MSG(xg::arange(1e19, 1e19 + 4096, 1024, xg::kInt64), xg::ValueError, "arange", "1e+19", "int64");
  XGT_CHECK_THROWS_MSG(xg::arange(0, 4, 1, xg::TensorOptions(xg::kInt64).requires_grad()), xg::DTypeError, "arange", "int64");
  CHECK(xg::arange(0, 4, 1.5).to_vector<double>() == std::vector<double>{0, 1.5, 3});
}

TEST_CASE("round2 overflow: random_split counts are checked before they are summed") {
  const xg::data::TensorDataset ds(xg::zeros({4, 1}), xg::zeros({4}, xg::kInt64));
  xg::Generator g(7);
  const auto state = g.get_state();
  const double two62 = 4611686018427387904.0;  // four of these and a 4 sum to 2^64 + 4, which wraps to 4
  XGT_CHECK_THROWS_MSG(xg::data::random_split(ds, {two62, two62, two62, two62, 4}, g), xg::ValueError, "random_split",
                       "4.611686018427388e+18", "4 examples");
  XGT_CHECK_THROWS_MSG(xg::data::random_split(ds, {1e19, 1}, g), xg::ValueError, "random_split", "1e+19");
  XGT_CHECK_THROWS_MSG(xg::data::random_split(ds, {9.2233720368547758e18, 1}, g), xg::ValueError, "random_split",
                       "9.223372036854776e+18");
  XGT_CHECK_THROWS_MSG(xg::data::split_sizes(4, {5, -1}), xg::ValueError, "random_split", "-1");
  CHECK(g.get_state() == state);  // a refused split draws no random numbers
  CHECK(xg::data::split_sizes(4, {3, 1}) == std::vector<std::int64_t>{3, 1});
}

TEST_CASE("round2 overflow: cat, stack, expand and one_hot check the size of what they would make") {
  // Zero-element tensors can have huge dims: four of [2^62, 0] along dim 0 overflow int64.
  const xg::Tensor z = xg::zeros({std::int64_t{1} << 62, 0});
  const Snapshot s(z);
  XGT_CHECK_THROWS_MSG(xg::cat({z, z, z, z}, 0), xg::ShapeError, "cat", "4 tensors", "more than int64");
  XGT_CHECK_THROWS_MSG(xg::cat({z, z}, -2), xg::ShapeError, "cat", "dim 0");
  CHECK(xg::cat({z, z}, 1).sizes() == std::vector<std::int64_t>{std::int64_t{1} << 62, 0});
  const xg::Tensor one = xgt::f64({1}, {1});
  const Snapshot s1(one);
  XGT_CHECK_THROWS_MSG(xg::expand(one, {std::int64_t{1} << 62, 8}), xg::ValueError, "expand", "[4611686018427387904, 8]");
  XGT_CHECK_THROWS_MSG(xg::broadcast_to(one, {kMax, 2}), xg::ValueError, "broadcast_to", "[9223372036854775807, 2]");
  XGT_CHECK_THROWS_MSG(xg::one_hot(xg::tensor({0, 1}, xg::kInt64), kMax), xg::ValueError, "one_hot", "9223372036854775807");
  const xg::Tensor top = xg::from_vector(std::vector<std::int64_t>{kMax}, {1});
  XGT_CHECK_THROWS_MSG(xg::one_hot(top), xg::IndexError, "one_hot", "9223372036854775807");
  CHECK(s.unchanged());
  CHECK(s1.unchanged());
}

TEST_CASE("round2 casts: NaN, ±inf and out-of-range floats do not become int64 silently") {
  const xg::Tensor x = xgt::f64({1.5, kNaN, 3}, {3}, false);
  const Snapshot s(x);
  XGT_CHECK_THROWS_MSG(x.to(xg::kInt64), xg::ValueError, "to", "nan", "flat index 1");
  XGT_CHECK_THROWS_MSG(xgt::f64({kInf}, {1}, false).to(xg::kInt64), xg::ValueError, "to", "inf");
  XGT_CHECK_THROWS_MSG(xgt::f64({-kInf}, {1}, false).to(xg::kInt64), xg::ValueError, "to", "-inf");
  XGT_CHECK_THROWS_MSG(xgt::f64({0, 1e19}, {2}, false).to(xg::kInt64), xg::ValueError, "to", "1e+19");
  XGT_CHECK_THROWS_MSG(xgt::f64({-1e19}, {1}, false).to(xg::kInt64), xg::ValueError, "to", "-1e+19");
  XGT_CHECK_THROWS_MSG(xg::full({2}, 3e38f, xg::kFloat32).to(xg::kInt64), xg::ValueError, "to", "3e+38");
  XGT_CHECK_THROWS_MSG(x.item<std::int64_t>(), xg::ValueError, "item");
  XGT_CHECK_THROWS_MSG(xg::scalar_tensor(kNaN).item<std::int64_t>(), xg::ValueError, "item", "nan");
  XGT_CHECK_THROWS_MSG(xg::scalar_tensor(1e10).item<int>(), xg::ValueError, "item", "10000000000", "32-bit");
  XGT_CHECK_THROWS_MSG(x.at<std::int64_t>({1}), xg::ValueError, "at", "nan");
  XGT_CHECK_THROWS_MSG(x.to_vector<std::int64_t>(), xg::ValueError, "to_vector", "nan");
  CHECK(s.unchanged());
  // Exactly representable extremes still convert: -2^63 is int64's minimum.
  CHECK(xgt::f64({-9223372036854775808.0, 1.9, -1.9}, {3}, false).to(xg::kInt64).to_vector<std::int64_t>() ==
        std::vector<std::int64_t>{kMin, 1, -1});
  XGT_CHECK_THROWS_MSG(xgt::f64({9223372036854775808.0}, {1}, false).to(xg::kInt64), xg::ValueError, "to",
                       "9.223372036854776e+18");
}

TEST_CASE("round2 casts: int64 tensors refuse values they cannot hold, naming the call") {
  XGT_CHECK_THROWS_MSG(xg::full({2}, kNaN, xg::kInt64), xg::ValueError, "full", "nan");
  XGT_CHECK_THROWS_MSG(xg::scalar_tensor(1e19, xg::kInt64), xg::ValueError, "full", "1e+19");
  XGT_CHECK_THROWS_MSG(xg::tensor({1, 1e19}, xg::kInt64), xg::ValueError, "tensor", "1e+19");
  XGT_CHECK_THROWS_MSG(xg::linspace(0, 1e19, 3, xg::kInt64), xg::ValueError, "linspace", "1e+19");
  xg::Tensor labels = xg::tensor({1, 2, 3}, xg::kInt64);
  const Snapshot s(labels);
  XGT_CHECK_THROWS_MSG(labels.fill_(kInf), xg::ValueError, "fill_", "inf");
  XGT_CHECK_THROWS_MSG(labels.add_(1e19), xg::ValueError, "add_", "1e+19");
  XGT_CHECK_THROWS_MSG(labels.sub_(kNaN), xg::ValueError, "sub_", "nan");
  XGT_CHECK_THROWS_MSG(labels.mul_(-kInf), xg::ValueError, "mul_", "-inf");
  XGT_CHECK_THROWS_MSG(labels.copy_(xgt::f64({1, kNaN, 2}, {3}, false)), xg::ValueError, "copy_", "nan");
  XGT_CHECK_THROWS_MSG(xg::eq(labels, kNaN), xg::ValueError, "eq", "nan");
  XGT_CHECK_THROWS_MSG(xg::lt(labels, 1e300), xg::ValueError, "lt", "1e+300");
  XGT_CHECK_THROWS_MSG(xg::add(labels, 1e19), xg::ValueError, "add", "1e+19");
  CHECK(s.unchanged());
}

TEST_CASE("round2 memory: an allocation the system refuses is an OutOfMemoryError (an xg::Error)") {
  // 2^45 float64 = 256 TiB: more than the 128 TiB a process can address, whatever the overcommit policy.
  const std::int64_t n = std::int64_t{1} << 45;
  XGT_CHECK_THROWS_MSG(xg::zeros({n}, xg::kFloat64), xg::OutOfMemoryError, "zeros", "[35184372088832]",
                       "281474976710656 bytes");
  XGT_CHECK_THROWS_MSG(xg::empty({n, 1}, xg::kFloat64), xg::OutOfMemoryError, "empty", "[35184372088832, 1]", "float64");
  XGT_CHECK_THROWS_MSG(xg::ones({n / 2, 4}), xg::OutOfMemoryError, "ones", "float32");
  XGT_CHECK_THROWS_MSG(xg::full({n}, 1.0, xg::kInt64), xg::OutOfMemoryError, "full", "int64");
  XGT_CHECK_THROWS_MSG(xg::rand({n}, xg::kFloat64), xg::OutOfMemoryError, "rand");
  XGT_CHECK_THROWS_MSG(xg::eye(kMax / 2, 4), xg::ValueError, "eye", "[4611686018427387903, 4]");  // beyond addressing
  XGT_CHECK_THROWS_MSG(xg::eye(n / 4, 4096), xg::OutOfMemoryError, "eye", "[8796093022208, 4096]");
  const xg::Tensor one = xgt::f64({2}, {1});
  const Snapshot s(one);
  XGT_CHECK_THROWS_MSG(xg::expand(one, {n}), xg::OutOfMemoryError, "expand", "[35184372088832]");
  CHECK(s.unchanged());
  // An allocation inside a kernel names the op the user called.
  const std::int64_t m = std::int64_t{1} << 23;
  const xg::Tensor col = xg::zeros({m, 1}), row = xg::zeros({1, m});
  XGT_CHECK_THROWS_MSG(xg::add(col, row), xg::OutOfMemoryError, "add:", "[8388608, 8388608]", "float32");
  XGT_CHECK_THROWS_MSG(col * row, xg::OutOfMemoryError, "mul:", "[8388608, 8388608]");
  XGT_CHECK_THROWS_MSG(xg::matmul(col, row), xg::OutOfMemoryError, "matmul:", "[8388608, 8388608]");
  CHECK_THROWS_AS(xg::zeros({n}, xg::kFloat64), xg::Error);
}

TEST_CASE("round2 errors: Sequential indexing past the end is an IndexError") {
  xg::nn::Sequential net{std::make_shared<xg::nn::LinearImpl>(2, 3), std::make_shared<xg::nn::ReLUImpl>()};
  const xg::StateDict before = xgt::deep_copy(net->state_dict());
  XGT_CHECK_THROWS_MSG(net[2], xg::IndexError, "Sequential", "index 2", "2 layers");
  XGT_CHECK_THROWS_MSG(net[static_cast<std::size_t>(-1)], xg::IndexError, "Sequential", "18446744073709551615");
  CHECK(net[1].type_name() == "ReLU");
  CHECK(xgt::bitwise_equal(net->state_dict(), before));
}
