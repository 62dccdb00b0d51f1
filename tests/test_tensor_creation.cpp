// Tensor creation: initializer lists, from_vector, zeros/ones/full, *_like, arange, linspace, eye.
// Every expected value is worked out by hand.
#include "check.h"

#include <cstdint>
#include <vector>

namespace {

using xgt::shape_of;
using xgt::values;
using xgt::VD;
using xgt::VF;
using xgt::VI;

}  // namespace

TEST_CASE("tensor: 1-D initializer list gives float32 by default, float64 on request") {
  const xg::Tensor a = xg::tensor({1.5, -2, 3});
  CHECK(a.dtype() == xg::kFloat32);
  CHECK(shape_of(a) == VI{3});
  CHECK(a.dim() == 1);
  CHECK(a.numel() == 3);
  CHECK(a.to_vector<float>() == VF{1.5f, -2.f, 3.f});
  CHECK_FALSE(a.requires_grad());

  const xg::Tensor b = xg::tensor({0.1, 0.2}, xg::kFloat64);
  CHECK(b.dtype() == xg::kFloat64);
  CHECK(b.to_vector<double>() == VD{0.1, 0.2});  // exact: no float32 round trip

  const xg::Tensor c = xg::tensor({4, -7}, xg::kInt64);
  CHECK(c.dtype() == xg::kInt64);
  CHECK(c.to_vector<std::int64_t>() == VI{4, -7});

  const xg::Tensor r = xg::tensor({1, 2}, xg::TensorOptions(xg::kFloat64).requires_grad());
  CHECK(r.requires_grad());
  CHECK(r.is_leaf());
}

TEST_CASE("tensor: 2-D initializer list is row-major") {
  const xg::Tensor a = xg::tensor({{1, 2, 3}, {4, 5, 6}});
  CHECK(shape_of(a) == VI{2, 3});
  CHECK(a.dim() == 2);
  CHECK(a.numel() == 6);
  CHECK(values(a) == VD{1, 2, 3, 4, 5, 6});
  CHECK(a.at<float>({0, 2}) == 3.f);
  CHECK(a.at<float>({1, 0}) == 4.f);
}

TEST_CASE("from_vector fills the given shape for each element type") {
  const xg::Tensor f = xg::from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {3, 2});
  CHECK(f.dtype() == xg::kFloat32);
  CHECK(shape_of(f) == VI{3, 2});
  CHECK(f.at<float>({2, 1}) == 6.f);
  CHECK(f.at<float>({1, 0}) == 3.f);

  const xg::Tensor d = xg::from_vector(std::vector<double>{0.5, 0.25}, {2, 1}, true);
  CHECK(d.dtype() == xg::kFloat64);
  CHECK(shape_of(d) == VI{2, 1});
  CHECK(d.requires_grad());
  CHECK(d.at<double>({1, 0}) == 0.25);

  const xg::Tensor i = xg::from_vector(std::vector<std::int64_t>{9, 8, 7, 6}, {2, 2});
  CHECK(i.dtype() == xg::kInt64);
  CHECK(i.at<std::int64_t>({1, 1}) == 6);

  // A 0-d tensor holds exactly one value.
  const xg::Tensor s = xg::from_vector(std::vector<double>{42}, xg::Shape{});
  CHECK(s.dim() == 0);
  CHECK(s.numel() == 1);
  CHECK(s.item<double>() == 42.0);
}

TEST_CASE("zeros, ones, full and scalar_tensor") {
  const xg::Tensor z = xg::zeros({2, 3});
  CHECK(z.dtype() == xg::kFloat32);
  CHECK(shape_of(z) == VI{2, 3});
  CHECK(values(z) == VD(6, 0.0));

  const xg::Tensor o = xg::ones({4}, xg::kInt64);
  CHECK(o.dtype() == xg::kInt64);
  CHECK(o.to_vector<std::int64_t>() == VI{1, 1, 1, 1});

  const xg::Tensor f = xg::full({2, 2}, -3.25, xg::kFloat64);
  CHECK(values(f) == VD{-3.25, -3.25, -3.25, -3.25});

  const xg::Tensor fi = xg::full({3}, 2.9, xg::kInt64);  // truncated like a C++ cast
  CHECK(fi.to_vector<std::int64_t>() == VI{2, 2, 2});

  const xg::Tensor s = xg::scalar_tensor(2.5, xg::kFloat64);
  CHECK(s.dim() == 0);
  CHECK(s.item<double>() == 2.5);

  const xg::Tensor e = xg::zeros({0, 3});
  CHECK(e.numel() == 0);
  CHECK(shape_of(e) == VI{0, 3});

  const xg::Tensor g = xg::ones({2}, xg::TensorOptions(xg::kFloat64).requires_grad());
  CHECK(g.requires_grad());
}

TEST_CASE("zeros_like, ones_like, full_like keep shape and dtype but not values or requires_grad") {
  const xg::Tensor src = xg::tensor({{1, 2}, {3, 4}, {5, 6}}, xg::TensorOptions(xg::kFloat64).requires_grad());
  const xg::Tensor z = xg::zeros_like(src);
  CHECK(z.dtype() == xg::kFloat64);
  CHECK(shape_of(z) == VI{3, 2});
  CHECK(values(z) == VD(6, 0.0));
  CHECK_FALSE(z.requires_grad());

  const xg::Tensor o = xg::ones_like(src);
  CHECK(values(o) == VD(6, 1.0));

  const xg::Tensor f = xg::full_like(xg::tensor({1, 2, 3}, xg::kInt64), 7);
  CHECK(f.dtype() == xg::kInt64);
  CHECK(f.to_vector<std::int64_t>() == VI{7, 7, 7});
  CHECK(values(src) == VD{1, 2, 3, 4, 5, 6});  // the source is untouched
}

TEST_CASE("arange: integer and fractional steps, negative steps, the one-argument form") {
  const xg::Tensor a = xg::arange(5);
  CHECK(a.dtype() == xg::kFloat32);
  CHECK(values(a) == VD{0, 1, 2, 3, 4});

  const xg::Tensor b = xg::arange(2, 11, 3, xg::kInt64);  // 2, 5, 8 (11 is excluded)
  CHECK(b.dtype() == xg::kInt64);
  CHECK(b.to_vector<std::int64_t>() == VI{2, 5, 8});

  const xg::Tensor c = xg::arange(1, 2.5, 0.5, xg::kFloat64);  // end excluded
  CHECK(values(c) == VD{1.0, 1.5, 2.0});

  const xg::Tensor q = xg::arange(0, 1, 0.25, xg::kFloat64);
  CHECK(values(q) == VD{0, 0.25, 0.5, 0.75});

  // ceil((1 - 0) / 0.1) = 10 elements, i * 0.1 each (as torch.arange(0, 1, 0.1)).
  const xg::Tensor d = xg::arange(0, 1, 0.1, xg::kFloat64);
  REQUIRE(d.numel() == 10);
  CHECK(d.at<double>({0}) == 0.0);
  CHECK(d.at<double>({3}) == doctest::Approx(0.3).epsilon(1e-12));
  CHECK(d.at<double>({9}) == doctest::Approx(0.9).epsilon(1e-12));

  const xg::Tensor n = xg::arange(3, 0, -1);
  CHECK(values(n) == VD{3, 2, 1});

  const xg::Tensor e = xg::arange(4, 4);
  CHECK(e.numel() == 0);
}

TEST_CASE("linspace: evenly spaced, endpoints exact") {
  const xg::Tensor a = xg::linspace(0, 1, 5, xg::kFloat64);
  CHECK(values(a) == VD{0, 0.25, 0.5, 0.75, 1});

  const xg::Tensor b = xg::linspace(0.1, 0.7, 7, xg::kFloat64);
  REQUIRE(b.numel() == 7);
  CHECK(b.at<double>({0}) == 0.1);  // exact
  CHECK(b.at<double>({6}) == 0.7);  // exact, not 0.1 + 6 * h
  for (std::int64_t i = 0; i < 7; ++i)
    CHECK(b.at<double>({i}) == doctest::Approx(0.1 + 0.1 * static_cast<double>(i)).epsilon(1e-12));

  const xg::Tensor f = xg::linspace(-1, 0.3, 7);  // float32
  CHECK(f.dtype() == xg::kFloat32);
  CHECK(f.at<float>({0}) == -1.0f);
  CHECK(f.at<float>({6}) == 0.3f);
  CHECK(f.at<float>({3}) == doctest::Approx(-0.35).epsilon(1e-6));

  // One step gives the start, as torch.linspace(2, 9, 1) and numpy.linspace(2, 9, 1) do.
  const xg::Tensor one = xg::linspace(2, 9, 1);
  REQUIRE(one.numel() == 1);
  CHECK(one.at<float>({0}) == 2.f);
  CHECK(xg::linspace(0, 1, 0).numel() == 0);

  const xg::Tensor down = xg::linspace(3, -3, 4, xg::kFloat64);
  CHECK(values(down) == VD{3, 1, -1, -3});
}

TEST_CASE("eye: square and rectangular") {
  const xg::Tensor i3 = xg::eye(3);
  CHECK(shape_of(i3) == VI{3, 3});
  CHECK(values(i3) == VD{1, 0, 0, 0, 1, 0, 0, 0, 1});

  const xg::Tensor w = xg::eye(2, 4, xg::kFloat64);
  CHECK(shape_of(w) == VI{2, 4});
  CHECK(values(w) == VD{1, 0, 0, 0, 0, 1, 0, 0});

  const xg::Tensor t = xg::eye(3, 2, xg::kInt64);
  CHECK(shape_of(t) == VI{3, 2});
  CHECK(t.to_vector<std::int64_t>() == VI{1, 0, 0, 1, 0, 0});
}
