#pragma once
// Custom autograd functions, as LibTorch's torch::autograd::Function:
//
//   struct Square : xg::autograd::Function<Square> {
//     static xg::Tensor forward(xg::autograd::AutogradContext* ctx, const xg::Tensor& x) {
//       ctx->save_for_backward({x});
//       return x * x;                 // or a kernel of your own (xg::xt_view, tensor/xt_view.h)
//     }
//     static std::vector<xg::Tensor> backward(xg::autograd::AutogradContext* ctx, std::vector<xg::Tensor> g) {
//       const xg::Tensor x = ctx->get_saved_variables()[0];
//       return {g[0] * 2.0 * x};      // one gradient per forward argument
//     }
//   };
//   xg::Tensor y = Square::apply(x);
//
// forward runs with grad mode off and returns one Tensor, or several as a variable_list (then
// apply returns a variable_list, and backward gets one gradient per output: zeros for an output
// that received none, or an undefined Tensor after ctx->set_materialize_grads(false)). backward
// returns one entry per forward argument (an undefined Tensor for arguments that are not tensors, or that need no gradient). A
// backward written in xg ops supports double backward (create_graph, gradgradcheck). One whose
// gradients have no history (computed with raw kernels) is differentiable once: differentiating
// it again raises an AutogradError naming the function, where PyTorch would silently give zeros.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "autodiff/grad_mode.h"
#include "tensor/tensor.h"

namespace xg {
// LibTorch's at::TensorList: a view of tensors (a std::vector<Tensor> converts to it). A forward
// argument of this type counts as one argument per tensor (backward returns a gradient for each).
using TensorList = std::span<const Tensor>;
}  // namespace xg

namespace xg::autograd {

using variable_list = std::vector<Tensor>;
// Half-open ranges of tensor-argument positions, for needs_input_grad({...}) as LibTorch.
using IndexRange = std::pair<std::size_t, std::size_t>;

// A value kept in ctx->saved_data (LibTorch's IValue, for the types a custom function needs).
class SavedValue {
 public:
  SavedValue() = default;
  SavedValue(double v) : v_(v) {}                 // NOLINT: implicit, as IValue
  SavedValue(std::int64_t v) : v_(v) {}           // NOLINT
  SavedValue(int v) : v_(std::int64_t{v}) {}      // NOLINT
  SavedValue(bool v) : v_(v) {}                   // NOLINT
  SavedValue(std::string v) : v_(std::move(v)) {} // NOLINT
  SavedValue(const char* v) : v_(std::string(v)) {}  // NOLINT
  SavedValue(Tensor v) : v_(std::move(v)) {}      // NOLINT
  SavedValue(std::vector<double> v) : v_(std::move(v)) {}  // NOLINT
  // Each throws DTypeError naming both types when the value holds another type.
  double toDouble() const;
  std::int64_t toInt() const;
  bool toBool() const;
  const std::string& toStringRef() const;
  const Tensor& toTensor() const;
  const std::vector<double>& toDoubleVector() const;
  bool isNone() const { return v_.index() == 0; }

 private:
  std::variant<std::monostate, double, std::int64_t, bool, std::string, Tensor, std::vector<double>> v_;
};

struct FunctionNode;

class AutogradContext {
 public:
  // Tensors backward will need, read back with get_saved_variables(). Inputs and the output may be
  // saved (they share storage; an in-place change before backward is an AutogradError).
  void save_for_backward(std::vector<Tensor> to_save);
  std::vector<Tensor> get_saved_variables() const;
  // Values of other types for backward: ctx->saved_data["beta"] = 0.5; ... .toDouble().
  std::unordered_map<std::string, SavedValue> saved_data;
  // The output is a constant (an index, a mask): it gets no history.
  void mark_non_differentiable(const std::vector<Tensor>& outputs);
  // forward changed these inputs in place and returns one of them: its history becomes this function.
  void mark_dirty(const std::vector<Tensor>& inputs);
  // Whether the gradient of an output that received none reaches backward as zeros (the default)
  // or as an undefined Tensor. Only a function with several outputs can have such an output.
  void set_materialize_grads(bool value) { materialize_grads_ = value; }
  // Whether the gradient of the index-th *tensor* argument of forward is wanted (as LibTorch,
  // arguments that are not tensors are not counted: for forward(ctx, 2.0, x), x is 0).
  bool needs_input_grad(std::size_t index) const;
  // Whether any tensor argument in these ranges needs its gradient.
  bool needs_input_grad(std::initializer_list<IndexRange> ranges) const;

 private:
  template <class T> friend struct Function;
  friend struct FunctionNode;
  friend Tensor record_function(const std::shared_ptr<AutogradContext>&, const char*, const std::vector<Tensor>&,
                                Tensor, std::function<std::vector<Tensor>(AutogradContext*, std::vector<Tensor>)>);
  friend variable_list record_function_outputs(const std::shared_ptr<AutogradContext>&, const char*,
                                               const std::vector<Tensor>&, variable_list,
                                               std::function<std::vector<Tensor>(AutogradContext*, std::vector<Tensor>)>);
  std::vector<Tensor> to_save_;
  std::vector<Tensor> non_differentiable_, dirty_;
  std::vector<bool> input_requires_grad_;  // per forward argument
  std::vector<std::size_t> tensor_args_;   // the positions of the tensor arguments
  FunctionNode* node_ = nullptr;           // set once the output is recorded
  bool materialize_grads_ = true;
};

// Internal to Function<T>::apply: records out's node (when grad mode is on and an argument
// requires grad). `args` has one entry per forward argument, undefined for non-tensors.
Tensor record_function(const std::shared_ptr<AutogradContext>& ctx, const char* name, const std::vector<Tensor>& args,
                       Tensor out, std::function<std::vector<Tensor>(AutogradContext*, std::vector<Tensor>)> backward);
// The same for a forward that returned several tensors.
variable_list record_function_outputs(const std::shared_ptr<AutogradContext>& ctx, const char* name,
                                      const std::vector<Tensor>& args, variable_list outs,
                                      std::function<std::vector<Tensor>(AutogradContext*, std::vector<Tensor>)> backward);
// The readable name of a C++ type ("MySwish").
std::string demangle(const char* mangled);

namespace detail {
template <class A> inline constexpr bool is_tensor_arg = std::is_convertible_v<const std::decay_t<A>&, const Tensor&>;
template <class A>
inline constexpr bool is_tensor_list_arg = !is_tensor_arg<A> && std::is_convertible_v<const std::decay_t<A>&, TensorList>;
// One entry per forward argument, a tensor list giving one per tensor; undefined for non-tensors.
template <class A> void collect_arg(const A& a, std::vector<Tensor>& tensors, std::vector<bool>& is_tensor) {
  if constexpr (is_tensor_arg<A>) {
    tensors.push_back(a);
    is_tensor.push_back(true);
  } else if constexpr (is_tensor_list_arg<A>) {
    for (const Tensor& t : TensorList(a)) {
      tensors.push_back(t);
      is_tensor.push_back(true);
    }
  } else {
    tensors.emplace_back();
    is_tensor.push_back(false);
  }
}
}  // namespace detail

template <class T> struct Function {
  template <class... Args> static auto apply(Args&&... args) {
    static const std::string name = demangle(typeid(T).name());
    auto ctx = std::make_shared<AutogradContext>();
    std::vector<Tensor> tensors;
    std::vector<bool> is_tensor;
    (detail::collect_arg(args, tensors, is_tensor), ...);
    for (const auto& t : tensors) ctx->input_requires_grad_.push_back(t.defined() && t.requires_grad());
    for (std::size_t i = 0; i < tensors.size(); ++i)
      if (is_tensor[i]) ctx->tensor_args_.push_back(i);
    using Out = std::decay_t<decltype(T::forward(ctx.get(), std::forward<Args>(args)...))>;
    static_assert(std::is_same_v<Out, variable_list> || std::is_convertible_v<Out, Tensor>,
                  "forward must return a Tensor or a variable_list (std::vector<Tensor>)");
    Out out;
    {
      const NoGradGuard no_grad;  // as LibTorch, forward records nothing
      out = T::forward(ctx.get(), std::forward<Args>(args)...);
    }
    if constexpr (std::is_same_v<Out, variable_list>)
      return record_function_outputs(ctx, name.c_str(), tensors, std::move(out), &T::backward);
    else
      return record_function(ctx, name.c_str(), tensors, Tensor(std::move(out)), &T::backward);
  }
};

}  // namespace xg::autograd
