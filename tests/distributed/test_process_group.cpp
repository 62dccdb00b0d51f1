// Collectives on every dtype, sync and async; each expected value is a closed form in the rank
// count n (rank r contributes values built from r).
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "distributed/distributed.h"
#include "message_of.h"
#include "xgrad.h"

namespace dist = xg::distributed;
using xg::test::message_of;

namespace {

int n() { return dist::world_size(); }
int r() { return dist::rank(); }

// Rank r holds (r + 1) * [1, 2, ..., 5] in dtype dt.
xg::Tensor ramp(xg::DType dt) { return xg::mul(xg::arange(1, 6, 1, dt), xg::scalar_tensor(r() + 1, dt)); }

}  // namespace

TEST_CASE("rank and world_size match mpirun's job") {
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  REQUIRE(size != nullptr);
  CHECK(n() == std::atoi(size));
  CHECK(r() == std::atoi(std::getenv("OMPI_COMM_WORLD_RANK")));
  // One machine: the local rank is the rank.
  CHECK(dist::local_rank() == r());
  xg::Tensor me = xg::from_vector(std::vector<std::int64_t>{r()}, xg::Shape{1});
  std::vector<xg::Tensor> all;
  dist::all_gather(all, me);
  REQUIRE(all.size() == static_cast<std::size_t>(n()));
  for (int k = 0; k < n(); ++k) CHECK(all[static_cast<std::size_t>(k)].item<std::int64_t>() == k);
}

TEST_CASE("all_reduce SUM, AVG and MAX on float32, float64 and int64") {
  const double tri = n() * (n() + 1) / 2.0;  // 1 + 2 + ... + n
  for (xg::DType dt : {xg::kFloat32, xg::kFloat64, xg::kInt64}) {
    CAPTURE(xg::dtype_name(dt));
    xg::Tensor t = ramp(dt);
    dist::all_reduce(t);
    const auto v = t.to(xg::kFloat64).to_vector<double>();
    for (int j = 0; j < 5; ++j) CHECK(v[static_cast<std::size_t>(j)] == tri * (j + 1));

    // MAX: element j is +r on odd j and -r on even j, so the maximum is n-1 or 0.
    xg::Tensor m = xg::mul(xg::tensor({-1, 1, -1, 1, -1}, dt), xg::scalar_tensor(r(), dt));
    dist::all_reduce(m, dist::ReduceOp::MAX);
    const auto mv = m.to(xg::kFloat64).to_vector<double>();
    for (int j = 0; j < 5; ++j) CHECK(mv[static_cast<std::size_t>(j)] == (j % 2 ? n() - 1 : 0));
  }
  for (xg::DType dt : {xg::kFloat32, xg::kFloat64}) {
    xg::Tensor t = ramp(dt);
    dist::all_reduce(t, dist::ReduceOp::AVG);
    const auto v = t.to(xg::kFloat64).to_vector<double>();
    for (int j = 0; j < 5; ++j) CHECK(v[static_cast<std::size_t>(j)] == doctest::Approx((n() + 1) / 2.0 * (j + 1)));
  }
}

TEST_CASE("all_reduce of a 0-d and of a 2-d tensor keeps the shape") {
  xg::Tensor s = xg::scalar_tensor(2.5, xg::kFloat64);
  dist::all_reduce(s);
  CHECK(s.dim() == 0);
  CHECK(s.item<double>() == 2.5 * n());
  xg::Tensor m = xg::ones({2, 3}, xg::kFloat32);
  dist::all_reduce(m);
  CHECK(m.sizes() == std::vector<std::int64_t>{2, 3});
  CHECK(m.at<float>({1, 2}) == static_cast<float>(n()));
}

TEST_CASE("broadcast copies the source rank's tensor everywhere") {
  for (xg::DType dt : {xg::kFloat32, xg::kFloat64, xg::kInt64}) {
    xg::Tensor t = ramp(dt);
    dist::broadcast(t, n() - 1);
    const auto v = t.to(xg::kFloat64).to_vector<double>();
    for (int j = 0; j < 5; ++j) CHECK(v[static_cast<std::size_t>(j)] == n() * (j + 1));
  }
}

TEST_CASE("all_gather collects every rank's tensor in rank order, into given outputs too") {
  xg::Tensor mine = xg::tensor({1.0 * r(), 10.0 * r()}, xg::kFloat64);
  std::vector<xg::Tensor> out;
  for (int k = 0; k < n(); ++k) out.push_back(xg::full({2}, -1, xg::kFloat64));
  const std::vector<xg::Tensor> given = out;
  dist::all_gather(out, mine);
  for (int k = 0; k < n(); ++k) {
    const auto i = static_cast<std::size_t>(k);
    CHECK(out[i].impl() == given[i].impl());  // written into, not replaced
    CHECK(out[i].to_vector<double>() == std::vector<double>{1.0 * k, 10.0 * k});
  }
}

TEST_CASE("async collectives: work handles complete in any wait order") {
  xg::Tensor a = ramp(xg::kFloat64), b = xg::full({1000}, r(), xg::kInt64);
  dist::Work wa = dist::all_reduce(a, dist::ReduceOp::SUM, /*async_op=*/true);
  dist::Work wb = dist::all_reduce(b, dist::ReduceOp::MAX, /*async_op=*/true);
  dist::Work wbar = dist::barrier(/*async_op=*/true);
  wb.wait();
  wa.wait();
  wbar.wait();
  CHECK(wa.is_completed());
  CHECK(b.at<std::int64_t>({999}) == n() - 1);
  CHECK(a.at<double>({4}) == 5.0 * n() * (n() + 1) / 2);
  wa.wait();  // waiting again is a no-op
  CHECK(dist::Work().is_completed());
}

TEST_CASE("bad arguments: typed errors naming the call, tensors unchanged") {
  xg::Tensor i = xg::full({3}, 7, xg::kInt64);
  const std::string avg = message_of([&] { dist::all_reduce(i, dist::ReduceOp::AVG); });
  CHECK(avg.find("all_reduce") != std::string::npos);
  CHECK(avg.find("int64") != std::string::npos);
  CHECK(i.at<std::int64_t>({0}) == 7);
  CHECK_THROWS_AS(dist::all_reduce(i, dist::ReduceOp::AVG), xg::DTypeError);

  xg::Tensor t = xg::full({2}, 3.0, xg::kFloat32);
  const std::string src = message_of([&] { dist::broadcast(t, n() + 3); });
  CHECK(src.find("broadcast: src " + std::to_string(n() + 3)) != std::string::npos);
  CHECK_THROWS_AS(dist::broadcast(t, -1), xg::ValueError);
  CHECK(t.at<float>({1}) == 3.0f);

  xg::Tensor undefined;
  CHECK_THROWS_AS(dist::all_reduce(undefined), xg::ValueError);

  std::vector<xg::Tensor> too_few{xg::zeros({2})};
  if (n() > 1) {
    CHECK(message_of([&] { dist::all_gather(too_few, t); }).find("all_gather: got 1 output tensors") != std::string::npos);
  }
  std::vector<xg::Tensor> wrong;
  for (int k = 0; k < n(); ++k) wrong.push_back(xg::zeros({3}));
  CHECK_THROWS_AS(dist::all_gather(wrong, t), xg::ShapeError);
  CHECK_THROWS_AS(dist::default_group().set_timeout(std::chrono::milliseconds(0)), xg::ValueError);
  // The group still works after refused calls (nothing was started).
  dist::all_reduce(t);
  CHECK(t.at<float>({0}) == 3.0f * n());
}
