#pragma once
// Internal: a recorded op in the graph. One Node per differentiable op call; it has exactly
// one (differentiable) output, edges to its inputs' producers, the values it saved and its
// derivative rule, written with the same differentiable ops (so create_graph works).
#include <memory>
#include <vector>

#include "autodiff/small_vector.h"
#include "tensor/tensor_impl.h"

namespace xg::autograd {

using GradList = SmallVector<Tensor, 3>;

struct Edge {
  std::shared_ptr<Node> fn;        // the input's grad_fn, when it is not a leaf
  std::weak_ptr<TensorImpl> leaf;  // the input itself, when it is a leaf requiring grad
  bool is_leaf = false;
  // Weak, so that a leaf whose .grad() holds a graph (create_graph) does not keep itself alive
  // through that graph; a leaf that no longer exists simply receives no gradient.
  bool valid() const { return fn || is_leaf; }
};

struct SavedTensor {
  Tensor tensor;
  std::uint32_t version = 0;
  bool is_output = false;  // stored without grad_fn to avoid a cycle; re-linked on unpack
};

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
  bool released = false;
  std::vector<std::pair<std::int64_t, Hook>> hooks;  // hooks of the output tensor
  std::weak_ptr<TensorImpl> retained;                // output that called retain_grad()

  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  virtual ~Node();
  virtual GradList apply(const Tensor& grad) = 0;

  bool needs_grad(std::size_t i) const { return i < next.size() && next[i].valid(); }
  // The i-th saved value; throws AutogradError if it was modified in place since it was saved.
  Tensor saved_value(std::size_t i);
  // Throws the same errors as saved_value for any saved value, before backward does any work.
  void check_saved() const;
  void release();
};

template <class F>
struct FnNode final : Node {
  F f;
  explicit FnNode(F fn) : f(std::move(fn)) {}
  GradList apply(const Tensor& grad) override { return f(*this, grad); }
};

}  // namespace xg::autograd
