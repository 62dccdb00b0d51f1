// The backward engine: an iterative, dependency-counted sweep over the recorded graph, in named
// steps: discover the nodes behind the roots, prune them to those whose gradient is wanted,
// seed the roots' gradients, sweep (a node runs once all its consumers have contributed).
#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "autodiff/autograd.h"
#include "autodiff/detail/node.h"
#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"
#include "tensor/detail/elementwise.h"
#include "tensor/detail/kernels.h"

namespace xg::autograd {

namespace {

std::uint64_t next_epoch() {
  static thread_local std::uint64_t epoch = 0;
  return ++epoch;
}

Tensor run_hooks(const Hooks& hooks, Tensor g) {
  for (const auto& [id, hook] : hooks) {
    Tensor r = hook(g);
    if (r.defined()) {
      if (!(r.shape() == g.shape()) || r.dtype() != g.dtype())
        throw AutogradError(fmt::format("hook: returned a gradient of shape {} ({}) for a gradient of shape {} ({})",
                                        to_string(r.shape()), dtype_name(r.dtype()), to_string(g.shape()), dtype_name(g.dtype())));
      g = std::move(r);
    }
  }
  return g;
}

const Hooks& leaf_hooks(const TensorImpl& leaf) {
  static const Hooks none;
  return leaf.extra ? leaf.extra->hooks : none;
}

void run_post_hooks(const std::shared_ptr<TensorImpl>& leaf) {
  if (!leaf->extra || leaf->extra->post_hooks.empty()) return;
  const auto hooks = leaf->extra->post_hooks;  // a copy: a hook may register or remove hooks
  const Tensor self(leaf);
  for (const auto& [id, hook] : hooks) hook(self);
}

bool shared_elsewhere(const Tensor& g) { return g.impl().use_count() > 1 || g.impl()->storage.use_count() > 1; }

// Adds g into t's .grad(): in place when nothing else can see the buffer, out of place when
// building a graph of the gradient (create_graph). A gradient something else holds (the same
// tensor flows to both inputs of add, a retained or user-given gradient) is copied first, as
// PyTorch's AccumulateGrad does, so zeroing one .grad() in place never changes another tensor;
// under create_graph the copy is a recorded clone, so the gradient keeps its history.
void accumulate_into(TensorImpl& impl, Tensor g, bool create_graph) {
  auto& ex = impl.autograd_extra();
  if (!ex.grad.defined()) {
    if (create_graph) ex.grad = shared_elsewhere(g) ? g.clone() : std::move(g);
    else ex.grad = shared_elsewhere(g) ? kernel::copy(g) : g.detach();
  } else if (create_graph || ex.grad.requires_grad()) {
    ex.grad = add(ex.grad, g);
  } else {
    kernel::zip_into(ex.grad, g, [](auto a, auto b) { return a + b; });
  }
}

// Gradients move (not copy) along the sweep: a copy is an atomic reference-count round trip,
// a measurable share of a small node's backward.
Tensor add_buffer(const Tensor& buf, Tensor g) {
  if (!buf.defined()) return g;
  return add(buf, g);
}

// Whether `small` broadcasts to `big` (so a gradient of shape big sums back to it).
bool broadcasts_to(const Shape& small, const Shape& big) {
  if (small.size() > big.size()) return false;
  const std::size_t off = big.size() - small.size();
  for (std::size_t i = 0; i < small.size(); ++i)
    if (small[i] != 1 && small[i] != big[i + off]) return false;
  return true;
}

// A rule's gradient for input i, brought to the input's shape: broadcasting is undone here, once,
// for every op.
Tensor to_input_shape(const Node& n, std::size_t i, Tensor g, const Shape& want, DType dt) {
  if (g.dtype() != dt || !broadcasts_to(want, g.shape()))
    throw AutogradError(fmt::format("backward: '{}' produced a gradient of shape {} ({}) for input {}; expected shape {} ({})",
                                    n.name, to_string(g.shape()), dtype_name(g.dtype()), i, to_string(want), dtype_name(dt)));
  if (g.shape() == want) return g;
  return sum_to(g, want);
}

void check_anomaly(const Node& n, const GradList& grads) {
  for (std::size_t i = 0; i < grads.size(); ++i)
    if (grads[i].defined() && kernel::has_nonfinite(grads[i]))
      throw AutogradError(fmt::format(
          "anomaly: the backward of '{}' ({}) returned NaN or Inf in the gradient for its input {} (shape {})", n.name,
          n.recorded_at(true), i, to_string(grads[i].shape())));
}

// One backward call. Gradients end in the leaves' .grad() (backward), or, when inputs are
// given (grad), in `results`; then only the part of the graph that reaches an input runs.
class GraphTask {
 public:
  GraphTask(bool retain_graph, bool create_graph) : retain_graph_(retain_graph || create_graph), create_graph_(create_graph) {}

  // grad() leaves every .grad() alone, also of retain_grad() tensors (as PyTorch 2); backward with
  // inputs (who = "backward") still fills those on the pruned graph.
  void capture(const std::vector<Tensor>& inputs, const char* who = "grad") {
    capturing_ = true;
    fill_retained_ = std::string_view(who) == "backward";
    inputs_ = &inputs;
    results_.assign(inputs.size(), Tensor{});
    reached_.assign(inputs.size(), false);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const Tensor& x = inputs[i];
      if (!x.defined() || !x.requires_grad()) throw AutogradError(fmt::format("{}: input {} does not require grad", who, i));
      if (x.impl()->grad_fn) input_nodes_.emplace(x.impl()->grad_fn.get(), i);
      else input_leaves_.emplace(x.impl().get(), i);
    }
  }

  void run(const std::vector<Tensor>& roots, const std::vector<Tensor>& root_grads, bool allow_unused) {
    discover(roots);
    if (capturing_) prune();
    if (capturing_ && !allow_unused) check_reached(roots);
    seed(roots, root_grads);
    sweep();
  }

  std::vector<Tensor> results() { return std::move(results_); }

 private:
  // Visits every node behind the roots and resets its bookkeeping; fails before any work on a
  // freed graph or a stale saved value. For backward() it also counts each node's dependencies;
  // for grad() it lists the nodes for prune(), each after the nodes it sends gradients to.
  void discover(const std::vector<Tensor>& roots) {
    std::vector<std::pair<Node*, std::size_t>> stack;  // node, next edge to visit
    auto visit = [&](Node* n) {
      if (n->released)
        throw AutogradError(fmt::format(
            "{}: trying to backward through the graph a second time ('{}' {} was already freed); "
            "pass retain_graph=true to the first backward",
            capturing_ ? "grad" : "backward", n->name, n->recorded_at()));
      n->check_saved();
      n->epoch = epoch_;
      n->deps = 0;
      n->needed = !capturing_;
      n->grad_buffer = Tensor{};
      stack.emplace_back(n, 0);
    };
    for (const auto& r : roots) {
      const std::shared_ptr<Node>& fn = r.impl()->grad_fn;
      if (!fn || fn->epoch == epoch_) continue;
      keep_.push_back(fn);
      visit(fn.get());
      while (!stack.empty()) {
        if (!capturing_) {  // backward(): pre-order is enough, and the stack stays shallow on chains
          Node* n = stack.back().first;
          stack.pop_back();
          for (std::size_t i = 0; i < n->next.size(); ++i) {
            Edge& e = n->next[i];
            Node* c = e.fn.get();
            if (c && c->epoch != epoch_) visit(c);
            e.wanted = e.valid();  // every input that requires grad gets its gradient
            if (c) ++c->deps;
            else if (e.is_leaf) {
              count_post_hook_edge(e);
              if (e.wanted) count_hooked_edge(e);
            }
          }
          continue;
        }
        auto [n, i] = stack.back();
        if (i == n->next.size()) {
          order_.push_back(n);
          stack.pop_back();
          continue;
        }
        ++stack.back().second;
        Edge& e = n->next[i];
        Node* c = e.fn.get();
        if (c && c->epoch != epoch_) visit(c);
      }
    }
  }

  // A leaf with post-accumulate hooks runs them when the last of its edges has been swept.
  void count_post_hook_edge(const Edge& e) {
    const std::shared_ptr<TensorImpl> leaf = e.leaf.lock();
    if (!leaf || !leaf->extra || leaf->extra->post_hooks.empty()) return;
    AutogradExtra& ex = *leaf->extra;
    if (ex.post_epoch != epoch_) {
      ex.post_epoch = epoch_;
      ex.post_pending = 0;
    }
    ++ex.post_pending;
  }
  // A leaf with hooks gets the sum of its gradients once, after its last edge has been swept (as
  // LibTorch's AccumulateGrad): its hooks see the whole gradient, not one part per use.
  void count_hooked_edge(const Edge& e) {
    const std::shared_ptr<TensorImpl> leaf = e.leaf.lock();
    if (leaf && leaf->extra && !leaf->extra->hooks.empty()) ++hooked_[leaf.get()].edges;
  }
  void hooked_edge_done(const std::shared_ptr<TensorImpl>& leaf) {
    if (!leaf || capturing_) return;
    auto it = hooked_.find(leaf.get());
    if (it == hooked_.end() || it->second.edges == 0 || --it->second.edges > 0) return;
    Tensor g = std::move(it->second.sum);
    hooked_.erase(it);
    if (g.defined()) accumulate_into(*leaf, run_hooks(leaf_hooks(*leaf), g), create_graph_);
  }
  void post_hook_edge_done(const std::shared_ptr<TensorImpl>& leaf) {
    if (!leaf || capturing_ || !leaf->extra || leaf->extra->post_epoch != epoch_) return;
    if (--leaf->extra->post_pending == 0) run_post_hooks(leaf);
  }

  std::size_t input_index(const Node* n) const {
    auto it = input_nodes_.find(n);
    return it == input_nodes_.end() ? npos : it->second;
  }
  std::size_t input_index(const TensorImpl* leaf) const {
    auto it = input_leaves_.find(leaf);
    return it == input_leaves_.end() ? npos : it->second;
  }

  // grad(): marks the edges whose gradient is wanted (they reach an input) and the nodes that must
  // run, and counts each node's dependencies (the wanted edges into it). Children come first in
  // order_, so a node's inputs are decided before the node itself.
  void prune() {
    for (Node* n : order_) {
      bool any = false;
      for (std::size_t i = 0; i < n->next.size(); ++i) {
        Edge& e = n->next[i];
        if (e.is_leaf) e.wanted = input_index(e.leaf.lock().get()) != npos;
        else e.wanted = e.fn && e.fn->needed;
        any |= e.wanted;
      }
      const std::size_t self = input_index(n);
      if (self != npos) reached_[self] = true;
      n->needed = any || self != npos;
      if (!n->needed) continue;
      for (std::size_t i = 0; i < n->next.size(); ++i) {
        Edge& e = n->next[i];
        if (!e.wanted) continue;
        if (e.fn) ++e.fn->deps;
        else reached_[input_index(e.leaf.lock().get())] = true;
      }
    }
  }

  void check_reached(const std::vector<Tensor>& roots) {
    for (const auto& r : roots) {
      const std::size_t i = r.impl()->grad_fn ? input_index(r.impl()->grad_fn.get()) : input_index(r.impl().get());
      if (i != npos) reached_[i] = true;
    }
    for (std::size_t i = 0; i < reached_.size(); ++i)
      if (!reached_[i])
        throw AutogradError(fmt::format("grad: input {} (shape {}) was not used to compute the outputs. Set allow_unused=True "
                                        "(the sixth argument, allow_unused=true) to get an undefined gradient for it",
                                        i, to_string((*inputs_)[i].shape())));
  }

  void deliver_to_leaf(TensorImpl& leaf, const Tensor& g) {
    if (capturing_) {
      const std::size_t i = input_index(&leaf);
      if (i != npos) results_[i] = add_buffer(results_[i], g);
      return;
    }
    if (auto it = hooked_.find(&leaf); it != hooked_.end()) {
      it->second.sum = add_buffer(it->second.sum, g);
      return;
    }
    const Hooks& hooks = leaf_hooks(leaf);
    accumulate_into(leaf, hooks.empty() ? g : run_hooks(hooks, g), create_graph_);
  }

  void seed(const std::vector<Tensor>& roots, const std::vector<Tensor>& root_grads) {
    for (std::size_t i = 0; i < roots.size(); ++i) {
      const auto& impl = roots[i].impl();
      if (!impl->grad_fn) {
        deliver_to_leaf(*impl, root_grads[i]);
        if (!capturing_) run_post_hooks(impl);
      }
      else if (impl->grad_fn->needed) impl->grad_fn->grad_buffer = add_buffer(impl->grad_fn->grad_buffer, root_grads[i]);
    }
    for (const auto& r : roots) {
      Node* n = r.impl()->grad_fn.get();
      if (n && n->needed && n->deps == 0 && std::find(ready_.begin(), ready_.end(), n) == ready_.end()) ready_.push_back(n);
    }
  }

  void sweep() {
    const bool anomaly = DetectAnomalyGuard::is_enabled();
    while (!ready_.empty()) {
      Node* n = ready_.back();
      ready_.pop_back();
      Tensor g = std::move(n->grad_buffer);
      n->grad_buffer = Tensor{};
      GradList grads;
      if (g.defined()) {
        if (!n->hooks.empty()) g = run_hooks(n->hooks, g);
        // An input's gradient is a result (backward with inputs accumulates it afterwards).
        const std::size_t input = capturing_ ? input_index(n) : npos;
        if (input != npos) results_[input] = g;
        else if (!capturing_ || fill_retained_)
          if (auto impl = n->retained.lock()) accumulate_into(*impl, g, create_graph_);
        grads = n->apply(g);
        if (anomaly) check_anomaly(*n, grads);
      }
      if (!retain_graph_) n->release();
      for (std::size_t i = 0; i < n->next.size(); ++i) {
        const Edge& e = n->next[i];
        if (!e.wanted) continue;
        Tensor gi = i < grads.size() ? std::move(grads[i]) : Tensor{};
        if (e.is_leaf) {
          const std::shared_ptr<TensorImpl> leaf = e.leaf.lock();
          if (gi.defined() && leaf) deliver_to_leaf(*leaf, to_input_shape(*n, i, std::move(gi), leaf->shape, leaf->dtype));
          hooked_edge_done(leaf);
          post_hook_edge_done(leaf);
          continue;
        }
        Node* c = e.fn.get();
        if (gi.defined())
          c->grad_buffer = add_buffer(c->grad_buffer, to_input_shape(*n, i, std::move(gi), c->out_shape, c->out_dtype));
        if (--c->deps == 0) ready_.push_back(c);
      }
    }
  }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  const bool retain_graph_, create_graph_;
  const std::uint64_t epoch_ = next_epoch();
  bool capturing_ = false;
  bool fill_retained_ = false;
  const std::vector<Tensor>* inputs_ = nullptr;
  std::unordered_map<const Node*, std::size_t> input_nodes_;
  std::unordered_map<const TensorImpl*, std::size_t> input_leaves_;
  std::vector<Tensor> results_;
  struct HookedLeaf {
    std::size_t edges = 0;  // wanted edges into it not yet swept
    Tensor sum;
  };
  std::unordered_map<const TensorImpl*, HookedLeaf> hooked_;
  std::vector<bool> reached_;
  std::vector<std::shared_ptr<Node>> keep_;  // the roots' nodes, alive during the sweep
  std::vector<Node*> order_;
  std::vector<Node*> ready_;
};

// `op` is the call the user made ("backward" or "grad"), named by every message.
std::vector<Tensor> make_root_grads(const char* op, const std::vector<Tensor>& outputs,
                                    const std::vector<Tensor>& grad_outputs) {
  if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
    throw ValueError(fmt::format("{}: got {} gradients for {} outputs", op, grad_outputs.size(), outputs.size()));
  std::vector<Tensor> grads;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& o = outputs[i];
    if (!o.defined()) throw ValueError(fmt::format("{}: output {} is undefined", op, i));
    if (!o.requires_grad())
      throw AutogradError(fmt::format("{}: output {} (shape {}) does not require grad and has no grad_fn; "
                                      "did you compute it under NoGradGuard or from tensors without requires_grad?",
                                      op, i, to_string(o.shape())));
    const Tensor g = grad_outputs.empty() ? Tensor{} : grad_outputs[i];
    if (!g.defined()) {
      if (o.numel() != 1)
        throw AutogradError(fmt::format("{}: a gradient can be implicitly created only for a single-element output; "
                                        "output {} has shape {}; pass a gradient of that shape",
                                        op, i, to_string(o.shape())));
      grads.push_back(ones_like(o));
    } else {
      if (g.dtype() != o.dtype())
        throw DTypeError(fmt::format("{}: gradient of dtype {} (shape {}) does not match output {} of dtype {} (shape {})", op,
                                     dtype_name(g.dtype()), to_string(g.shape()), i, dtype_name(o.dtype()),
                                     to_string(o.shape())));
      if (!(g.shape() == o.shape()))
        throw ShapeError(fmt::format("{}: gradient of shape {} ({}) does not match output {} of shape {} ({})", op,
                                     to_string(g.shape()), dtype_name(g.dtype()), i, to_string(o.shape()), dtype_name(o.dtype())));
      grads.push_back(g);
    }
  }
  return grads;
}

// A backward started inside a backward (a custom Function's backward or a hook calling it) nests
// on the C++ stack; past this depth it raises instead of overflowing the stack. LibTorch moves
// deep reentrant backwards to fresh threads instead; 256 levels fit the main thread's 8 MB with room
// to spare, sanitizer builds included.
constexpr int kMaxReentrantDepth = 256;
thread_local int reentrant_depth = 0;

class ReentrantDepth {
 public:
  explicit ReentrantDepth(const char* op) {
    if (reentrant_depth >= kMaxReentrantDepth)
      throw AutogradError(fmt::format("{}: backward called inside backward more than {} levels deep (a custom Function's "
                                      "backward or a hook that starts another backward, recursively); deeper nesting would "
                                      "overflow the C++ stack", op, kMaxReentrantDepth));
    ++reentrant_depth;
  }
  ~ReentrantDepth() { --reentrant_depth; }
  ReentrantDepth(const ReentrantDepth&) = delete;
  ReentrantDepth& operator=(const ReentrantDepth&) = delete;
};

}  // namespace

void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs, bool retain_graph, bool create_graph,
              const std::vector<Tensor>& inputs) {
  const ReentrantDepth depth("backward");
  const std::vector<Tensor> grads = make_root_grads("backward", outputs, grad_outputs);
  AutoGradMode mode(create_graph);
  if (inputs.empty()) {
    GraphTask(retain_graph, create_graph).run(outputs, grads, false);
    return;
  }
  // backward(inputs=...): the pruned sweep of grad(), then each result into its input's .grad().
  GraphTask task(retain_graph, create_graph);
  task.capture(inputs, "backward");
  task.run(outputs, grads, /*allow_unused=*/true);
  const std::vector<Tensor> results = task.results();
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!results[i].defined()) continue;
    TensorImpl& impl = *inputs[i].impl();
    const Tensor g = impl.grad_fn ? results[i] : run_hooks(leaf_hooks(impl), results[i]);
    accumulate_into(impl, g, create_graph);
    if (!impl.grad_fn) run_post_hooks(inputs[i].impl());
  }
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, bool retain_graph, bool create_graph, bool allow_unused) {
  if (inputs.empty()) throw ValueError("grad requires non-empty inputs (the tensors to differentiate with respect to)");
  const ReentrantDepth depth("grad");
  const std::vector<Tensor> grads = make_root_grads("grad", outputs, grad_outputs);
  GraphTask task(retain_graph, create_graph);
  task.capture(inputs);
  AutoGradMode mode(create_graph);
  task.run(outputs, grads, allow_unused);
  return task.results();
}

}  // namespace xg::autograd
