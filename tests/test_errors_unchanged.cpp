// A failed call leaves its inputs unchanged: values and version counters of the tensor and the
// other operand, tensors that require grad, tensors saved for backward (the graph stays valid),
// and out-of-place ops that record nothing.
#include "check.h"

#include <optional>
#include <vector>

namespace {

using xgt::f64;
using xgt::values;
using xgt::VD;

}  // namespace

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
