#include "distributed/ddp.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <unordered_set>

#include "autodiff/detail/node.h"
#include "autodiff/grad_mode.h"

namespace xg::nn::parallel {

namespace {

std::size_t nbytes(const Tensor& t) { return static_cast<std::size_t>(t.numel()) * dtype_size(t.dtype()); }

// The leaves the recorded graph behind `output` reaches (what PyTorch's DDP walks for
// find_unused_parameters).
std::unordered_set<const TensorImpl*> leaves_behind(const Tensor& output) {
  std::unordered_set<const TensorImpl*> leaves;
  if (!output.defined()) return leaves;
  if (!output.impl()->grad_fn) {
    leaves.insert(output.impl().get());
    return leaves;
  }
  std::unordered_set<const autograd::Node*> seen;
  std::vector<const autograd::Node*> stack{output.impl()->grad_fn.get()};
  seen.insert(stack.back());
  while (!stack.empty()) {
    const autograd::Node* n = stack.back();
    stack.pop_back();
    for (std::size_t k = 0; k < n->next.size(); ++k) {
      const autograd::Edge& e = n->next[k];
      if (e.fn) {
        if (seen.insert(e.fn.get()).second) stack.push_back(e.fn.get());
      } else if (e.is_leaf) {
        if (auto leaf = e.leaf.lock()) leaves.insert(leaf.get());
      }
    }
  }
  return leaves;
}

}  // namespace

struct DistributedDataParallel::Reducer {
  distributed::ProcessGroup* group = nullptr;
  bool find_unused = false;
  std::vector<Tensor> params;  // those requiring grad, in parameters() order
  struct Slot {
    std::size_t bucket = 0;
    std::size_t offset = 0;  // in bytes
  };
  std::vector<Slot> slots;
  struct Bucket {
    Tensor buffer;  // flat, the bucket's gradients side by side
    std::vector<std::size_t> params;
    std::size_t pending = 0;
    distributed::Work work;
  };
  std::vector<Bucket> buckets;

  // One synchronized iteration: from forward() to the last gradient of backward.
  bool prepared = false;
  std::vector<char> ready;
  std::size_t num_ready = 0;
  std::size_t next_launch = 0;
  Tensor local_used;  // int64 per parameter, for find_unused_parameters
  double wait_seconds = 0;

  char* slot_data(std::size_t i) { return static_cast<char*>(buckets[slots[i].bucket].buffer.raw_data()) + slots[i].offset; }

  void check_finished() const {
    if (!prepared || num_ready == 0) return;
    std::string missing;
    int shown = 0;
    for (std::size_t i = 0; i < params.size() && shown < 5; ++i)
      if (!ready[i]) {
        missing += fmt::format("{}parameter {} of shape {}", shown ? ", " : "", i, to_string(params[i].shape()));
        ++shown;
      }
    throw distributed::DistributedError(fmt::format(
        "DistributedDataParallel::forward: the previous backward produced only {} of the {} gradients to average; none "
        "reached {}. "
        "Construct DistributedDataParallel with find_unused_parameters(true) when the output does not depend on every "
        "parameter",
        num_ready, params.size(), missing));
  }

  void prepare(const Tensor& output) {
    prepared = true;
    ready.assign(params.size(), 0);
    num_ready = 0;
    next_launch = 0;
    for (auto& b : buckets) b.pending = b.params.size();
    if (!find_unused) return;
    const auto reached = leaves_behind(output);
    auto* used = local_used.data_ptr<std::int64_t>();
    for (std::size_t i = 0; i < params.size(); ++i) used[i] = reached.count(params[i].impl().get()) ? 1 : 0;
    for (std::size_t i = 0; i < params.size(); ++i)
      if (!used[i]) mark_ready(i);
  }

  void on_grad_ready(std::size_t i) {
    if (!prepared || ready[i]) return;
    mark_ready(i);
  }

  void mark_ready(std::size_t i) {
    ready[i] = 1;
    ++num_ready;
    const Tensor g = params[i].grad();
    if (g.defined()) std::memcpy(slot_data(i), g.raw_data(), nbytes(g));
    else std::memset(slot_data(i), 0, nbytes(params[i]));
    Bucket& b = buckets[slots[i].bucket];
    --b.pending;
    // Buckets start in index order on every rank, whatever order their gradients arrive in.
    while (next_launch < buckets.size() && buckets[next_launch].pending == 0) {
      Bucket& nb = buckets[next_launch++];
      nb.work = group->all_reduce(nb.buffer, distributed::ReduceOp::AVG);
    }
    for (std::size_t k = 0; k < next_launch; ++k) buckets[k].work.is_completed();  // drives MPI's progress
    if (num_ready == params.size()) finish();
  }

  void finish() {
    prepared = false;
    const auto t0 = std::chrono::steady_clock::now();
    for (auto& b : buckets) b.work.wait();
    const std::int64_t* used = nullptr;
    if (find_unused) {
      distributed::Work w = group->all_reduce(local_used, distributed::ReduceOp::MAX);
      w.wait();
      used = local_used.data_ptr<std::int64_t>();
    }
    wait_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (used && !used[i]) continue;  // no rank used it: its gradient stays as it was
      Tensor& p = params[i];
      Tensor g = p.grad();
      if (!g.defined() || g.requires_grad()) {
        g = empty(p.shape(), p.dtype());
        std::memcpy(g.raw_data(), slot_data(i), nbytes(p));
        p.set_grad(g);
      } else {
        std::memcpy(g.raw_data(), slot_data(i), nbytes(p));
        g.bump_version("DistributedDataParallel");
      }
    }
  }
};

DistributedDataParallel::DistributedDataParallel(Module& module, DistributedDataParallelOptions options,
                                                 distributed::ProcessGroup* group)
    : module_(&module), group_(group ? group : &distributed::default_group()), options_(options) {
  const double cap = options_.bucket_cap_mb_;
  if (!std::isfinite(cap) || cap <= 0)
    throw ValueError(fmt::format("DistributedDataParallel: bucket_cap_mb must be positive, got {}", cap));
  auto r = std::make_shared<Reducer>();
  r->group = group_;
  r->find_unused = options_.find_unused_parameters_;
  const std::vector<Tensor> all = module.parameters();
  for (const Tensor& p : all)
    if (p.requires_grad()) r->params.push_back(p);

  // The ranks must hold the same architecture: compare a fingerprint of every parameter's shape
  // and dtype before anything is overwritten.
  std::uint64_t h = all.size();  // unsigned: the hash wraps around
  for (const Tensor& p : all) {
    h = h * 1000003 + static_cast<std::uint64_t>(p.dtype()) + 7;
    for (std::int64_t d : p.sizes()) h = h * 31 + static_cast<std::uint64_t>(d);
  }
  const auto fp = static_cast<std::int64_t>(h);
  Tensor mine = from_vector(std::vector<std::int64_t>{static_cast<std::int64_t>(all.size()), fp}, Shape{2});
  std::vector<Tensor> theirs;
  group_->all_gather(theirs, mine).wait();
  for (int k = 0; k < group_->size(); ++k) {
    const auto v = theirs[static_cast<std::size_t>(k)].to_vector<std::int64_t>();
    if (v[0] != static_cast<std::int64_t>(all.size()) || v[1] != fp)
      throw distributed::DistributedError(fmt::format(
          "DistributedDataParallel: rank {} has a different model ({} parameters) than rank {} ({} parameters, or other "
          "shapes or dtypes); every rank must wrap the same architecture",
          k, v[0], group_->rank(), all.size()));
  }
  for (Tensor p : all) group_->broadcast(p, 0).wait();
  for (Tensor b : module.buffers()) group_->broadcast(b, 0).wait();

  // Buckets in reverse parameter order (roughly the order backward produces gradients).
  const auto cap_bytes = static_cast<std::size_t>(cap * 1024 * 1024);
  r->slots.resize(r->params.size());
  std::vector<std::size_t> sizes;  // bytes per bucket
  for (std::size_t k = r->params.size(); k-- > 0;) {
    const Tensor& p = r->params[k];
    const bool fits = !r->buckets.empty() && r->buckets.back().buffer.dtype() == p.dtype() &&
                      sizes.back() + nbytes(p) <= cap_bytes;
    if (!fits) {
      r->buckets.push_back({});
      r->buckets.back().buffer = empty(Shape{0}, p.dtype());  // dtype marker; sized below
      sizes.push_back(0);
    }
    r->slots[k] = {r->buckets.size() - 1, sizes.back()};
    r->buckets.back().params.push_back(k);
    sizes.back() += nbytes(p);
  }
  for (std::size_t b = 0; b < r->buckets.size(); ++b) {
    const DType dt = r->buckets[b].buffer.dtype();
    r->buckets[b].buffer = zeros(Shape{static_cast<std::int64_t>(sizes[b] / dtype_size(dt))}, dt);
  }
  r->local_used = zeros(Shape{static_cast<std::int64_t>(r->params.size())}, kInt64);
  reducer_ = r;

  std::weak_ptr<Reducer> weak = reducer_;
  for (std::size_t i = 0; i < r->params.size(); ++i) {
    Tensor p = r->params[i];
    const std::int64_t id = p.register_post_accumulate_grad_hook([weak, i](const Tensor&) {
      if (auto red = weak.lock()) red->on_grad_ready(i);
    });
    hooks_.emplace_back(p, id);
  }
}

DistributedDataParallel::~DistributedDataParallel() {
  for (auto& [p, id] : hooks_) {
    try {
      p.remove_hook(id);
    } catch (const xg::Error&) {  // already removed by the user
    }
  }
}

Tensor DistributedDataParallel::forward(const Tensor& input) {
  reducer_->check_finished();
  if (module_->is_training() && options_.broadcast_buffers_ && group_->size() > 1)
    for (Tensor b : module_->buffers()) group_->broadcast(b, 0).wait();
  Tensor out = (*module_)(input);
  if (require_sync_ && GradMode::is_enabled() && !reducer_->params.empty()) reducer_->prepare(out);
  else reducer_->prepared = false;
  return out;
}

DistributedDataParallel::NoSync::NoSync(DistributedDataParallel& ddp) : ddp_(ddp), prev_(ddp.require_sync_) {
  ddp_.require_sync_ = false;
}
DistributedDataParallel::NoSync::~NoSync() { ddp_.require_sync_ = prev_; }

std::vector<std::vector<std::size_t>> DistributedDataParallel::bucket_indices() const {
  std::vector<std::vector<std::size_t>> out;
  for (const auto& b : reducer_->buckets) out.push_back(b.params);
  return out;
}

double DistributedDataParallel::last_wait_seconds() const { return reducer_->wait_seconds; }

}  // namespace xg::nn::parallel
