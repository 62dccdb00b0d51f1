#pragma once
// --distributed: data-parallel training over MPI (run under mpirun). Each step's batch of
// --batch-size examples is split between the ranks and DistributedDataParallel averages the
// gradients, so N ranks take the steps one process takes. Without --distributed (or in a build
// without MPI) this is a no-op wrapper around the model.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include <xgrad.h>

#include "config.h"

namespace xg::train {

// Starts MPI for the whole program when --distributed (InitGuard); ValueError when this build has
// no MPI support.
class DistributedSession {
 public:
  explicit DistributedSession(bool distributed);
  ~DistributedSession();
  DistributedSession(const DistributedSession&) = delete;
  DistributedSession& operator=(const DistributedSession&) = delete;
  // Ends every rank at once (MPI_Abort) after this one failed with `message`; returns only
  // without --distributed.
  void abort_job(const std::string& message);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Parallel {
 public:
  Parallel(const Config& c, nn::Module& model);
  ~Parallel();
  Parallel(const Parallel&) = delete;
  Parallel& operator=(const Parallel&) = delete;

  int rank() const { return rank_; }
  int world() const { return world_; }
  bool is_main() const { return rank_ == 0; }
  Tensor forward(const Tensor& x);
  // This rank's [first, first + count) of a batch of n examples (the first n % world ranks get
  // one more).
  std::pair<std::int64_t, std::int64_t> my_part(std::int64_t n) const;
  // Whether any rank passed true, for each flag (one all-reduce; every rank gets the same answer).
  std::pair<bool, bool> any(bool a, bool b);
  double sum(double v);  // over the ranks
  // After each backward: adds the time DDP waited for the gradient reductions.
  void backward_done();
  // Seconds spent in communication (gradient reductions, agreement) since the last call.
  double take_comm_seconds();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  nn::Module& model_;
  int rank_ = 0, world_ = 1;
};

}  // namespace xg::train
