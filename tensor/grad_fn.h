#pragma once
// What Tensor::grad_fn() returns: a shared handle to the op that produced a tensor, as LibTorch's
// std::shared_ptr<torch::autograd::Node>, so `y.grad_fn()->name()` and `if (y.grad_fn())` port
// unchanged. The node itself stays internal.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace xg::autograd {

struct Node;

class GradFn {
 public:
  GradFn() = default;
  GradFn(std::nullptr_t) {}  // NOLINT: implicit, as a shared_ptr
  explicit GradFn(std::shared_ptr<Node> node) : node_(std::move(node)) {}

  // PyTorch's name of the backward node: "MulBackward0" for mul, "LogSoftmaxBackward0" for
  // log_softmax (the op's name in CamelCase; the overload suffix is always 0).
  std::string name() const;
  // The op's name as xgrad records it ("mul"), the same as Tensor::grad_fn_name().
  std::string op_name() const;
  std::size_t num_inputs() const;   // gradients the node takes: 1 (xgrad nodes have one output)
  std::size_t num_outputs() const;  // gradients it gives: one per input of the op
  // The producers of the inputs (an empty handle for a leaf or an input without history), as
  // PyTorch's grad_fn.next_functions.
  std::vector<GradFn> next_functions() const;

  const GradFn* operator->() const { return this; }
  explicit operator bool() const { return node_ != nullptr; }
  Node* get() const { return node_.get(); }
  friend bool operator==(const GradFn& a, const GradFn& b) { return a.node_ == b.node_; }
  friend bool operator==(const GradFn& a, std::nullptr_t) { return a.node_ == nullptr; }

 private:
  std::shared_ptr<Node> node_;
};

}  // namespace xg::autograd
