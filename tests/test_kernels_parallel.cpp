// The reduction kernel's layouts (reduced dims in up to two separate blocks read in place, more
// blocks permuted first) and the element-wise and reduction loops split across threads: each
// against a plain loop written here, and the threaded result against the one-thread result.
#include <cmath>
#include <limits>

#include "check.h"

using xg::Tensor;

namespace {

// Restores the thread count a test changed.
struct ThreadsGuard {
  int saved = xg::get_num_threads();
  ~ThreadsGuard() { xg::set_num_threads(saved); }
};

std::vector<double> ramp(std::int64_t n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = std::fmod(0.37 * static_cast<double>(i), 5.3) - 2.1;
  return v;
}

// Sum (or max) of x over `dims` by walking every element: the reference.
std::vector<double> reduce_by_loop(const std::vector<double>& x, const xg::Shape& s, const std::vector<std::int64_t>& dims,
                                   bool is_max) {
  std::vector<bool> red(s.size(), false);
  for (auto d : dims) red[static_cast<std::size_t>(d)] = true;
  std::int64_t out_n = 1;
  for (std::size_t d = 0; d < s.size(); ++d)
    if (!red[d]) out_n *= s[d];
  std::vector<double> out(static_cast<std::size_t>(out_n), is_max ? -std::numeric_limits<double>::infinity() : 0.0);
  for (std::int64_t flat = 0; flat < s.numel(); ++flat) {
    std::int64_t rest = flat, o = 0, scale = 1;
    for (std::size_t d = s.size(); d-- > 0;) {
      const std::int64_t i = rest % s[d];
      rest /= s[d];
      if (!red[d]) o += i * scale, scale *= s[d];
    }
    double& acc = out[static_cast<std::size_t>(o)];
    const double v = x[static_cast<std::size_t>(flat)];
    acc = is_max ? std::max(acc, v) : acc + v;
  }
  return out;
}

}  // namespace

TEST_CASE("sum and amax over every subset of dims agree with a plain loop, size-1 and size-0 dims included") {
  for (const xg::Shape& s : {xg::Shape{2, 3, 4, 5}, xg::Shape{3, 1, 4, 1, 5}, xg::Shape{2, 3, 1, 2, 3, 2}, xg::Shape{2, 0, 3}}) {
    const auto v = ramp(s.numel());
    const Tensor x = xg::from_vector(v, s);
    const auto nd = static_cast<std::int64_t>(s.size());
    for (std::int64_t mask = 1; mask < (std::int64_t{1} << nd); ++mask) {
      std::vector<std::int64_t> dims;
      for (std::int64_t d = 0; d < nd; ++d)
        if (mask >> d & 1) dims.push_back(d);
      CAPTURE(xg::to_string(s));
      CAPTURE(mask);
      xgt::check_values(xg::sum(x, dims), reduce_by_loop(v, s, dims, false), 1e-12);
      if (x.numel() > 0) xgt::check_values(xg::amax(x, dims), reduce_by_loop(v, s, dims, true), 0);
      // float32 accumulates in double: the same sums to float precision; int64 sums exactly.
      xgt::check_values(xg::sum(x.to(xg::kFloat32), dims, true), reduce_by_loop(v, s, dims, false), 1e-6);
      const Tensor ints = xg::round(x * 10).to(xg::kInt64);
      std::vector<double> iv = ints.to_vector<double>();
      xgt::check_values(xg::sum(ints, dims), reduce_by_loop(iv, s, dims, false), 0);
    }
  }
}

TEST_CASE("large reductions split across threads give the one-thread result and the loop's") {
  ThreadsGuard guard;
  const xg::Shape s{16, 24, 1000};  // over 2^18 elements: the threaded path
  const auto v = ramp(s.numel());
  const Tensor x = xg::from_vector(v, s).to(xg::kFloat32);
  for (const std::vector<std::int64_t>& dims : {std::vector<std::int64_t>{0, 2}, {2}, {0}, {1}, {0, 1, 2}, {1, 2}}) {
    CAPTURE(dims.size());
    xg::set_num_threads(1);
    const Tensor one = xg::sum(x, dims), one_max = xg::amax(x, dims);
    xg::set_num_threads(2);
    const Tensor two = xg::sum(x, dims), two_max = xg::amax(x, dims);
    CHECK(xg::equal(one, two));
    CHECK(xg::equal(one_max, two_max));
    xgt::check_values(two, reduce_by_loop(x.to_vector<double>(), s, dims, false), 1e-6);
  }
  // A NaN anywhere in a reduced block wins, whichever thread reads it.
  Tensor y = x.clone();
  y.index_put_({15, 23, 999}, std::numeric_limits<float>::quiet_NaN());
  CHECK(std::isnan(xg::amax(y, {0, 2}).to_vector<double>()[23]));
  CHECK(std::isnan(xg::sum(y, {0, 2}).to_vector<double>()[23]));
  CHECK_FALSE(std::isnan(xg::sum(y, {0, 2}).to_vector<double>()[22]));
}

TEST_CASE("large element-wise ops split across threads give the one-thread result and the loop's") {
  ThreadsGuard guard;
  const xg::Shape s{16, 32, 601};  // 307,712 elements: threaded, and not a whole number of SIMD batches
  const Tensor a = xg::from_vector(ramp(s.numel()), s).to(xg::kFloat32);
  const Tensor c = xg::linspace(0.5, 2.0, 32).reshape({1, 32, 1}).to(xg::kFloat32);
  auto run = [&] {
    return std::vector<Tensor>{a * c, a + a, xg::relu(a), xg::exp(a), xg::tanh(a), a - 1.5, xg::leaky_relu(a, 0.1)};
  };
  xg::set_num_threads(1);
  const auto one = run();
  xg::set_num_threads(2);
  const auto two = run();
  for (std::size_t i = 0; i < one.size(); ++i) {
    CAPTURE(i);
    CHECK(xg::equal(one[i], two[i]));
  }
  const auto av = a.to_vector<float>(), cv = c.to_vector<float>(), prod = two[0].to_vector<float>(), relu = two[2].to_vector<float>();
  const auto ex = two[3].to_vector<float>();
  for (std::size_t i = 0; i < av.size(); ++i) {
    const std::size_t ch = i / 601 % 32;
    REQUIRE(prod[i] == av[i] * cv[ch]);
    REQUIRE(relu[i] == std::max(av[i], 0.0f));
    REQUIRE(std::abs(ex[i] - std::exp(av[i])) <= 1e-6f * std::exp(av[i]));
  }
}

TEST_CASE("set_num_threads rejects a count below 1 and keeps the old one") {
  ThreadsGuard guard;
  xg::set_num_threads(1);
  CHECK(xg::get_num_threads() == 1);
  XGT_CHECK_THROWS_MSG(xg::set_num_threads(0), xg::ValueError, "set_num_threads", "at least 1", "got 0");
  XGT_CHECK_THROWS_MSG(xg::set_num_threads(-3), xg::ValueError, "set_num_threads", "got -3");
  CHECK(xg::get_num_threads() == 1);
}
