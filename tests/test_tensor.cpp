// The tensor library: creation, random streams, element access, conversions, printing, in-place
// ops and the xtensor escape hatch. Every expected value below is worked out by hand (or, for
// the random streams, by tests/reference/xoshiro_reference.py).
#include "check.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tensor/xtensor_interop.h"
#include "xgrad.h"

namespace {

using xgt::shape_of;
using xgt::values;
using xgt::VD;
using xgt::VF;
using xgt::VI;

double sample_mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double sample_std(const std::vector<double>& v) {
  const double m = sample_mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// creation
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// random
// ---------------------------------------------------------------------------------------------

TEST_CASE("Generator is machine independent: pinned xoshiro256** output") {
  // Values from an independent implementation:
  //   /usr/bin/python3 tests/reference/xoshiro_reference.py 42 6
  // (xoshiro256** whose four state words are successive splitmix64 outputs of the seed).
  xg::Generator g(42);
  CHECK(g.initial_seed() == 42u);
  CHECK(g.next_u64() == 1546998764402558742ULL);
  CHECK(g.next_u64() == 6990951692964543102ULL);
  CHECK(g.next_u64() == 12544586762248559009ULL);
  CHECK(g.next_u64() == 17057574109182124193ULL);

  // uniform() = (next_u64() >> 11) * 2^-53: exact, so rand() in float64 reproduces it bit for bit.
  xg::Generator h(42);
  const xg::Tensor u = xg::rand({4}, xg::kFloat64, &h);
  CHECK(values(u) == VD{0.08386297105988216, 0.3789802506626686, 0.6800434110281394, 0.9246929453253876});

  // Box-Muller (uses libm's log/cos/sin, so compare to 1e-12 rather than bit for bit).
  xg::Generator n(42);
  const xg::Tensor z = xg::randn({4}, xg::kFloat64, &n);
  CHECK(z.at<double>({0}) == doctest::Approx(-1.6132237513849161).epsilon(1e-12));
  CHECK(z.at<double>({1}) == doctest::Approx(1.5344873235334195).epsilon(1e-12));
  CHECK(z.at<double>({2}) == doctest::Approx(0.7816920450573489).epsilon(1e-12));
  CHECK(z.at<double>({3}) == doctest::Approx(-0.40019349432348483).epsilon(1e-12));

  // A default-constructed Generator is seeded with 0x5eed (same script, seed 0x5eed).
  xg::Generator d;
  CHECK(d.initial_seed() == 0x5eedu);
  CHECK(d.next_u64() == 17236385663644093300ULL);
  CHECK(d.next_u64() == 16282079530828760347ULL);

  // Rejection-sampled integers and the Fisher-Yates shuffle, same script.
  xg::Generator ri(42);
  CHECK(xg::randint(-5, 5, {6}, &ri).to_vector<std::int64_t>() == VI{-3, -3, 4, -2, 1, -1});
  xg::Generator rp(42);
  CHECK(xg::randperm(8, &rp).to_vector<std::int64_t>() == VI{7, 2, 4, 0, 3, 5, 1, 6});
}

TEST_CASE("rand: values in [0, 1), both float dtypes") {
  xg::manual_seed(1);
  const xg::Tensor a = xg::rand({1000});
  CHECK(a.dtype() == xg::kFloat32);
  CHECK(shape_of(a) == VI{1000});
  double lo = 1, hi = 0;
  for (double v : values(a)) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  CHECK(lo >= 0.0);
  CHECK(hi < 1.0);
  CHECK(lo < 0.01);  // 1000 uniforms: the smallest is below 0.01 except with probability 0.99^1000
  CHECK(hi > 0.99);

  const xg::Tensor b = xg::rand({3, 4}, xg::kFloat64);
  CHECK(b.dtype() == xg::kFloat64);
  CHECK(shape_of(b) == VI{3, 4});

  const xg::Tensor r = xg::rand({2}, xg::TensorOptions(xg::kFloat64).requires_grad());
  CHECK(r.requires_grad());
  const xg::Tensor like = xg::rand_like(b);
  CHECK(like.dtype() == xg::kFloat64);
  CHECK(shape_of(like) == VI{3, 4});
}

TEST_CASE("manual_seed: same seed gives identical values, different seeds differ") {
  xg::manual_seed(123);
  const xg::Tensor a1 = xg::rand({16});
  const xg::Tensor n1 = xg::randn({7}, xg::kFloat64);
  const xg::Tensor i1 = xg::randint(0, 100, {10});
  const xg::Tensor p1 = xg::randperm(20);
  const xg::Tensor b1 = xg::bernoulli({32}, 0.5);

  xg::manual_seed(123);
  CHECK(xg::equal(xg::rand({16}), a1));
  CHECK(xg::equal(xg::randn({7}, xg::kFloat64), n1));
  CHECK(xg::equal(xg::randint(0, 100, {10}), i1));
  CHECK(xg::equal(xg::randperm(20), p1));
  CHECK(xg::equal(xg::bernoulli({32}, 0.5), b1));

  xg::manual_seed(124);
  CHECK_FALSE(xg::equal(xg::rand({16}), a1));
  CHECK_FALSE(xg::equal(xg::randn({7}, xg::kFloat64), n1));

  // The stream continues: a second draw after the same seed is not a repeat of the first.
  xg::manual_seed(123);
  (void)xg::rand({16});
  CHECK_FALSE(xg::equal(xg::rand({16}), a1));

  CHECK(xg::default_generator().initial_seed() == 123u);
}

TEST_CASE("an explicit Generator has its own stream and does not advance the global one") {
  xg::manual_seed(7);
  const xg::Tensor global_first = xg::rand({5}, xg::kFloat64);
  const xg::Tensor global_second = xg::rand({5}, xg::kFloat64);

  xg::manual_seed(7);
  xg::Generator mine(7);
  const xg::Tensor from_mine = xg::rand({5}, xg::kFloat64, &mine);
  CHECK(xg::equal(from_mine, global_first));  // same seed, same stream
  // Drawing from `mine` left the global generator where manual_seed put it.
  CHECK(xg::equal(xg::rand({5}, xg::kFloat64), global_first));
  // And `mine` continued its own stream.
  CHECK(xg::equal(xg::rand({5}, xg::kFloat64, &mine), global_second));

  xg::Generator other(8);
  CHECK_FALSE(xg::equal(xg::rand({5}, xg::kFloat64, &other), global_first));

  // Reseeding a Generator restarts it.
  mine.manual_seed(7);
  CHECK(xg::equal(xg::rand({5}, xg::kFloat64, &mine), global_first));
}

TEST_CASE("Generator get_state/set_state resumes the stream exactly, including a pending normal") {
  xg::Generator g(2024);
  (void)g.next_u64();
  (void)g.normal();  // draws a Box-Muller pair: the second value is now pending
  const xg::Generator::State st = g.get_state();
  CHECK(st[4] == 1u);  // a spare normal is pending

  std::vector<double> first;
  for (int i = 0; i < 5; ++i) first.push_back(g.normal());
  const std::uint64_t u_first = g.next_u64();

  g.set_state(st);
  std::vector<double> again;
  for (int i = 0; i < 5; ++i) again.push_back(g.normal());
  CHECK(again == first);
  CHECK(g.next_u64() == u_first);

  // Another generator given the state continues identically too.
  xg::Generator h(1);
  h.set_state(st);
  std::vector<double> third;
  for (int i = 0; i < 5; ++i) third.push_back(h.normal());
  CHECK(third == first);

  // Tensor draws resume as well.
  xg::Generator a(5);
  (void)xg::rand({3}, xg::kFloat64, &a);
  const auto sa = a.get_state();
  const xg::Tensor x = xg::randn({9}, xg::kFloat64, &a);
  a.set_state(sa);
  CHECK(xg::equal(xg::randn({9}, xg::kFloat64, &a), x));
}

TEST_CASE("randn: sample mean and standard deviation of 10^5 draws are near 0 and 1") {
  xg::Generator g(99);
  const xg::Tensor z = xg::randn({100000}, xg::kFloat64, &g);
  const auto v = values(z);
  // Standard error of the mean is 1/sqrt(1e5) = 0.0032; of the std about 0.0022.
  CHECK(std::abs(sample_mean(v)) < 0.02);
  CHECK(std::abs(sample_std(v) - 1.0) < 0.02);
  // About 68.27% within one standard deviation.
  std::size_t inside = 0;
  for (double x : v) inside += std::abs(x) < 1.0;
  CHECK(static_cast<double>(inside) / 1e5 == doctest::Approx(0.6827).epsilon(0.02));

  const xg::Tensor f = xg::randn({50000}, xg::kFloat32, &g);
  CHECK(f.dtype() == xg::kFloat32);
  CHECK(std::abs(sample_mean(values(f))) < 0.03);
  CHECK(std::abs(sample_std(values(f)) - 1.0) < 0.03);
}

TEST_CASE("randint: values in [low, high), every value reached") {
  xg::Generator g(3);
  const xg::Tensor r = xg::randint(-3, 4, {2000}, &g);
  CHECK(r.dtype() == xg::kInt64);
  CHECK(shape_of(r) == VI{2000});
  std::set<std::int64_t> seen;
  for (auto v : r.to_vector<std::int64_t>()) {
    CHECK(v >= -3);
    CHECK(v < 4);
    seen.insert(v);
  }
  CHECK(seen.size() == 7u);  // -3 .. 3

  const xg::Tensor one = xg::randint(5, 6, {10}, &g);
  CHECK(one.to_vector<std::int64_t>() == VI(10, 5));
}

TEST_CASE("randperm: a permutation of 0..n-1") {
  xg::Generator g(11);
  const xg::Tensor p = xg::randperm(50, &g);
  CHECK(p.dtype() == xg::kInt64);
  CHECK(shape_of(p) == VI{50});
  auto v = p.to_vector<std::int64_t>();
  VI sorted = v;
  std::sort(sorted.begin(), sorted.end());
  VI expected(50);
  for (std::int64_t i = 0; i < 50; ++i) expected[static_cast<std::size_t>(i)] = i;
  CHECK(sorted == expected);
  CHECK(v != expected);  // 1/50! chance of the identity
  CHECK(xg::randperm(0, &g).numel() == 0);
  CHECK(xg::randperm(1, &g).to_vector<std::int64_t>() == VI{0});
}

TEST_CASE("bernoulli: 0/1 values with mean near p") {
  xg::Generator g(17);
  const xg::Tensor b = xg::bernoulli({100000}, 0.3, xg::kFloat64, &g);
  const auto v = values(b);
  for (double x : v)
    if (x != 0.0 && x != 1.0) FAIL("bernoulli produced ", x);
  // Standard error sqrt(0.3 * 0.7 / 1e5) = 0.0014.
  CHECK(sample_mean(v) == doctest::Approx(0.3).epsilon(0.03));

  CHECK(values(xg::bernoulli({100}, 0.0, xg::kFloat64, &g)) == VD(100, 0.0));
  CHECK(values(xg::bernoulli({100}, 1.0, xg::kFloat64, &g)) == VD(100, 1.0));

  const xg::Tensor i = xg::bernoulli({10}, 0.5, xg::kInt64, &g);
  CHECK(i.dtype() == xg::kInt64);
}

// ---------------------------------------------------------------------------------------------
// access
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// printing
// ---------------------------------------------------------------------------------------------

TEST_CASE("printing: values, shape, dtype") {
  CHECK(xg::to_string(xg::tensor({1.5, -2, 3})) == "tensor([1.5000, -2.0000, 3.0000], shape=[3], dtype=float32)");
  CHECK(xg::to_string(xg::tensor({0, 7, -2}, xg::kInt64)) == "tensor([0, 7, -2], shape=[3], dtype=int64)");
  CHECK(xg::to_string(xg::scalar_tensor(2.5, xg::kFloat64)) == "tensor(2.5000, shape=[], dtype=float64)");
  CHECK(xg::to_string(xg::tensor({{1, 2}, {3, 4}})) ==
        "tensor([[1.0000, 2.0000],\n"
        "        [3.0000, 4.0000]], shape=[2, 2], dtype=float32)");
  CHECK(xg::to_string(xg::Tensor()) == "tensor(undefined)");
  CHECK(xg::to_string(xg::zeros({0})) == "tensor([], shape=[0], dtype=float32)");

  const xg::Tensor t = xg::tensor({{1, 2, 3}, {4, 5, 6}}, xg::kFloat64);
  std::ostringstream os;
  os << t;
  CHECK(os.str() == xg::to_string(t));
  CHECK(fmt::format("{}", t) == xg::to_string(t));
  CHECK(os.str().find("shape=[2, 3]") != std::string::npos);
  CHECK(os.str().find("dtype=float64") != std::string::npos);
  CHECK(os.str().find("6.0000") != std::string::npos);
  CHECK(fmt::format("{}", t.shape()) == "[2, 3]");
}

TEST_CASE("printing: requires_grad leaves and grad_fn of recorded results") {
  const xg::Tensor x = xg::tensor({1, 2}, xg::TensorOptions(xg::kFloat64).requires_grad());
  CHECK(xg::to_string(x) == "tensor([1.0000, 2.0000], shape=[2], dtype=float64, requires_grad=true)");
  const xg::Tensor y = x * x;
  CHECK(fmt::format("{}", y) == "tensor([1.0000, 4.0000], shape=[2], dtype=float64, grad_fn=<mul>)");
  const xg::Tensor s = xg::sum(y);
  std::ostringstream os;
  os << s;
  CHECK(os.str() == "tensor(5.0000, shape=[], dtype=float64, grad_fn=<sum>)");
  // Results computed without recording print neither.
  xg::Tensor z;
  {
    xg::NoGradGuard ng;
    z = x * x;
  }
  CHECK(xg::to_string(z) == "tensor([1.0000, 4.0000], shape=[2], dtype=float64)");
}

TEST_CASE("printing: large tensors are summarized with ...") {
  const xg::Tensor a = xg::arange(2000);
  const std::string s = xg::to_string(a);
  CHECK(s == "tensor([0.0000, 1.0000, 2.0000, ..., 1997.0000, 1998.0000, 1999.0000], shape=[2000], dtype=float32)");
  CHECK(s.size() < 200u);

  const xg::Tensor m = xg::arange(0, 2500, 1, xg::kInt64).reshape({50, 50});
  const std::string sm = fmt::format("{}", m);
  CHECK(sm.find("...") != std::string::npos);
  CHECK(sm.find("[0, 1, 2, ..., 47, 48, 49]") != std::string::npos);  // first row
  CHECK(sm.find("[2450, 2451, 2452, ..., 2497, 2498, 2499]") != std::string::npos);  // last row
  CHECK(sm.find("1225") == std::string::npos);  // a middle element is not shown
  CHECK(sm.find("shape=[50, 50], dtype=int64") != std::string::npos);
  CHECK(sm.size() < 400u);

  // 1000 elements is still printed in full.
  const std::string full = xg::to_string(xg::arange(0, 1000, 1, xg::kInt64));
  CHECK(full.find("...") == std::string::npos);
  CHECK(full.find("500, 501") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// in-place ops
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// xtensor interop
// ---------------------------------------------------------------------------------------------

TEST_CASE("to_xarray / from_xarray round trip") {
  const xg::Tensor t = xg::tensor({{1, 2, 3}, {4, 5, 6}}, xg::kFloat64);
  const xt::xarray<double> a = xg::to_xarray<double>(t);
  REQUIRE(a.dimension() == 2u);
  CHECK(a.shape()[0] == 2u);
  CHECK(a.shape()[1] == 3u);
  CHECK(a(0, 0) == 1.0);
  CHECK(a(0, 2) == 3.0);
  CHECK(a(1, 1) == 5.0);

  const xg::Tensor back = xg::from_xarray(a);
  CHECK(back.dtype() == xg::kFloat64);
  CHECK(xg::equal(back, t));

  // A copy in both directions: changing the tensor does not change the array.
  xg::Tensor t2 = back;
  t2.fill_(0);
  CHECK(a(1, 2) == 6.0);

  // Element types map to dtypes; expressions are evaluated first.
  const xt::xarray<float> af = {{1.5f, 2.5f}};
  const xg::Tensor tf = xg::from_xarray(af);
  CHECK(tf.dtype() == xg::kFloat32);
  CHECK(shape_of(tf) == VI{1, 2});
  CHECK(tf.to_vector<float>() == VF{1.5f, 2.5f});

  const xt::xarray<std::int64_t> ai = {3, -4, 5};
  const xg::Tensor ti = xg::from_xarray(ai);
  CHECK(ti.dtype() == xg::kInt64);
  CHECK(ti.to_vector<std::int64_t>() == VI{3, -4, 5});

  const xt::xarray<double> b = {{1.0, 2.0}, {3.0, 4.0}};
  const xg::Tensor te = xg::from_xarray(b * 2.0 + 1.0);
  CHECK(values(te) == VD{3, 5, 7, 9});

  // Conversion on the way out.
  const xt::xarray<std::int64_t> ci = xg::to_xarray<std::int64_t>(xg::tensor({1.7, -1.7}));
  CHECK(ci(0) == 1);
  CHECK(ci(1) == -1);

  // 0-d tensor.
  const xt::xarray<double> z = xg::to_xarray<double>(xg::scalar_tensor(4.5, xg::kFloat64));
  CHECK(z.dimension() == 0u);
  CHECK(z() == 4.5);
}

TEST_CASE("buffer cache: a freed block is reused for the next tensor of its size class, within bounds") {
  xg::empty_buffer_cache();
  CHECK(xg::buffer_cache_stats().cached_bytes == 0);
  const auto before = xg::buffer_cache_stats();
  const void* first = nullptr;
  {
    const xg::Tensor a = xg::ones({64, 64});  // 16 KiB
    first = a.raw_data();
  }
  if (!xg::buffer_cache_enabled()) {
    CHECK(xg::buffer_cache_stats().cached_bytes == 0);  // sanitizer builds: straight back to malloc
    return;
  }
  CHECK(xg::buffer_cache_stats().cached_bytes == 16384);
  const xg::Tensor b = xg::zeros({4000}, xg::kFloat32);  // 16000 bytes: the same class
  CHECK(b.raw_data() == first);
  CHECK(xg::buffer_cache_stats().hits == before.hits + 1);
  CHECK(xg::buffer_cache_stats().cached_bytes == 0);
  for (float v : b.to_vector<float>()) REQUIRE(v == 0.0f);  // the old values do not show through
  CHECK(reinterpret_cast<std::uintptr_t>(b.raw_data()) % 64 == 0);

  // Blocks above kMaxCachedBlock are never kept; the cache never holds more than kMaxCachedBytes.
  { const xg::Tensor huge = xg::empty({static_cast<std::int64_t>(xg::kMaxCachedBlock / 4 + 1)}); }
  CHECK(xg::buffer_cache_stats().cached_bytes == 0);
  {
    std::vector<xg::Tensor> many;
    for (int i = 0; i < 20; ++i) many.push_back(xg::empty({std::int64_t{4} << 20}));  // 16 MiB each, 320 MiB in all
  }
  CHECK(xg::buffer_cache_stats().cached_bytes <= xg::kMaxCachedBytes);
  CHECK(xg::buffer_cache_stats().cached_bytes >= xg::kMaxCachedBytes - (std::size_t{20} << 20));
  xg::empty_buffer_cache();
  CHECK(xg::buffer_cache_stats().cached_bytes == 0);
}
