#include "parallel.h"

#include <fmt/format.h>

#include <chrono>

#ifdef XGRAD_TRAIN_MPI
#include "distributed/distributed.h"
#endif

namespace xg::train {

#ifdef XGRAD_TRAIN_MPI
struct DistributedSession::Impl {
  distributed::InitGuard guard{std::chrono::minutes(10)};
};
struct Parallel::Impl {
  std::unique_ptr<nn::parallel::DistributedDataParallel> ddp;
  double comm = 0;
};
#else
struct DistributedSession::Impl {};
struct Parallel::Impl {};
#endif

DistributedSession::DistributedSession(bool distributed) {
  if (!distributed) return;
#ifdef XGRAD_TRAIN_MPI
  impl_ = std::make_unique<Impl>();
#else
  throw ValueError("--distributed: this xgrad-train was built without MPI (configure with -DXGRAD_MPI=ON and libopenmpi-dev)");
#endif
}
DistributedSession::~DistributedSession() = default;

void DistributedSession::abort_job(const std::string& message) {
#ifdef XGRAD_TRAIN_MPI
  if (impl_) distributed::abort(fmt::format("xgrad-train: rank {} failed: {}", distributed::rank(), message));
#endif
  (void)message;
}

Parallel::Parallel(const Config& c, nn::Module& model) : model_(model) {
  if (!c.distributed) return;
#ifdef XGRAD_TRAIN_MPI
  rank_ = distributed::rank();
  world_ = distributed::world_size();
  impl_ = std::make_unique<Impl>();
  impl_->ddp = std::make_unique<nn::parallel::DistributedDataParallel>(model);
#else
  throw ValueError("--distributed: this xgrad-train was built without MPI");
#endif
}
Parallel::~Parallel() = default;

Tensor Parallel::forward(const Tensor& x) {
#ifdef XGRAD_TRAIN_MPI
  if (impl_) {
    Tensor out = (*impl_->ddp)(x);
    return out;
  }
#endif
  return model_(x);
}

std::pair<std::int64_t, std::int64_t> Parallel::my_part(std::int64_t n) const {
  const std::int64_t base = n / world_, extra = n % world_;
  const std::int64_t first = rank_ * base + std::min<std::int64_t>(rank_, extra);
  return {first, base + (rank_ < extra ? 1 : 0)};
}

void Parallel::backward_done() {
#ifdef XGRAD_TRAIN_MPI
  if (impl_) impl_->comm += impl_->ddp->last_wait_seconds();
#endif
}

std::pair<bool, bool> Parallel::any(bool a, bool b) {
#ifdef XGRAD_TRAIN_MPI
  if (impl_) {
    const auto t0 = std::chrono::steady_clock::now();
    Tensor t = from_vector(std::vector<std::int64_t>{a ? 1 : 0, b ? 1 : 0}, Shape{2});
    distributed::all_reduce(t, distributed::ReduceOp::MAX);
    impl_->comm += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return {t.at<std::int64_t>({0}) != 0, t.at<std::int64_t>({1}) != 0};
  }
#endif
  return {a, b};
}

double Parallel::sum(double v) {
#ifdef XGRAD_TRAIN_MPI
  if (impl_) {
    Tensor t = scalar_tensor(v, kFloat64);
    distributed::all_reduce(t);
    return t.item<double>();
  }
#endif
  return v;
}

double Parallel::take_comm_seconds() {
#ifdef XGRAD_TRAIN_MPI
  if (impl_) {
    const double s = impl_->comm;
    impl_->comm = 0;
    return s;
  }
#endif
  return 0;
}

}  // namespace xg::train
