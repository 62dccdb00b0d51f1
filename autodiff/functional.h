#pragma once
// torch.autograd.functional: vjp, jvp, jacobian, hessian, vhp and hvp of a function, with
// PyTorch's meaning, argument order and options (create_graph, strict; vectorize and the
// forward-mode strategies are absent).
//
//   auto [y, g] = xg::autograd::functional::vjp([](const xg::Tensor& x) { return xg::sin(x); }, x, v);
//   xg::Tensor H = xg::autograd::functional::hessian([](const xg::Tensor& x) { return (x * x * x).sum(); }, x);
//
// A function of one tensor takes `const xg::Tensor&` and returns a Tensor; the results are
// Tensors. A function of several tensors takes `const std::vector<xg::Tensor>&` and returns a
// Tensor or a std::vector<Tensor>; the results are vectors, and jacobian(...)[i][j] (hessian's
// likewise) is d output i / d input j, of shape output_i.shape + input_j.shape. Write the
// parameter type out: a generic lambda (const auto&) matches both forms.
//
// The inputs are used as given (detached copies that require grad, or, with create_graph, views
// that keep their history so the results can be differentiated again). Without create_graph the
// outputs and results are detached. An output that does not depend on an input gives zeros, or
// an AutogradError with strict. jvp uses the double-vjp trick (two reverse passes: u ↦ Jᵀu is
// linear in u, and its vjp with v is Jv); hvp and vhp never build the Hessian (hvp is PyTorch's
// double-backward form, so it is H·v also for a function whose Hessian is not symmetric).
#include <concepts>
#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace xg::autograd::functional {

// A function of several tensors returning one or several tensors.
class TensorsFn {
 public:
  using Impl = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;
  template <class F>
    requires std::is_invocable_r_v<std::vector<Tensor>, F&, const std::vector<Tensor>&>
  TensorsFn(F f) : fn_(std::move(f)) {}  // NOLINT: implicit, so a lambda can be passed
  template <class F>
    requires(!std::is_invocable_r_v<std::vector<Tensor>, F&, const std::vector<Tensor>&> &&
             std::is_invocable_r_v<Tensor, F&, const std::vector<Tensor>&>)
  TensorsFn(F f) : fn_([f = std::move(f)](const std::vector<Tensor>& xs) mutable { return std::vector<Tensor>{f(xs)}; }) {}  // NOLINT
  std::vector<Tensor> operator()(const std::vector<Tensor>& xs) const { return fn_(xs); }

 private:
  Impl fn_;
};
// A function of several tensors returning one single-element tensor (hessian, vhp, hvp).
using ScalarFn = std::function<Tensor(const std::vector<Tensor>&)>;
// A function of one tensor.
using TensorFn = std::function<Tensor(const Tensor&)>;

using Tensors = std::vector<Tensor>;

// (func(inputs), vᵀJ): v has the outputs' shapes; it may be omitted when the output has one element.
std::pair<Tensors, Tensors> vjp(const TensorsFn& func, const Tensors& inputs, const Tensors& v = {},
                                bool create_graph = false, bool strict = false);
std::pair<Tensor, Tensor> vjp(const TensorFn& func, const Tensor& input, const Tensor& v = {},
                              bool create_graph = false, bool strict = false);

// (func(inputs), J·v): v has the inputs' shapes; it may be omitted when the input has one element.
std::pair<Tensors, Tensors> jvp(const TensorsFn& func, const Tensors& inputs, const Tensors& v = {},
                                bool create_graph = false, bool strict = false);
std::pair<Tensor, Tensor> jvp(const TensorFn& func, const Tensor& input, const Tensor& v = {},
                              bool create_graph = false, bool strict = false);

// J[i][j] = d output_i / d input_j, one reverse pass per output element.
std::vector<Tensors> jacobian(const TensorsFn& func, const Tensors& inputs, bool create_graph = false,
                              bool strict = false);
Tensor jacobian(const TensorFn& func, const Tensor& input, bool create_graph = false, bool strict = false);

// H[i][j] = d² func / d input_i d input_j, for a function returning a single-element tensor.
std::vector<Tensors> hessian(const ScalarFn& func, const Tensors& inputs, bool create_graph = false,
                             bool strict = false);
Tensor hessian(const TensorFn& func, const Tensor& input, bool create_graph = false, bool strict = false);

// (func(inputs), vᵀH) and (func(inputs), H·v) for a function returning a single-element tensor.
std::pair<Tensor, Tensors> vhp(const ScalarFn& func, const Tensors& inputs, const Tensors& v = {},
                               bool create_graph = false, bool strict = false);
std::pair<Tensor, Tensor> vhp(const TensorFn& func, const Tensor& input, const Tensor& v = {},
                              bool create_graph = false, bool strict = false);
std::pair<Tensor, Tensors> hvp(const ScalarFn& func, const Tensors& inputs, const Tensors& v = {},
                               bool create_graph = false, bool strict = false);
std::pair<Tensor, Tensor> hvp(const TensorFn& func, const Tensor& input, const Tensor& v = {},
                              bool create_graph = false, bool strict = false);

}  // namespace xg::autograd::functional
