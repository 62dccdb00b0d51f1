// The backward engine: an iterative, dependency-counted sweep over the recorded graph.
#include <fmt/format.h>

#include <unordered_map>

#include "autodiff/autograd.h"
#include "autodiff/grad_mode.h"
#include "autodiff/node.h"
#include "autodiff/ops.h"
#include "tensor/kernels.h"

namespace xg::autograd {

namespace {

std::uint64_t next_epoch() {
  static thread_local std::uint64_t epoch = 0;
  return ++epoch;
}

Tensor run_hooks(const std::vector<std::pair<std::int64_t, Hook>>& hooks, Tensor g) {
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

bool shared_elsewhere(const Tensor& g) { return g.impl().use_count() > 1 || g.impl()->storage.use_count() > 1; }

// Adds g into t's .grad(): in place when nothing else can see the buffer, out of place when
// building a graph of the gradient (create_graph).
void accumulate_into(TensorImpl& impl, Tensor g, bool create_graph) {
  auto& ex = impl.autograd_extra();
  if (!ex.grad.defined()) {
    ex.grad = create_graph ? g : (shared_elsewhere(g) ? kernel::copy(g) : g.detach());
  } else if (create_graph || ex.grad.requires_grad()) {
    ex.grad = add(ex.grad, g);
  } else {
    kernel::binary_inplace(kernel::Binary::Add, ex.grad, g);
  }
}

Tensor add_buffer(const Tensor& buf, const Tensor& g) { return buf.defined() ? add(buf, g) : g; }

void check_grad(const Node& n, std::size_t i, const Tensor& g, const Shape& want, DType dt) {
  if (!(g.shape() == want) || g.dtype() != dt)
    throw AutogradError(fmt::format("backward: '{}' produced a gradient of shape {} ({}) for input {} of shape {} ({})",
                                    n.name, to_string(g.shape()), dtype_name(g.dtype()), i, to_string(want), dtype_name(dt)));
}

void check_anomaly(const Node& n, const GradList& grads) {
  for (std::size_t i = 0; i < grads.size(); ++i)
    if (grads[i].defined() && kernel::has_nonfinite(grads[i]))
      throw AutogradError(fmt::format(
          "anomaly: the backward of '{}' (recorded at {}:{} in {}) returned NaN or Inf in the gradient for its input {} "
          "(shape {})",
          n.name, n.loc.file_name(), n.loc.line(), n.loc.function_name(), i, to_string(grads[i].shape())));
}

struct Capture {
  std::unordered_map<const Node*, std::size_t> nodes;
  std::unordered_map<const TensorImpl*, std::size_t> leaves;
  std::vector<Tensor>* results = nullptr;
  const std::vector<Tensor>* inputs = nullptr;
  bool allow_unused = false;
  std::vector<bool> reached;  // filled by the discovery pass, checked before any work
};

void mark_reached(Capture* cap, const Node* n, const TensorImpl* leaf) {
  if (!cap) return;
  if (n) {
    auto it = cap->nodes.find(n);
    if (it != cap->nodes.end()) cap->reached[it->second] = true;
  }
  if (leaf) {
    auto it = cap->leaves.find(leaf);
    if (it != cap->leaves.end()) cap->reached[it->second] = true;
  }
}

void run(const std::vector<Tensor>& roots, const std::vector<Tensor>& root_grads, bool retain_graph, bool create_graph,
         Capture* capture) {
  retain_graph = retain_graph || create_graph;
  const std::uint64_t epoch = next_epoch();

  // 1. Find the graph and count, for every node, how many edges lead into it.
  std::vector<Node*> stack;
  std::vector<std::shared_ptr<Node>> keep;  // hold roots' nodes alive during the sweep
  for (const auto& r : roots) {
    Node* n = r.impl()->grad_fn.get();
    if (!n || n->epoch == epoch) continue;
    n->epoch = epoch;
    n->deps = 0;
    n->grad_buffer = Tensor{};
    keep.push_back(r.impl()->grad_fn);
    stack.push_back(n);
  }
  for (const auto& r : roots) mark_reached(capture, r.impl()->grad_fn.get(), r.impl()->grad_fn ? nullptr : r.impl().get());
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    if (n->released)
      throw AutogradError(fmt::format(
          "backward: trying to backward through the graph a second time ('{}' recorded at {}:{} was already freed); "
          "pass retain_graph=true to the first backward",
          n->name, n->loc.file_name(), n->loc.line()));
    n->check_saved();
    mark_reached(capture, n, nullptr);
    for (std::size_t i = 0; i < n->next.size(); ++i) {
      if (capture && n->next[i].is_leaf) mark_reached(capture, nullptr, n->next[i].leaf.lock().get());
      Node* c = n->next[i].fn.get();
      if (!c) continue;
      if (c->epoch != epoch) {
        c->epoch = epoch;
        c->deps = 0;
        c->grad_buffer = Tensor{};
        stack.push_back(c);
      }
      ++c->deps;
    }
  }

  if (capture && !capture->allow_unused)
    for (std::size_t i = 0; i < capture->reached.size(); ++i)
      if (!capture->reached[i])
        throw AutogradError(fmt::format("grad: input {} (shape {}) was not used to compute the outputs; pass allow_unused=true "
                                        "to get an undefined gradient for it",
                                        i, to_string((*capture->inputs)[i].shape())));

  // 2. Seed the roots.
  std::vector<Node*> ready;
  for (std::size_t i = 0; i < roots.size(); ++i) {
    const auto& impl = roots[i].impl();
    if (impl->grad_fn) {
      impl->grad_fn->grad_buffer = add_buffer(impl->grad_fn->grad_buffer, root_grads[i]);
    } else if (capture) {
      auto it = capture->leaves.find(impl.get());
      if (it != capture->leaves.end()) (*capture->results)[it->second] = add_buffer((*capture->results)[it->second], root_grads[i]);
    } else {
      accumulate_into(*impl, run_hooks(impl->extra ? impl->extra->hooks : decltype(impl->extra->hooks){}, root_grads[i]), create_graph);
    }
  }
  for (const auto& r : roots) {
    Node* n = r.impl()->grad_fn.get();
    if (n && n->deps == 0 && std::find(ready.begin(), ready.end(), n) == ready.end()) ready.push_back(n);
  }

  // 3. Sweep: a node runs once all its consumers have contributed to its gradient.
  const bool anomaly = DetectAnomalyGuard::is_enabled();
  while (!ready.empty()) {
    Node* n = ready.back();
    ready.pop_back();
    Tensor g = std::move(n->grad_buffer);
    n->grad_buffer = Tensor{};
    if (g.defined()) {
      if (!n->hooks.empty()) g = run_hooks(n->hooks, g);
      if (auto impl = n->retained.lock()) accumulate_into(*impl, g, create_graph);
      if (capture) {
        auto it = capture->nodes.find(n);
        if (it != capture->nodes.end()) (*capture->results)[it->second] = g;
      }
    }
    GradList grads;
    if (g.defined()) {
      grads = n->apply(g);
      if (anomaly) check_anomaly(*n, grads);
    }
    if (!retain_graph) n->release();
    for (std::size_t i = 0; i < n->next.size(); ++i) {
      const Edge& e = n->next[i];
      if (!e.valid()) continue;
      const Tensor gi = i < grads.size() ? grads[i] : Tensor{};
      if (e.is_leaf) {
        const std::shared_ptr<TensorImpl> leaf = e.leaf.lock();
        if (!gi.defined() || !leaf) continue;
        check_grad(*n, i, gi, leaf->shape, leaf->dtype);
        if (capture) {
          auto it = capture->leaves.find(leaf.get());
          if (it != capture->leaves.end()) (*capture->results)[it->second] = add_buffer((*capture->results)[it->second], gi);
        } else {
          const auto& hooks = leaf->extra ? leaf->extra->hooks : decltype(leaf->extra->hooks){};
          accumulate_into(*leaf, hooks.empty() ? gi : run_hooks(hooks, gi), create_graph);
        }
        continue;
      }
      Node* c = e.fn.get();
      if (gi.defined()) {
        check_grad(*n, i, gi, c->out_shape, c->out_dtype);
        c->grad_buffer = add_buffer(c->grad_buffer, gi);
      }
      if (--c->deps == 0) ready.push_back(c);
    }
  }
}

std::vector<Tensor> make_root_grads(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs) {
  if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
    throw ValueError(fmt::format("backward: got {} gradients for {} outputs", grad_outputs.size(), outputs.size()));
  std::vector<Tensor> grads;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& o = outputs[i];
    if (!o.defined()) throw ValueError(fmt::format("backward: output {} is undefined", i));
    if (!o.requires_grad())
      throw AutogradError(fmt::format("backward: output {} (shape {}) does not require grad and has no grad_fn; "
                                      "did you compute it under NoGradGuard or from tensors without requires_grad?",
                                      i, to_string(o.shape())));
    const Tensor g = grad_outputs.empty() ? Tensor{} : grad_outputs[i];
    if (!g.defined()) {
      if (o.numel() != 1)
        throw AutogradError(fmt::format("backward: a gradient can be implicitly created only for a single-element output; "
                                        "output {} has shape {}; pass a gradient of that shape",
                                        i, to_string(o.shape())));
      grads.push_back(ones_like(o));
    } else {
      if (!(g.shape() == o.shape()) || g.dtype() != o.dtype())
        throw ShapeError(fmt::format("backward: gradient of shape {} ({}) does not match output {} of shape {} ({})",
                                     to_string(g.shape()), dtype_name(g.dtype()), i, to_string(o.shape()), dtype_name(o.dtype())));
      grads.push_back(g);
    }
  }
  return grads;
}

}  // namespace

void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs, bool retain_graph, bool create_graph) {
  const std::vector<Tensor> grads = make_root_grads(outputs, grad_outputs);
  AutoGradMode mode(create_graph);
  run(outputs, grads, retain_graph, create_graph, nullptr);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, bool retain_graph, bool create_graph, bool allow_unused) {
  const std::vector<Tensor> grads = make_root_grads(outputs, grad_outputs);
  Capture cap;
  std::vector<Tensor> results(inputs.size());
  cap.results = &results;
  cap.inputs = &inputs;
  cap.allow_unused = allow_unused;
  cap.reached.assign(inputs.size(), false);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.defined() || !x.requires_grad())
      throw AutogradError(fmt::format("grad: input {} does not require grad", i));
    if (x.impl()->grad_fn) cap.nodes.emplace(x.impl()->grad_fn.get(), i);
    else cap.leaves.emplace(x.impl().get(), i);
  }
  {
    AutoGradMode mode(create_graph);
    run(outputs, grads, retain_graph, create_graph, &cap);
  }
  return results;
}

}  // namespace xg::autograd
