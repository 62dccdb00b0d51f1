#pragma once
// Data-parallel training: every rank holds the same model, runs forward and backward on its own
// part of the batch, and the gradients are averaged over the ranks during backward, so that
// optimizer.step() takes the same step on every rank as one process on the whole batch would.
//
//   xg::distributed::InitGuard mpi;
//   Net net;
//   xg::nn::parallel::DistributedDataParallel ddp(net);  // copies rank 0's parameters everywhere
//   xg::optim::SGD opt(net.parameters(), 0.1);
//   auto loss = xg::nn::functional::cross_entropy(ddp(x_local), y_local);
//   opt.zero_grad();
//   loss.backward();                                      // gradients arrive averaged
//   opt.step();
//
// As PyTorch's DDP: gradients are put into buckets of about bucket_cap_mb in the reverse order of
// parameters(); a bucket's all-reduce starts as soon as all its gradients are ready, while
// backward goes on. Every forward() in training broadcasts rank 0's buffers (batch-norm running
// statistics) unless broadcast_buffers is off; batch norm itself uses each rank's own batch.
#include <cstdint>
#include <memory>
#include <vector>

#include "distributed/process_group.h"
#include "nn/module.h"

namespace xg::nn::parallel {

struct DistributedDataParallelOptions {
  double bucket_cap_mb_ = 25;
  bool find_unused_parameters_ = false;
  bool broadcast_buffers_ = true;
  DistributedDataParallelOptions& bucket_cap_mb(double v) { bucket_cap_mb_ = v; return *this; }
  // Walk the graph after each forward for parameters the output does not depend on; their
  // gradient counts as zero on this rank (and stays untouched when no rank used them).
  DistributedDataParallelOptions& find_unused_parameters(bool v) { find_unused_parameters_ = v; return *this; }
  DistributedDataParallelOptions& broadcast_buffers(bool v) { broadcast_buffers_ = v; return *this; }
};

class DistributedDataParallel {
 public:
  // The module must outlive this wrapper. Collective: every rank constructs it at the same point.
  // ValueError for bucket_cap_mb <= 0; DistributedError when the ranks' models differ in their
  // parameters' shapes and dtypes.
  explicit DistributedDataParallel(Module& module, DistributedDataParallelOptions options = {},
                                   distributed::ProcessGroup* group = nullptr);
  ~DistributedDataParallel();
  DistributedDataParallel(const DistributedDataParallel&) = delete;
  DistributedDataParallel& operator=(const DistributedDataParallel&) = delete;

  // The module's forward; with grad mode on and outside no_sync, the next backward() averages
  // the gradients. DistributedError if the previous backward reduced only some gradients (a
  // parameter got none: use find_unused_parameters).
  Tensor forward(const Tensor& input);
  Tensor operator()(const Tensor& input) { return forward(input); }

  Module& module() { return *module_; }
  std::vector<Tensor> parameters() const { return module_->parameters(); }

  // While the returned guard lives, backward only accumulates local gradients (gradient
  // accumulation); the first backward after it averages everything accumulated.
  class NoSync {
   public:
    explicit NoSync(DistributedDataParallel& ddp);
    ~NoSync();
    NoSync(const NoSync&) = delete;
    NoSync& operator=(const NoSync&) = delete;

   private:
    DistributedDataParallel& ddp_;
    bool prev_;
  };
  [[nodiscard]] NoSync no_sync() { return NoSync(*this); }

  // Inspection: the parameter indices (into parameters() of those requiring grad) per bucket.
  std::vector<std::vector<std::size_t>> bucket_indices() const;
  // Seconds spent waiting for reductions in the last synchronized backward.
  double last_wait_seconds() const;

  struct Reducer;

 private:
  Module* module_;
  distributed::ProcessGroup* group_;
  DistributedDataParallelOptions options_;
  std::shared_ptr<Reducer> reducer_;
  std::vector<std::pair<Tensor, std::int64_t>> hooks_;  // parameter, hook handle
  bool require_sync_ = true;
};

}  // namespace xg::nn::parallel
