#pragma once
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace xg::autograd {

// LibTorch's names: a Variable is a Tensor.
using Variable = Tensor;
using variable_list = std::vector<Tensor>;
using tensor_list = std::vector<Tensor>;

// LibTorch's make_variable: `data`'s storage as a new leaf (no history), requiring grad or not.
inline Variable make_variable(const Tensor& data, bool requires_grad = false) {
  Tensor v = data.detach();
  if (requires_grad) v.requires_grad_(true);
  return v;
}

// Gradients of `outputs` w.r.t. `inputs` (as torch.autograd.grad), without touching .grad().
// grad_outputs may be empty for single-element outputs. With create_graph the results are
// themselves differentiable (higher derivatives). An input the outputs do not depend on is an
// AutogradError unless allow_unused, which gives an undefined tensor for it.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, bool retain_graph = false,
                         bool create_graph = false, bool allow_unused = false);

// Backward from several roots at once (Tensor::backward is the one-root case). With `inputs`,
// only those tensors' .grad() receive gradients (the graph is pruned to what reaches them).
void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs = {},
              bool retain_graph = false, bool create_graph = false, const std::vector<Tensor>& inputs = {});

}  // namespace xg::autograd

namespace xg {
// The recorded graph behind `t` as Graphviz DOT: one box per op with its name, output shape
// and the line that recorded it; leaves as ellipses.
std::string to_dot(const Tensor& t);
}  // namespace xg
