#pragma once
// Collective communication over MPI (Open MPI), started by mpirun:
//
//   int main(int argc, char** argv) {
//     xg::distributed::InitGuard mpi;                    // MPI_Init ... MPI_Finalize
//     xg::Tensor t = xg::full({3}, xg::distributed::rank());
//     xg::distributed::all_reduce(t);                     // every rank now holds 0+1+...+(N-1)
//     auto work = xg::distributed::all_reduce(t, xg::distributed::ReduceOp::AVG, /*async_op=*/true);
//     ...                                                 // overlap other work
//     work.wait();
//   }
//
// Tensors are float32, float64 or int64 and must have the same shape and dtype on every rank.
// Every rank must issue the same collectives in the same order (as with torch.distributed).
// No call blocks forever: each waits at most the group's timeout, then raises DistributedError,
// after which the job cannot communicate any more and finalize() aborts every rank (MPI_Abort)
// instead of waiting for them. A rank that dies makes mpirun end the others.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "distributed/errors.h"
#include "tensor/tensor.h"

namespace xg::distributed {

// As torch.distributed.ReduceOp; AVG is SUM then a division by the world size (float only).
enum class ReduceOp { SUM, AVG, MAX };

// PyTorch's default for its process groups.
inline constexpr std::chrono::milliseconds kDefaultTimeout = std::chrono::minutes(30);

// A pending collective. wait() blocks until it completes (then the tensors hold the result) or
// the group's timeout passes (DistributedError); is_completed() tests without blocking and
// drives MPI's progress. A default Work is complete. Copies share the same operation.
class Work {
 public:
  Work() = default;
  bool is_completed();
  void wait();
  struct State;
  explicit Work(std::shared_ptr<State> s) : s_(std::move(s)) {}

 private:
  std::shared_ptr<State> s_;
};

// The ranks of one MPI communicator (the default group is every rank of mpirun's job).
class ProcessGroup {
 public:
  struct Comm;
  explicit ProcessGroup(std::unique_ptr<Comm> comm, std::chrono::milliseconds timeout);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  std::chrono::milliseconds timeout() const { return timeout_; }
  // ValueError unless positive.
  void set_timeout(std::chrono::milliseconds timeout);

  // Each starts the operation and returns at once; call wait() on the result. The tensors are
  // written in place and must stay unchanged until then (the Work keeps them alive).
  Work all_reduce(Tensor& tensor, ReduceOp op = ReduceOp::SUM);
  Work broadcast(Tensor& tensor, int src = 0);
  // outputs: empty (filled with size() new tensors) or size() tensors of input's shape and dtype.
  Work all_gather(std::vector<Tensor>& outputs, const Tensor& input);
  Work barrier();

 private:
  std::unique_ptr<Comm> comm_;
  int rank_ = 0, size_ = 1;
  std::chrono::milliseconds timeout_;
};

// Initializes MPI from mpirun's environment (a program started without mpirun is a job of one
// rank) and creates the default group. Calling it again is a no-op.
void init(std::chrono::milliseconds timeout = kDefaultTimeout);
// Ends MPI (MPI_Finalize); after a failed or timed-out collective, MPI_Abort ends every rank.
void finalize();
bool is_initialized();
// Ends every rank of the job at once with `message` on this rank's stderr (MPI_Abort).
[[noreturn]] void abort(const std::string& message, int exit_code = 1);

// init() on construction; finalize() on destruction, or abort() when it is destroyed by an
// exception unwinding the stack (the other ranks would otherwise wait for this one).
class InitGuard {
 public:
  explicit InitGuard(std::chrono::milliseconds timeout = kDefaultTimeout);
  ~InitGuard();
  InitGuard(const InitGuard&) = delete;
  InitGuard& operator=(const InitGuard&) = delete;

 private:
  int uncaught_;
};

// Of the default group; DistributedError if init() was not called.
int rank();
int world_size();
int local_rank();  // the rank among the processes on this machine
ProcessGroup& default_group();

// torch.distributed's functions on the default group: synchronous unless async_op, which
// returns the pending Work.
Work all_reduce(Tensor& tensor, ReduceOp op = ReduceOp::SUM, bool async_op = false);
Work broadcast(Tensor& tensor, int src = 0, bool async_op = false);
Work all_gather(std::vector<Tensor>& outputs, const Tensor& input, bool async_op = false);
Work barrier(bool async_op = false);

}  // namespace xg::distributed
