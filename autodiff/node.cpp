#include "autodiff/detail/node.h"

#include <fmt/format.h>

#include "autodiff/grad_mode.h"
#include "autodiff/detail/record.h"

namespace xg::autograd {

namespace {
// Detaches the nodes only `n` keeps alive, so they can be destroyed by a loop instead of a chain
// of nested destructors (a graph of 10^6 ops would otherwise overflow the stack).
void steal_children(Node& n, std::vector<std::shared_ptr<Node>>& out) {
  for (std::size_t i = 0; i < n.saved.size(); ++i) n.saved[i] = SavedTensor{};
  for (std::size_t i = 0; i < n.next.size(); ++i) {
    auto& e = n.next[i];
    if (e.fn && e.fn.use_count() == 1) out.push_back(std::move(e.fn));
    e.fn.reset();
  }
}
}  // namespace

Node::~Node() {
  std::vector<std::shared_ptr<Node>> pending;
  steal_children(*this, pending);
  while (!pending.empty()) {
    std::shared_ptr<Node> n = std::move(pending.back());
    pending.pop_back();
    steal_children(*n, pending);
  }
}

namespace {
void throw_if_released(const Node& n) {
  if (n.released)
    throw AutogradError(fmt::format(
        "backward: trying to backward through the graph a second time: the values saved by '{}' ({}) "
        "were already freed; pass retain_graph=true to the first backward",
        n.name, n.recorded_at()));
}

void throw_if_modified(const Node& n, const SavedTensor& s) {
  const Storage& st = *s.tensor.impl()->storage;
  if (st.version != s.version)
    throw AutogradError(fmt::format(
        "backward: a tensor of shape {} saved by '{}' ({}) was modified by an in-place operation "
        "('{}'): its version is {}, expected {}. Use an out-of-place op or clone() it first",
        to_string(s.tensor.shape()), n.name, n.recorded_at(), st.last_inplace_op ? st.last_inplace_op : "?",
        st.version, s.version));
}
}  // namespace

std::string Node::recorded_at(bool with_function) const {
  if (loc.line() == 0) return "recorded by Function<T>::apply";
  return with_function ? fmt::format("recorded at {}:{} in {}", loc.file_name(), loc.line(), loc.function_name())
                       : fmt::format("recorded at {}:{}", loc.file_name(), loc.line());
}

Tensor Node::saved_value(std::size_t i) {
  throw_if_released(*this);
  const SavedTensor& s = saved[i];
  if (!s.tensor.defined()) return {};
  throw_if_modified(*this, s);
  if (!s.is_output || !GradMode::is_enabled()) return s.tensor;
  // Differentiating through a saved output: give it back its history (this node).
  Tensor linked = alias_with_shape(s.tensor, s.tensor.shape());
  linked.impl()->requires_grad = true;
  linked.impl()->grad_fn = shared_from_this();
  return linked;
}

void Node::check_saved() {
  if (released) return;
  for (std::size_t i = 0; i < saved.size(); ++i)
    if (saved[i].tensor.defined()) throw_if_modified(*this, saved[i]);
}

void Node::release() {
  released = true;
  for (std::size_t i = 0; i < saved.size(); ++i) saved[i].tensor = Tensor{};
}

void attach(const std::shared_ptr<Node>& node, Tensor& out, const char* name, const SourceLocation& loc,
            std::span<const Tensor* const> inputs, std::span<const Tensor* const> saved) {
  node->name = name;
  node->loc = loc;
  node->out_shape = out.shape();
  node->out_dtype = out.dtype();
  for (const Tensor* t : inputs) {
    Edge e;
    if (t->defined() && t->impl()->requires_grad) {
      if (t->impl()->grad_fn) e.fn = t->impl()->grad_fn;
      else {
        e.leaf = t->impl();
        e.is_leaf = true;
      }
    }
    node->next.push_back(std::move(e));
  }
  for (const Tensor* t : saved) {
    if (!t) {  // not needed for the gradients that will be asked for
      node->saved.push_back(SavedTensor{});
      continue;
    }
    const bool is_output = t->impl() == out.impl();
    SavedTensor s;
    s.tensor = is_output ? alias_with_shape(out, out.shape()) : *t;
    s.version = t->impl()->storage->version;
    s.is_output = is_output;
    node->saved.push_back(std::move(s));
  }
  out.impl()->requires_grad = true;
  out.impl()->grad_fn = node;
}

}  // namespace xg::autograd
