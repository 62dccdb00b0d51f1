#pragma once
// Internal: a recorded op in the graph. One Node per differentiable op call; it has exactly
// one (differentiable) output, edges to its inputs' producers, the values it saved and one
// derivative rule per input, written with the same differentiable ops (so create_graph works).
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "autodiff/detail/small_vector.h"
#include "tensor/detail/tensor_impl.h"

namespace xg::autograd {

using GradList = SmallVector<Tensor, 3>;

struct Edge {
  std::shared_ptr<Node> fn;        // the input's grad_fn, when it is not a leaf
  std::weak_ptr<TensorImpl> leaf;  // the input itself, when it is a leaf requiring grad
  bool is_leaf = false;
  // Set by the engine for each sweep: whether this input's gradient is needed (false for an
  // input that does not require grad, and for parts of the graph autograd::grad prunes).
  bool wanted = false;
  // Weak, so that a leaf whose .grad() holds a graph (create_graph) does not keep itself alive
  // through that graph; a leaf that no longer exists simply receives no gradient.
  bool valid() const { return fn || is_leaf; }
};

struct SavedTensor {
  Tensor tensor;
  std::uint32_t version = 0;
  bool is_output = false;  // stored without grad_fn to avoid a cycle; re-linked on unpack
};

using Hooks = std::vector<std::pair<std::int64_t, Hook>>;

struct Node : std::enable_shared_from_this<Node> {
  const char* name = "";
  SourceLocation loc;
  Shape out_shape;
  DType out_dtype = kFloat32;
  SmallVector<Edge, 2> next;
  SmallVector<SavedTensor, 2> saved;

  // Engine bookkeeping for one backward sweep.
  Tensor grad_buffer;
  std::int32_t deps = 0;
  std::uint64_t epoch = 0;
  bool needed = false;
  bool released = false;
  Hooks hooks;                          // hooks of the output tensor
  std::weak_ptr<TensorImpl> retained;  // output that called retain_grad()

  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  virtual ~Node();
  // The gradient for each input (undefined where not wanted), given the output's gradient. A
  // gradient may have the output's (broadcast) shape: the engine sums it back to the input's.
  virtual GradList apply(const Tensor& grad) = 0;

  // The i-th saved value; throws AutogradError if it was modified in place since it was saved.
  Tensor saved_value(std::size_t i);
  // Throws the same errors as saved_value for any saved value, before backward does any work.
  void check_saved();
  void release();
  // "recorded at file:line" (with " in function" when asked), or "recorded by
  // Function<T>::apply" for a custom function, whose apply cannot take the caller's location.
  std::string recorded_at(bool with_function = false) const;
};

// An op with a fixed number of inputs: rule i gives input i's gradient, and runs only when that
// gradient is wanted.
template <class... Rules>
struct FnNode final : Node {
  std::tuple<Rules...> rules;
  explicit FnNode(Rules... r) : rules(std::move(r)...) {}
  GradList apply(const Tensor& grad) override {
    GradList out;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (out.push_back(next[I].wanted ? std::get<I>(rules)(*this, grad) : Tensor{}), ...);
    }(std::index_sequence_for<Rules...>{});
    return out;
  }
};

// An op with a variable number of inputs (cat): one rule called with the input's index.
template <class Rule>
struct FnNodeMany final : Node {
  Rule rule;
  explicit FnNodeMany(Rule r) : rule(std::move(r)) {}
  GradList apply(const Tensor& grad) override {
    GradList out;
    for (std::size_t i = 0; i < next.size(); ++i) out.push_back(next[i].wanted ? rule(*this, grad, i) : Tensor{});
    return out;
  }
};

}  // namespace xg::autograd
