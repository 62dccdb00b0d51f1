#include "distributed/process_group.h"

#include <fmt/format.h>
#include <mpi.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <thread>

namespace xg::distributed {

struct ProcessGroup::Comm {
  MPI_Comm comm = MPI_COMM_NULL;
};

namespace {

std::unique_ptr<ProcessGroup> g_default;
int g_local_rank = 0;
bool g_we_initialized = false;
// Set once a collective failed or timed out: MPI cannot recover, so finalize() aborts the job.
bool g_broken = false;
std::string g_broken_reason;

[[noreturn]] void fail(const std::string& message) {
  g_broken = true;
  g_broken_reason = message;
  throw DistributedError(message);
}

void check_mpi(int rc, const char* op, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  fail(fmt::format("{}: {} failed: {}", op, call, std::string(text, static_cast<std::size_t>(len))));
}

MPI_Datatype mpi_type(const char* op, const Tensor& t) {
  switch (t.dtype()) {
    case kFloat32: return MPI_FLOAT;
    case kFloat64: return MPI_DOUBLE;
    case kInt64: return MPI_INT64_T;
    default: break;  // the storage dtypes (bool, uint8, int32) are not reduced
  }
  throw DTypeError(fmt::format("{}: unsupported dtype {}", op, dtype_name(t.dtype())));
}

void check_defined(const char* op, const Tensor& t) {
  if (!t.defined()) throw ValueError(fmt::format("{}: the tensor is undefined", op));
}

std::string describe(const Tensor& t) { return fmt::format("a {} tensor of shape {}", dtype_name(t.dtype()), to_string(t.shape())); }

}  // namespace

struct Work::State {
  const char* op = "";
  std::string what;  // the operation, for messages
  std::vector<MPI_Request> requests;
  std::vector<Tensor> keep;  // the buffers MPI reads and writes, alive until completion
  std::function<void()> on_complete;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::chrono::milliseconds timeout{0};
  bool done = false;
};

bool Work::is_completed() {
  if (!s_ || s_->done) return true;
  int flag = 0;
  check_mpi(MPI_Testall(static_cast<int>(s_->requests.size()), s_->requests.data(), &flag, MPI_STATUSES_IGNORE), s_->op,
            "MPI_Testall");
  if (!flag) return false;
  s_->done = true;
  if (s_->on_complete) s_->on_complete();
  s_->keep.clear();
  return true;
}

void Work::wait() {
  if (!s_ || s_->done) return;
  if (g_broken) fail(fmt::format("{}: an earlier collective failed ({}); this job cannot communicate any more", s_->op,
                                 g_broken_reason));
  // Spin briefly (a collective of a small bucket completes in microseconds), then poll gently
  // so a rank that waits does not take the core from one that computes.
  for (std::int64_t polls = 0; !is_completed(); ++polls) {
    if (std::chrono::steady_clock::now() - s_->start > s_->timeout)
      fail(fmt::format("{}: {} did not complete within {} ms; another rank died, hung, or issued a different "
                       "collective. This job cannot communicate any more",
                       s_->op, s_->what, s_->timeout.count()));
    if (polls < 2000) std::this_thread::yield();
    else std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

ProcessGroup::ProcessGroup(std::unique_ptr<Comm> comm, std::chrono::milliseconds timeout)
    : comm_(std::move(comm)), timeout_(timeout) {
  check_mpi(MPI_Comm_rank(comm_->comm, &rank_), "ProcessGroup", "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(comm_->comm, &size_), "ProcessGroup", "MPI_Comm_size");
  set_timeout(timeout);
}

ProcessGroup::~ProcessGroup() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && comm_->comm != MPI_COMM_NULL && !g_broken) MPI_Comm_free(&comm_->comm);
}

void ProcessGroup::set_timeout(std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0)
    throw ValueError(fmt::format("ProcessGroup::set_timeout: the timeout must be positive, got {} ms", timeout.count()));
  timeout_ = timeout;
}

namespace {

std::shared_ptr<Work::State> start(const char* op, std::string what, std::chrono::milliseconds timeout) {
  if (g_broken)
    throw DistributedError(fmt::format("{}: an earlier collective failed ({}); this job cannot communicate any more", op,
                                       g_broken_reason));
  auto s = std::make_shared<Work::State>();
  s->op = op;
  s->what = std::move(what);
  s->timeout = timeout;
  return s;
}

// MPI counts are int: larger tensors go as several operations of at most INT_MAX elements.
template <class F> void in_chunks(std::int64_t numel, F&& f) {
  std::int64_t first = 0;
  do {
    const int count = static_cast<int>(std::min<std::int64_t>(numel - first, INT_MAX));
    f(first, count);
    first += count;
  } while (first < numel);
}

}  // namespace

Work ProcessGroup::all_reduce(Tensor& tensor, ReduceOp op) {
  const char* name = "all_reduce";
  check_defined(name, tensor);
  const MPI_Datatype type = mpi_type(name, tensor);
  if (op == ReduceOp::AVG && !tensor.is_floating_point())
    throw DTypeError(fmt::format("all_reduce: ReduceOp::AVG needs a float tensor, got {}", describe(tensor)));
  auto s = start(name, fmt::format("all_reduce of {} (rank {} of {})", describe(tensor), rank_, size_), timeout_);
  s->keep.push_back(tensor);
  const MPI_Op mop = op == ReduceOp::MAX ? MPI_MAX : MPI_SUM;
  auto* base = static_cast<char*>(tensor.raw_data());
  const std::size_t item = dtype_size(tensor.dtype());
  in_chunks(tensor.numel(), [&](std::int64_t first, int count) {
    MPI_Request r;
    check_mpi(MPI_Iallreduce(MPI_IN_PLACE, base + static_cast<std::size_t>(first) * item, count, type, mop, comm_->comm, &r),
              name, "MPI_Iallreduce");
    s->requests.push_back(r);
  });
  const int n = size_;
  s->on_complete = [tensor, op, n]() mutable {
    if (op == ReduceOp::AVG) {
      dispatch_float(tensor.dtype(), [&]<class T>(T) {
        T* p = tensor.data_ptr<T>();
        const std::int64_t m = tensor.numel();
        for (std::int64_t i = 0; i < m; ++i) p[i] /= static_cast<T>(n);
      });
    }
    tensor.bump_version("all_reduce");
  };
  return Work(std::move(s));
}

Work ProcessGroup::broadcast(Tensor& tensor, int src) {
  const char* name = "broadcast";
  check_defined(name, tensor);
  const MPI_Datatype type = mpi_type(name, tensor);
  if (src < 0 || src >= size_)
    throw ValueError(fmt::format("broadcast: src {} is not a rank of this group of {} ranks", src, size_));
  auto s = start(name, fmt::format("broadcast of {} from rank {} (rank {} of {})", describe(tensor), src, rank_, size_),
                 timeout_);
  s->keep.push_back(tensor);
  auto* base = static_cast<char*>(tensor.raw_data());
  const std::size_t item = dtype_size(tensor.dtype());
  in_chunks(tensor.numel(), [&](std::int64_t first, int count) {
    MPI_Request r;
    check_mpi(MPI_Ibcast(base + static_cast<std::size_t>(first) * item, count, type, src, comm_->comm, &r), name, "MPI_Ibcast");
    s->requests.push_back(r);
  });
  s->on_complete = [tensor]() mutable { tensor.bump_version("broadcast"); };
  return Work(std::move(s));
}

Work ProcessGroup::all_gather(std::vector<Tensor>& outputs, const Tensor& input) {
  const char* name = "all_gather";
  check_defined(name, input);
  const MPI_Datatype type = mpi_type(name, input);
  if (input.numel() > INT_MAX / size_)
    throw ValueError(fmt::format("all_gather: {} has {} elements; at most {} per rank with {} ranks", describe(input),
                                 input.numel(), INT_MAX / size_, size_));
  if (!outputs.empty()) {
    if (outputs.size() != static_cast<std::size_t>(size_))
      throw ValueError(fmt::format("all_gather: got {} output tensors for a group of {} ranks", outputs.size(), size_));
    for (std::size_t r = 0; r < outputs.size(); ++r) {
      check_defined(name, outputs[r]);
      if (!(outputs[r].shape() == input.shape()) || outputs[r].dtype() != input.dtype())
        throw ShapeError(fmt::format("all_gather: output {} is {}, the input is {}", r, describe(outputs[r]), describe(input)));
    }
  } else {
    for (int r = 0; r < size_; ++r) outputs.push_back(empty(input.shape(), input.dtype()));
  }
  auto s = start(name, fmt::format("all_gather of {} (rank {} of {})", describe(input), rank_, size_), timeout_);
  Tensor gathered = empty(Shape{static_cast<std::int64_t>(size_) * input.numel()}, input.dtype());
  s->keep = {input, gathered};
  MPI_Request r;
  check_mpi(MPI_Iallgather(input.raw_data(), static_cast<int>(input.numel()), type, gathered.raw_data(),
                           static_cast<int>(input.numel()), type, comm_->comm, &r),
            name, "MPI_Iallgather");
  s->requests.push_back(r);
  std::vector<Tensor> outs = outputs;
  s->on_complete = [outs, gathered]() mutable {
    const std::size_t bytes = static_cast<std::size_t>(gathered.numel()) * dtype_size(gathered.dtype()) / outs.size();
    for (std::size_t i = 0; i < outs.size(); ++i) {
      std::memcpy(outs[i].raw_data(), static_cast<const char*>(gathered.raw_data()) + i * bytes, bytes);
      outs[i].bump_version("all_gather");
    }
  };
  return Work(std::move(s));
}

Work ProcessGroup::barrier() {
  auto s = start("barrier", fmt::format("barrier (rank {} of {})", rank_, size_), timeout_);
  MPI_Request r;
  check_mpi(MPI_Ibarrier(comm_->comm, &r), "barrier", "MPI_Ibarrier");
  s->requests.push_back(r);
  return Work(std::move(s));
}

// ----- the default group -----

void init(std::chrono::milliseconds timeout) {
  if (g_default) return;
  if (timeout.count() <= 0)
    throw ValueError(fmt::format("distributed::init: the timeout must be positive, got {} ms", timeout.count()));
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
      throw DistributedError("distributed::init: MPI_Init_thread failed");
    g_we_initialized = true;
  }
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  auto comm = std::make_unique<ProcessGroup::Comm>();
  check_mpi(MPI_Comm_dup(MPI_COMM_WORLD, &comm->comm), "distributed::init", "MPI_Comm_dup");
  MPI_Comm_set_errhandler(comm->comm, MPI_ERRORS_RETURN);
  MPI_Comm local;
  check_mpi(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local), "distributed::init",
            "MPI_Comm_split_type");
  MPI_Comm_rank(local, &g_local_rank);
  MPI_Comm_free(&local);
  g_default = std::make_unique<ProcessGroup>(std::move(comm), timeout);
}

bool is_initialized() { return g_default != nullptr; }

void abort(const std::string& message, int exit_code) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized) MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::_Exit(exit_code);
}

void finalize() {
  if (g_broken)
    abort(fmt::format("xgrad distributed: rank {} ends the job after a failed collective: {}", g_default ? g_default->rank() : -1,
                      g_broken_reason));
  g_default.reset();
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (g_we_initialized && !finalized) MPI_Finalize();
}

InitGuard::InitGuard(std::chrono::milliseconds timeout) : uncaught_(std::uncaught_exceptions()) { init(timeout); }

InitGuard::~InitGuard() {
  if (std::uncaught_exceptions() > uncaught_)
    abort(fmt::format("xgrad distributed: rank {} is leaving on an exception; ending every rank{}", g_default ? g_default->rank() : -1,
                      g_broken ? " (a collective failed: " + g_broken_reason + ")" : std::string()));
  finalize();
}

ProcessGroup& default_group() {
  if (!g_default) throw DistributedError("distributed: not initialized; call xg::distributed::init() (or make an InitGuard) first");
  return *g_default;
}

int rank() { return default_group().rank(); }
int world_size() { return default_group().size(); }
int local_rank() {
  default_group();
  return g_local_rank;
}

namespace {
Work finish(Work w, bool async_op) {
  if (!async_op) w.wait();
  return w;
}
}  // namespace

Work all_reduce(Tensor& tensor, ReduceOp op, bool async_op) { return finish(default_group().all_reduce(tensor, op), async_op); }
Work broadcast(Tensor& tensor, int src, bool async_op) { return finish(default_group().broadcast(tensor, src), async_op); }
Work all_gather(std::vector<Tensor>& outputs, const Tensor& input, bool async_op) {
  return finish(default_group().all_gather(outputs, input), async_op);
}
Work barrier(bool async_op) { return finish(default_group().barrier(), async_op); }

}  // namespace xg::distributed
