// In-place ops (add_ sub_ mul_ div_ zero_ fill_ clamp_ copy_): values, broadcasting of the other
// operand, version counters, NoGradGuard, and storage shared with reshape.
#include "check.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace {

using xgt::values;
using xgt::VD;
using xgt::VI;

}  // namespace

TEST_CASE("add_, sub_, mul_, div_ with tensors and scalars; each bumps version() once") {
  xg::Tensor a = xg::tensor({1, 2, 3}, xg::kFloat64);
  CHECK(a.version() == 0u);
  a.add_(xg::tensor({10, 20, 30}, xg::kFloat64));
  CHECK(values(a) == VD{11, 22, 33});
  CHECK(a.version() == 1u);
  a.sub_(xg::tensor({1, 2, 3}, xg::kFloat64));
  CHECK(values(a) == VD{10, 20, 30});
  CHECK(a.version() == 2u);
  a.mul_(xg::tensor({2, 0.5, -1}, xg::kFloat64));
  CHECK(values(a) == VD{20, 10, -30});
  CHECK(a.version() == 3u);
  a.div_(xg::tensor({4, 5, 6}, xg::kFloat64));
  CHECK(values(a) == VD{5, 2, -5});
  CHECK(a.version() == 4u);

  a.add_(1.5);
  CHECK(values(a) == VD{6.5, 3.5, -3.5});
  CHECK(a.version() == 5u);
  a.sub_(0.5);
  CHECK(values(a) == VD{6, 3, -4});
  CHECK(a.version() == 6u);
  a.mul_(-2);
  CHECK(values(a) == VD{-12, -6, 8});
  CHECK(a.version() == 7u);
  a.div_(4);
  CHECK(values(a) == VD{-3, -1.5, 2});
  CHECK(a.version() == 8u);

  // alpha scales the other operand: a += alpha * b, a -= alpha * b.
  a.add_(xg::tensor({1, 2, 3}, xg::kFloat64), 2.0);
  CHECK(values(a) == VD{-1, 2.5, 8});
  CHECK(a.version() == 9u);
  a.sub_(xg::tensor({1, 1, 1}, xg::kFloat64), 0.5);
  CHECK(values(a) == VD{-1.5, 2, 7.5});
  CHECK(a.version() == 10u);

  // Returns *this, so calls chain.
  xg::Tensor& r = a.add_(1.0);
  CHECK(&r == &a);
}

TEST_CASE("in-place ops broadcast the other operand to the tensor's shape") {
  xg::Tensor a = xg::tensor({{1, 2, 3}, {4, 5, 6}});
  a.add_(xg::tensor({10, 20, 30}));  // row
  CHECK(values(a) == VD{11, 22, 33, 14, 25, 36});
  a.mul_(xg::from_vector(std::vector<float>{2, -1}, {2, 1}));  // column [2, 1]
  CHECK(values(a) == VD{22, 44, 66, -14, -25, -36});
  a.sub_(xg::scalar_tensor(2));  // 0-d
  CHECK(values(a) == VD{20, 42, 64, -16, -27, -38});
  a.div_(xg::tensor({{2, 2, 2}}));  // [1, 3]
  CHECK(values(a) == VD{10, 21, 32, -8, -13.5, -19});
  CHECK(a.version() == 4u);
}

TEST_CASE("zero_, fill_, clamp_") {
  xg::Tensor a = xg::tensor({-1, 0.5, 3, 7}, xg::kFloat64);
  a.clamp_(0.0, 2.0);
  CHECK(values(a) == VD{0, 0.5, 2, 2});
  CHECK(a.version() == 1u);
  xg::Tensor b = xg::tensor({-1, 0.5, 3}, xg::kFloat64);
  b.clamp_(std::nullopt, 1.0);
  CHECK(values(b) == VD{-1, 0.5, 1});
  b.clamp_(0.0, std::nullopt);
  CHECK(values(b) == VD{0, 0.5, 1});
  CHECK(b.version() == 2u);

  xg::Tensor i = xg::tensor({-5, 3, 9}, xg::kInt64);
  i.clamp_(-2.0, 4.0);
  CHECK(i.to_vector<std::int64_t>() == VI{-2, 3, 4});

  a.fill_(-7.25);
  CHECK(values(a) == VD{-7.25, -7.25, -7.25, -7.25});
  CHECK(a.version() == 2u);
  a.zero_();
  CHECK(values(a) == VD{0, 0, 0, 0});
  CHECK(a.version() == 3u);
}

TEST_CASE("copy_: same shape, broadcast source, dtype conversion") {
  xg::Tensor a = xg::zeros({2, 3});
  a.copy_(xg::tensor({{1, 2, 3}, {4, 5, 6}}));
  CHECK(values(a) == VD{1, 2, 3, 4, 5, 6});
  CHECK(a.version() == 1u);

  a.copy_(xg::tensor({7, 8, 9}));  // [3] broadcast over rows
  CHECK(values(a) == VD{7, 8, 9, 7, 8, 9});
  CHECK(a.version() == 2u);

  a.copy_(xg::from_vector(std::vector<float>{-1, -2}, {2, 1}));  // [2, 1] broadcast over columns
  CHECK(values(a) == VD{-1, -1, -1, -2, -2, -2});

  a.copy_(xg::scalar_tensor(0.5, xg::kFloat64));  // 0-d float64 into float32
  CHECK(a.dtype() == xg::kFloat32);
  CHECK(values(a) == VD(6, 0.5));

  xg::Tensor i = xg::zeros({3}, xg::kInt64);
  i.copy_(xg::tensor({1.9, -1.9, 2.5}, xg::kFloat64));  // truncation
  CHECK(i.to_vector<std::int64_t>() == VI{1, -1, 2});
  CHECK(i.version() == 1u);

  // The source is not modified.
  const xg::Tensor src = xg::tensor({3, 4, 5});
  a.copy_(src);
  CHECK(values(src) == VD{3, 4, 5});
  CHECK(src.version() == 0u);
}

TEST_CASE("in-place ops on a tensor that requires grad are allowed under NoGradGuard") {
  xg::Tensor w = xg::tensor({1, 2}, xg::TensorOptions(xg::kFloat64).requires_grad());
  {
    xg::NoGradGuard ng;
    w.sub_(xg::tensor({0.5, 0.5}, xg::kFloat64), 2.0);  // an SGD step
  }
  CHECK(values(w) == VD{0, 1});
  CHECK(w.version() == 1u);
  CHECK(w.requires_grad());
  CHECK(w.is_leaf());
  CHECK(xg::GradMode::is_enabled());  // restored by the guard
}

TEST_CASE("reshape shares storage, so in-place writes show through and share the version") {
  xg::Tensor a = xg::arange(0, 6, 1, xg::kFloat64);
  xg::Tensor b = a.reshape({2, 3});
  b.mul_(10);
  CHECK(values(a) == VD{0, 10, 20, 30, 40, 50});
  CHECK(a.version() == 1u);
  CHECK(b.version() == 1u);
}

TEST_CASE("bump_version after a write through data_ptr makes backward refuse the stale saved value") {
  xg::Tensor w = xgt::f64({1, 2}, {2});
  xg::Tensor x = xgt::f64({3, 4}, {2}, false);
  const xg::Tensor y = xg::sum(w * x);  // saves x for w's gradient
  const auto before = x.version();
  x.data_ptr<double>()[0] = 30;
  x.bump_version("my_kernel");
  CHECK(x.version() == before + 1);
  XGT_CHECK_THROWS_MSG(y.backward(), xg::AutogradError, "my_kernel", "modified by an in-place operation");
  CHECK_FALSE(w.grad().defined());
}

TEST_CASE("set_data gives every copy of the handle the new values, shape and dtype, and keeps requires_grad") {
  xg::Tensor p = xg::ones({2, 2}, xg::TensorOptions(xg::kFloat32).requires_grad(true));
  const xg::Tensor alias = p;
  p.set_data(xg::full({3}, 2.5, xg::kFloat64));
  CHECK(alias.dtype() == xg::kFloat64);
  CHECK(alias.shape() == xg::Shape{3});
  xgt::check_values(alias, {2.5, 2.5, 2.5});
  CHECK(alias.requires_grad());
  XGT_CHECK_THROWS_MSG(p.set_data(xg::zeros({2}, xg::kInt64)), xg::DTypeError, "set_data", "int64");
  XGT_CHECK_THROWS_MSG(p.set_data(xg::Tensor{}), xg::ValueError, "set_data", "undefined");
  xgt::check_values(p, {2.5, 2.5, 2.5});
}
