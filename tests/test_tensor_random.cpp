// Random streams: the pinned xoshiro256** output (tests/reference/xoshiro_reference.py), seeds,
// explicit generators and their saved state, and the distributions of rand, randn, randint,
// randperm and bernoulli.
#include "check.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

namespace {

using xgt::shape_of;
using xgt::values;
using xgt::VD;
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
