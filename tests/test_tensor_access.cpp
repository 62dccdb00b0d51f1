// Element access and conversions: shape/dim/numel/size, item, at, data_ptr, to_vector, clone,
// detach and to(dtype). Every expected value is worked out by hand.
#include "check.h"

#include <cstdint>

namespace {

using xgt::shape_of;
using xgt::values;
using xgt::VD;
using xgt::VF;
using xgt::VI;

}  // namespace

TEST_CASE("shape, dim, numel, dtype, size with negative dims") {
  const xg::Tensor t = xg::zeros({2, 3, 4}, xg::kFloat64);
  CHECK((t.shape() == xg::Shape{2, 3, 4}));
  CHECK(xg::to_string(t.shape()) == "[2, 3, 4]");
  CHECK(t.dim() == 3);
  CHECK(t.numel() == 24);
  CHECK(t.dtype() == xg::kFloat64);
  CHECK(t.is_floating_point());
  CHECK(t.size(0) == 2);
  CHECK(t.size(2) == 4);
  CHECK(t.size(-1) == 4);
  CHECK(t.size(-3) == 2);
  CHECK_THROWS_AS((void)t.size(3), xg::IndexError);
  CHECK_THROWS_AS((void)t.size(-4), xg::IndexError);
  CHECK_FALSE(xg::zeros({2}, xg::kInt64).is_floating_point());
  CHECK_FALSE(xg::Tensor().defined());
  CHECK(t.defined());
}

TEST_CASE("item: the single value, converted; ValueError when numel != 1") {
  CHECK(xg::tensor({3.5}).item<float>() == 3.5f);
  CHECK(xg::tensor({3.5}).item<double>() == 3.5);
  CHECK(xg::tensor({-3.75}).item<std::int64_t>() == -3);  // truncation
  CHECK(xg::scalar_tensor(7, xg::kInt64).item<std::int64_t>() == 7);
  CHECK(xg::ones({1, 1, 1}).item<float>() == 1.f);
  CHECK_THROWS_AS((void)xg::tensor({1, 2}).item<float>(), xg::ValueError);
  CHECK_THROWS_AS((void)xg::zeros({0}).item<float>(), xg::ValueError);
}

TEST_CASE("at: negative indices count from the end; IndexError out of range") {
  const xg::Tensor t = xg::tensor({{1, 2, 3}, {4, 5, 6}}, xg::kFloat64);
  CHECK(t.at<double>({0, 0}) == 1);
  CHECK(t.at<double>({1, 2}) == 6);
  CHECK(t.at<double>({1, -1}) == 6);
  CHECK(t.at<double>({-2, 0}) == 1);
  CHECK(t.at<double>({-1, -3}) == 4);
  CHECK(t.at<std::int64_t>({0, 1}) == 2);
  CHECK_THROWS_AS((void)t.at<double>({2, 0}), xg::IndexError);
  CHECK_THROWS_AS((void)t.at<double>({0, 3}), xg::IndexError);
  CHECK_THROWS_AS((void)t.at<double>({-3, 0}), xg::IndexError);
  CHECK_THROWS_AS((void)t.at<double>({0}), xg::IndexError);  // too few indices
  CHECK_THROWS_AS((void)t.at<double>({0, 0, 0}), xg::IndexError);
}

TEST_CASE("data_ptr: typed access to the storage, DTypeError on the wrong type") {
  xg::Tensor t = xg::tensor({1, 2, 3});
  float* p = t.data_ptr<float>();
  CHECK(p[2] == 3.f);
  p[1] = 20.f;
  CHECK(t.at<float>({1}) == 20.f);
  const xg::Tensor& ct = t;
  CHECK(ct.data_ptr<float>() == p);
  CHECK_THROWS_AS((void)t.data_ptr<double>(), xg::DTypeError);
  CHECK_THROWS_AS((void)t.data_ptr<std::int64_t>(), xg::DTypeError);
  xg::Tensor i = xg::tensor({5}, xg::kInt64);
  CHECK(*i.data_ptr<std::int64_t>() == 5);
  CHECK_THROWS_AS((void)i.data_ptr<float>(), xg::DTypeError);
}

TEST_CASE("to_vector converts element-wise") {
  const xg::Tensor t = xg::tensor({1.5, -2.5, 3.0});
  CHECK(t.to_vector<float>() == VF{1.5f, -2.5f, 3.f});
  CHECK(t.to_vector<double>() == VD{1.5, -2.5, 3.0});
  CHECK(t.to_vector<std::int64_t>() == VI{1, -2, 3});
  CHECK(xg::zeros({0}).to_vector<double>().empty());
}

TEST_CASE("clone is a deep copy") {
  xg::Tensor a = xg::tensor({{1, 2}, {3, 4}});
  xg::Tensor c = a.clone();
  CHECK(xg::equal(a, c));
  CHECK(c.data_ptr<float>() != a.data_ptr<float>());
  c.fill_(9);
  CHECK(values(a) == VD{1, 2, 3, 4});
  CHECK(values(c) == VD{9, 9, 9, 9});
  CHECK(a.version() == 0u);
  a.mul_(2);
  CHECK(values(c) == VD{9, 9, 9, 9});

  // Cloning a tensor that requires grad is recorded (its gradient flows back).
  const xg::Tensor x = xg::tensor({1, 2}, xg::TensorOptions(xg::kFloat64).requires_grad());
  const xg::Tensor y = x.clone();
  CHECK(y.requires_grad());
  CHECK(y.grad_fn_name() == "clone");
}

TEST_CASE("detach shares storage and has no autograd history") {
  const xg::Tensor x = xg::tensor({1, 2, 3}, xg::TensorOptions(xg::kFloat64).requires_grad());
  const xg::Tensor y = x * 2.0;
  REQUIRE(y.grad_fn() != nullptr);
  xg::Tensor d = y.detach();
  CHECK(d.grad_fn() == nullptr);
  CHECK(d.grad_fn_name().empty());
  CHECK_FALSE(d.requires_grad());
  CHECK(d.is_leaf());
  CHECK(d.raw_data() == y.raw_data());
  CHECK(values(d) == VD{2, 4, 6});

  // Writes through the detached handle are visible through the original (same storage, same
  // version counter).
  const auto v0 = y.version();
  d.add_(1.0);
  CHECK(values(y) == VD{3, 5, 7});
  CHECK(y.version() == v0 + 1);

  // y itself keeps its history.
  CHECK(y.grad_fn_name() == "mul");
}

TEST_CASE("to(dtype): conversions between float32, float64 and int64") {
  const xg::Tensor f = xg::tensor({1.5, -2.7, 3.99, 0.1});
  const xg::Tensor d = f.to(xg::kFloat64);
  CHECK(d.dtype() == xg::kFloat64);
  CHECK(values(d) == VD{1.5, static_cast<double>(-2.7f), static_cast<double>(3.99f), static_cast<double>(0.1f)});

  const xg::Tensor i = f.to(xg::kInt64);  // truncation toward zero
  CHECK(i.dtype() == xg::kInt64);
  CHECK(i.to_vector<std::int64_t>() == VI{1, -2, 3, 0});

  const xg::Tensor back = xg::tensor({0.1, 1e-10}, xg::kFloat64).to(xg::kFloat32);
  CHECK(back.dtype() == xg::kFloat32);
  CHECK(back.to_vector<float>() == VF{0.1f, 1e-10f});

  const xg::Tensor fi = xg::tensor({-4, 5}, xg::kInt64).to(xg::kFloat64);
  CHECK(values(fi) == VD{-4, 5});

  CHECK(f.to(xg::kFloat32).dtype() == xg::kFloat32);
  CHECK(shape_of(xg::zeros({2, 3}).to(xg::kInt64)) == VI{2, 3});

  // Between float dtypes the conversion is differentiable; into int64 it is not.
  const xg::Tensor x = xg::tensor({1, 2}, xg::TensorOptions(xg::kFloat32).requires_grad());
  const xg::Tensor x64 = x.to(xg::kFloat64);
  CHECK(x64.requires_grad());
  CHECK(x64.grad_fn_name() == "to");
  CHECK_FALSE(x.to(xg::kInt64).requires_grad());
}
