// DistributedDataParallel: n ranks with batch B/n take the same steps as one process with batch
// B. Every rank also trains the one-process reference itself (no communication), so the
// comparison needs no second run.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "distributed/distributed.h"
#include "message_of.h"
#include "xgrad.h"

namespace dist = xg::distributed;
using xg::nn::parallel::DistributedDataParallel;
using xg::nn::parallel::DistributedDataParallelOptions;
using xg::test::message_of;

namespace {

constexpr std::int64_t kBatch = 24;  // divisible by 2, 3 and 4 ranks

// Registered directly (no layer classes), so the test does not depend on how layers are held.
struct Mlp : xg::nn::Module {
  xg::Tensor w1, b1, w2, b2;
  bool share = false;  // w1 used twice: relu(x w1) w1, then w2
  Mlp(xg::DType dt, std::uint64_t seed, bool share_weight = false) : share(share_weight) {
    xg::Generator g(seed);
    w1 = register_parameter("w1", xg::mul(xg::randn({4, 4}, dt, &g), 0.5));
    b1 = register_parameter("b1", xg::mul(xg::randn({4}, dt, &g), 0.1));
    w2 = register_parameter("w2", xg::mul(xg::randn({4, 2}, dt, &g), 0.5));
    b2 = register_parameter("b2", xg::zeros({2}, dt));
  }
  xg::Tensor forward(const xg::Tensor& x) override {
    xg::Tensor h = xg::relu(xg::add(xg::matmul(x, w1), b1));
    if (share) h = xg::tanh(xg::matmul(h, w1));
    return xg::add(xg::matmul(h, w2), b2);
  }
};

struct Batch {
  xg::Tensor x, y;
};
Batch global_batch(xg::DType dt, int step) {
  xg::Generator g(1000 + static_cast<std::uint64_t>(step));
  return {xg::randn({kBatch, 4}, dt, &g), xg::randn({kBatch, 2}, dt, &g)};
}
Batch my_part(const Batch& b) {
  const std::int64_t m = kBatch / dist::world_size();
  return {xg::narrow(b.x, 0, dist::rank() * m, m), xg::narrow(b.y, 0, dist::rank() * m, m)};
}
xg::Tensor loss_of(const xg::Tensor& out, const xg::Tensor& y) { return xg::mean(xg::square(xg::sub(out, y))); }

double max_abs_diff(const xg::Tensor& a, const xg::Tensor& b) {
  const auto va = a.to(xg::kFloat64).to_vector<double>(), vb = b.to(xg::kFloat64).to_vector<double>();
  REQUIRE(va.size() == vb.size());
  double m = 0;
  for (std::size_t i = 0; i < va.size(); ++i) m = std::max(m, std::abs(va[i] - vb[i]));
  return m;
}

// Whether every rank holds exactly the same bits in t.
bool same_bits_everywhere(const xg::Tensor& t) {
  std::vector<xg::Tensor> all;
  dist::all_gather(all, t.detach().clone());
  const std::size_t bytes = static_cast<std::size_t>(t.numel()) * xg::dtype_size(t.dtype());
  for (const auto& o : all)
    if (std::memcmp(o.raw_data(), all[0].raw_data(), bytes) != 0) return false;
  return true;
}

// Trains `steps` SGD+momentum steps both ways and compares the parameters.
void check_equivalent(xg::DType dt, bool share, DistributedDataParallelOptions opts, double tol) {
  Mlp ref(dt, 7, share);
  Mlp net(dt, 100 + static_cast<std::uint64_t>(dist::rank()), share);  // different on every rank
  DistributedDataParallel ddp(net, opts);
  // Construction copied rank 0's parameters, which are not the reference's: use the reference's.
  {
    xg::NoGradGuard ng;
    for (std::size_t i = 0; i < ref.parameters().size(); ++i) {
      if (dist::rank() > 0 && i < 3) CHECK(max_abs_diff(net.parameters()[i], ref.parameters()[i]) > 0);  // b2 is 0
      net.parameters()[i].copy_(ref.parameters()[i]);
    }
  }
  xg::optim::SGD opt_ref(ref.parameters(), xg::optim::SGDOptions(0.1).momentum(0.9));
  xg::optim::SGD opt(net.parameters(), xg::optim::SGDOptions(0.1).momentum(0.9));
  for (int step = 0; step < 6; ++step) {
    const Batch b = global_batch(dt, step), mine = my_part(b);
    opt_ref.zero_grad();
    loss_of(ref(b.x), b.y).backward();
    opt_ref.step();
    opt.zero_grad();
    loss_of(ddp(mine.x), mine.y).backward();
    for (std::size_t i = 0; i < ref.parameters().size(); ++i)
      CHECK(max_abs_diff(net.parameters()[i].grad(), ref.parameters()[i].grad()) <= tol);
    opt.step();
  }
  for (std::size_t i = 0; i < ref.parameters().size(); ++i) {
    CAPTURE(i);
    CHECK(max_abs_diff(net.parameters()[i], ref.parameters()[i]) <= tol);
    CHECK(same_bits_everywhere(net.parameters()[i]));
  }
}

}  // namespace

TEST_CASE("DDP: construction broadcasts rank 0's parameters and buffers") {
  Mlp net(xg::kFloat64, 100 + static_cast<std::uint64_t>(dist::rank()));
  xg::Tensor buf = net.register_buffer("count", xg::full({3}, dist::rank(), xg::kFloat64));
  const Mlp rank0(xg::kFloat64, 100);
  DistributedDataParallel ddp(net);
  for (std::size_t i = 0; i < net.parameters().size(); ++i) CHECK(max_abs_diff(net.parameters()[i], rank0.parameters()[i]) == 0);
  CHECK(buf.at<double>({2}) == 0);
  // Training forwards broadcast the buffers again (rank 0's running statistics win).
  buf.fill_(dist::rank() + 5.0);
  ddp(xg::zeros({1, 4}, xg::kFloat64));
  CHECK(buf.at<double>({0}) == 5.0);
}

TEST_CASE("DDP: N ranks with batch B/N equal one process with batch B (float64, one bucket)") {
  check_equivalent(xg::kFloat64, false, {}, 1e-12);
}

TEST_CASE("DDP: the same with one bucket per parameter, and in float32") {
  // 4x4 float64 weights are 128 bytes: a 100-byte cap puts each parameter in its own bucket.
  check_equivalent(xg::kFloat64, false, DistributedDataParallelOptions().bucket_cap_mb(100.0 / (1 << 20)), 1e-12);
  check_equivalent(xg::kFloat32, false, DistributedDataParallelOptions().bucket_cap_mb(100.0 / (1 << 20)), 2e-6);
}

TEST_CASE("DDP: a weight used twice is reduced once, after both its gradients arrived") {
  check_equivalent(xg::kFloat64, true, DistributedDataParallelOptions().bucket_cap_mb(100.0 / (1 << 20)), 1e-12);
}

TEST_CASE("DDP: buckets hold the parameters in reverse order, split at bucket_cap_mb") {
  Mlp net(xg::kFloat64, 1);
  DistributedDataParallel one(net);
  CHECK(one.bucket_indices() == std::vector<std::vector<std::size_t>>{{3, 2, 1, 0}});
  // w2 (64 bytes) + b2 (16) fit in 100 bytes; b1 (32) would not; w1 (128) alone exceeds it.
  DistributedDataParallel split(net, DistributedDataParallelOptions().bucket_cap_mb(100.0 / (1 << 20)));
  CHECK(split.bucket_indices() == std::vector<std::vector<std::size_t>>{{3, 2}, {1}, {0}});
}

TEST_CASE("DDP: no_sync accumulates locally; the next backward averages the sum") {
  Mlp ref(xg::kFloat64, 7), net(xg::kFloat64, 7);
  DistributedDataParallel ddp(net);
  for (int k = 0; k < 3; ++k) {
    const Batch b = global_batch(xg::kFloat64, 10 + k), mine = my_part(b);
    loss_of(ref(b.x), b.y).backward();  // the reference accumulates the full-batch gradients
    if (k < 2) {
      auto guard = ddp.no_sync();
      loss_of(ddp(mine.x), mine.y).backward();
    } else {
      loss_of(ddp(mine.x), mine.y).backward();
    }
    if (k == 0) {
      // Not reduced: this rank's own gradient (it differs between ranks).
      Mlp local(xg::kFloat64, 7);
      loss_of(local(mine.x), mine.y).backward();
      CHECK(max_abs_diff(net.w1.grad(), local.w1.grad()) == 0);
    }
  }
  for (std::size_t i = 0; i < ref.parameters().size(); ++i)
    CHECK(max_abs_diff(net.parameters()[i].grad(), ref.parameters()[i].grad()) <= 1e-12);
}

TEST_CASE("DDP: find_unused_parameters") {
  // Rank 0's output also depends on `extra`; no rank's output depends on `never`.
  struct Branchy : Mlp {
    xg::Tensor extra, never;
    Branchy() : Mlp(xg::kFloat64, 7) {
      extra = register_parameter("extra", xg::full({2}, 0.5, xg::kFloat64));
      never = register_parameter("never", xg::ones({2}, xg::kFloat64));
    }
    xg::Tensor forward(const xg::Tensor& x) override {
      xg::Tensor out = Mlp::forward(x);
      return dist::rank() == 0 ? xg::mul(out, extra) : out;
    }
  };
  Branchy net;
  DistributedDataParallel ddp(net, DistributedDataParallelOptions().find_unused_parameters(true));
  for (int step = 0; step < 2; ++step) {
    net.zero_grad();
    const Batch mine = my_part(global_batch(xg::kFloat64, step));
    loss_of(ddp(mine.x), mine.y).backward();
    // extra's gradient: rank 0's own, averaged with zeros from the other ranks.
    Branchy solo;
    const Batch first = [&] {
      const std::int64_t m = kBatch / dist::world_size();
      const Batch b = global_batch(xg::kFloat64, step);
      return Batch{xg::narrow(b.x, 0, 0, m), xg::narrow(b.y, 0, 0, m)};
    }();
    loss_of(xg::mul(solo.Mlp::forward(first.x), solo.extra), first.y).backward();
    CHECK(max_abs_diff(net.extra.grad(), xg::div(solo.extra.grad(), static_cast<double>(dist::world_size()))) <= 1e-12);
    CHECK_FALSE(net.never.grad().defined());  // no rank used it: left alone
  }
}

TEST_CASE("DDP: a parameter without a gradient is an error at the next forward, not a hang") {
  struct Unused : Mlp {
    xg::Tensor never;
    Unused() : Mlp(xg::kFloat64, 7) { never = register_parameter("never", xg::ones({2}, xg::kFloat64)); }
  };
  Unused net;
  DistributedDataParallel ddp(net);
  const Batch mine = my_part(global_batch(xg::kFloat64, 0));
  loss_of(ddp(mine.x), mine.y).backward();
  const std::string msg = message_of([&] { ddp(mine.x); });
  CHECK(msg.find("produced only 4 of the 5 gradients") != std::string::npos);
  CHECK(msg.find("parameter 4 of shape [2]") != std::string::npos);
  CHECK(msg.find("find_unused_parameters") != std::string::npos);
}

TEST_CASE("DDP: bad options and different models are refused on every rank") {
  Mlp net(xg::kFloat64, 1);
  CHECK_THROWS_AS(DistributedDataParallel(net, DistributedDataParallelOptions().bucket_cap_mb(0)), xg::ValueError);
  CHECK_THROWS_AS(DistributedDataParallel(net, DistributedDataParallelOptions().bucket_cap_mb(NAN)), xg::ValueError);
  const xg::Tensor w1_before = net.w1.clone();
  if (dist::rank() == dist::world_size() - 1) net.register_parameter("more", xg::zeros({3}, xg::kFloat64));
  const std::string msg = message_of([&] { DistributedDataParallel d(net); });
  CHECK(msg.find("every rank must wrap the same architecture") != std::string::npos);
  CHECK(max_abs_diff(net.w1, w1_before) == 0);  // nothing was broadcast
}
