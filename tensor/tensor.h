#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tensor/dtype.h"
#include "tensor/errors.h"
#include "tensor/grad_fn.h"
#include "tensor/shape.h"
#include "tensor/source_location.h"

namespace xg {

class Tensor;
class Generator;
struct TensorImpl;
namespace autograd { struct Node; }

// What LibTorch calls TensorOptions: dtype plus requires_grad, e.g.
// xg::zeros({2, 3}, xg::TensorOptions(xg::kFloat64).requires_grad(true)).
struct TensorOptions {
  DType dtype_ = kFloat32;
  bool requires_grad_ = false;
  TensorOptions() = default;
  TensorOptions(DType d) : dtype_(d) {}  // NOLINT: implicit, so xg::zeros({2}, xg::kFloat64) works
  TensorOptions dtype(DType d) const { auto o = *this; o.dtype_ = d; return o; }
  TensorOptions requires_grad(bool r = true) const { auto o = *this; o.requires_grad_ = r; return o; }
};
inline TensorOptions dtype(DType d) { return TensorOptions(d); }
inline TensorOptions requires_grad(bool r = true) { return TensorOptions().requires_grad(r); }

using Hook = std::function<Tensor(const Tensor&)>;
using PostAccumulateGradHook = std::function<void(const Tensor&)>;

// The right operand of a binary operator (`x * y`, `h += r`), carrying the location of the user's
// expression: a default argument cannot sit on an operator, but the operand's implicit conversion
// can take one, so anomaly reports and in-place errors name the user's line.
struct TensorOperand {
  TensorOperand(const Tensor& v, XG_HERE) : value(v), where(loc) {}  // NOLINT: implicit on purpose
  const Tensor& value;
  SourceLocation where;
};
struct ScalarOperand {
  ScalarOperand(double v, XG_HERE) : value(v), where(loc) {}  // NOLINT: implicit on purpose
  double value;
  SourceLocation where;
};

// A cheap shared handle to a tensor: storage (row-major, contiguous), shape, dtype and an
// autograd slot. Copying a Tensor copies the handle, not the data (use clone() for that).
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  std::vector<std::int64_t> sizes() const { return shape().vec(); }
  std::int64_t size(std::int64_t dim) const;
  std::int64_t dim() const { return static_cast<std::int64_t>(shape().size()); }
  std::int64_t numel() const;
  DType dtype() const;
  bool is_floating_point() const { return is_floating(dtype()); }

  template <class T> T item() const;
  template <class T> T at(std::initializer_list<std::int64_t> index) const;
  template <class T> T* data_ptr();
  template <class T> const T* data_ptr() const;
  template <class T> std::vector<T> to_vector() const;
  void* raw_data() const;

  Tensor clone(XG_HERE) const;
  Tensor detach() const;  // shares storage, no autograd history
  Tensor& detach_();      // this tensor leaves the graph: no history, no longer requires grad
  Tensor to(DType d, XG_HERE) const;  // differentiable between float dtypes

  // ----- autograd -----
  bool requires_grad() const;
  Tensor& requires_grad_(bool r = true);
  bool is_leaf() const;
  Tensor grad() const;  // undefined tensor when there is none
  void set_grad(const Tensor& g);
  void retain_grad();
  bool retains_grad() const;
  autograd::GradFn grad_fn() const;  // empty for a leaf; grad_fn()->name() as LibTorch
  std::string grad_fn_name() const;  // "" when not recorded
  // With `inputs`, gradients accumulate only into those tensors' .grad() (leaves or not), as
  // LibTorch's backward(inputs=...); the rest of the graph is pruned.
  void backward(const Tensor& gradient = {}, bool retain_graph = false, bool create_graph = false,
                const std::vector<Tensor>& inputs = {}) const;
  // Hook called with the gradient w.r.t. this tensor; may return a replacement (or undefined
  // to keep it). Returns a handle for remove_hook.
  std::int64_t register_hook(Hook hook);
  // A hook that only observes the gradient (returns void), as LibTorch allows.
  template <class F>
    requires std::is_void_v<std::invoke_result_t<F&, const Tensor&>>
  std::int64_t register_hook(F hook) {
    return register_hook(Hook([hook = std::move(hook)](const Tensor& g) mutable {
      hook(g);
      return Tensor();
    }));
  }
  // A hook on a leaf, called with the leaf itself once per backward() after every gradient for it
  // has gone into .grad(), as PyTorch's register_post_accumulate_grad_hook (not by autograd::grad).
  std::int64_t register_post_accumulate_grad_hook(PostAccumulateGradHook hook);
  // ValueError if no hook with that handle is registered on this tensor.
  void remove_hook(std::int64_t handle);
  // The in-place version counter: values saved for backward remember it, and backward refuses
  // one that changed. Call bump_version after writing through data_ptr() yourself.
  std::uint32_t version() const;
  void bump_version(const char* op = "a write through data_ptr");
  // Makes this handle (and every copy of it) hold new_data's values, shape and dtype, keeping its
  // own autograd slot, as LibTorch's set_data (Module::to uses it). new_data is not copied.
  void set_data(const Tensor& new_data);

  // ----- in-place -----
  // Without a graph to record they write into the storage. Recording (grad mode on and this
  // tensor or an operand requires grad), the tensor takes the op's result and history, and its
  // views follow (see autodiff/inplace.cpp); on a leaf that requires grad they raise.
  Tensor& add_(const Tensor& other, double alpha = 1.0, XG_HERE);
  Tensor& add_(double v, XG_HERE);
  Tensor& sub_(const Tensor& other, double alpha = 1.0, XG_HERE);
  Tensor& sub_(double v, XG_HERE);
  Tensor& mul_(const Tensor& other, XG_HERE);
  Tensor& mul_(double v, XG_HERE);
  Tensor& div_(const Tensor& other, XG_HERE);
  Tensor& div_(double v, XG_HERE);
  Tensor& zero_(XG_HERE);
  Tensor& fill_(double v, XG_HERE);
  Tensor& copy_(const Tensor& src, XG_HERE);
  Tensor& clamp_(std::optional<double> min, std::optional<double> max, XG_HERE);
  Tensor& relu_(XG_HERE);
  // The location travels in the operand's implicit conversion (see TensorOperand).
  Tensor& operator+=(TensorOperand other);
  Tensor& operator-=(TensorOperand other);
  Tensor& operator*=(TensorOperand other);
  Tensor& operator/=(TensorOperand other);
  Tensor& operator+=(ScalarOperand v);
  Tensor& operator-=(ScalarOperand v);
  Tensor& operator*=(ScalarOperand v);
  Tensor& operator/=(ScalarOperand v);

  // ----- method forms of common ops (see autodiff/ops.h); each records the caller's line -----
  Tensor sum(XG_HERE) const;
  Tensor sum(std::vector<std::int64_t> dims, bool keepdim = false, XG_HERE) const;
  Tensor mean(XG_HERE) const;
  Tensor mean(std::vector<std::int64_t> dims, bool keepdim = false, XG_HERE) const;
  Tensor reshape(const Shape& s, XG_HERE) const;
  Tensor view(const Shape& s, XG_HERE) const;
  Tensor flatten(std::int64_t start_dim = 0, std::int64_t end_dim = -1, XG_HERE) const;
  Tensor transpose(std::int64_t d0, std::int64_t d1, XG_HERE) const;
  Tensor t(XG_HERE) const;
  Tensor permute(std::vector<std::int64_t> dims, XG_HERE) const;
  Tensor squeeze(XG_HERE) const;
  Tensor squeeze(std::int64_t dim, XG_HERE) const;
  Tensor unsqueeze(std::int64_t dim, XG_HERE) const;
  Tensor expand(const Shape& s, XG_HERE) const;
  Tensor matmul(const Tensor& other, XG_HERE) const;
  Tensor pow(double p, XG_HERE) const;
  Tensor pow(const Tensor& p, XG_HERE) const;
  Tensor exp(XG_HERE) const;
  Tensor log(XG_HERE) const;
  Tensor sqrt(XG_HERE) const;
  Tensor abs(XG_HERE) const;
  Tensor relu(XG_HERE) const;
  Tensor sigmoid(XG_HERE) const;
  Tensor tanh(XG_HERE) const;
  Tensor softmax(std::int64_t dim, XG_HERE) const;
  Tensor log_softmax(std::int64_t dim, XG_HERE) const;
  Tensor norm(double p = 2, XG_HERE) const;
  Tensor argmax(std::int64_t dim, bool keepdim = false) const;

  const std::shared_ptr<TensorImpl>& impl() const { return impl_; }

 private:
  void check_type(DType want, const char* what) const;
  std::shared_ptr<TensorImpl> impl_;
};

// ----- creation -----
Tensor tensor(std::initializer_list<double> values, TensorOptions opt = {});
Tensor tensor(std::initializer_list<std::initializer_list<double>> rows, TensorOptions opt = {});
Tensor from_vector(const std::vector<float>& data, const Shape& shape, bool requires_grad = false);
Tensor from_vector(const std::vector<double>& data, const Shape& shape, bool requires_grad = false);
Tensor from_vector(const std::vector<std::int64_t>& data, const Shape& shape);
Tensor scalar_tensor(double v, TensorOptions opt = {});
Tensor empty(const Shape& shape, TensorOptions opt = {});
Tensor zeros(const Shape& shape, TensorOptions opt = {});
Tensor ones(const Shape& shape, TensorOptions opt = {});
Tensor full(const Shape& shape, double value, TensorOptions opt = {});
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
Tensor empty_like(const Tensor& t);
Tensor arange(double start, double end, double step = 1, TensorOptions opt = {});
Tensor arange(double end, TensorOptions opt = {});
Tensor linspace(double start, double end, std::int64_t steps, TensorOptions opt = {});
Tensor eye(std::int64_t n, TensorOptions opt = {});
Tensor eye(std::int64_t n, std::int64_t m, TensorOptions opt = {});
// Random creation draws from `gen`, or from the global generator (xg::manual_seed) if null.
Tensor rand(const Shape& shape, TensorOptions opt = {}, Generator* gen = nullptr);
Tensor randn(const Shape& shape, TensorOptions opt = {}, Generator* gen = nullptr);
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, Generator* gen = nullptr);
Tensor randperm(std::int64_t n, Generator* gen = nullptr);
Tensor bernoulli(const Shape& shape, double p, TensorOptions opt = {}, Generator* gen = nullptr);
Tensor rand_like(const Tensor& t, Generator* gen = nullptr);
Tensor randn_like(const Tensor& t, Generator* gen = nullptr);

// ----- printing -----
std::string to_string(const Tensor& t);
std::ostream& operator<<(std::ostream& os, const Tensor& t);

// ----- templates -----
namespace detail {
[[noreturn]] void throw_dtype(const char* op, DType want, DType got);
[[noreturn]] void throw_undefined(const char* op);
std::int64_t flat_index(const char* op, const Shape& s, std::initializer_list<std::int64_t> index);
// ValueError: `op` cannot convert v to an integer of `bits` bits (NaN, infinite or out of range).
[[noreturn]] void throw_unconvertible(const char* op, double v, int bits);
template <class T, class S> T converted(const char* op, S v) {
  if (!fits<T>(v)) throw_unconvertible(op, static_cast<double>(v), static_cast<int>(8 * sizeof(T)));
  return static_cast<T>(v);
}
}  // namespace detail

template <class T> T* Tensor::data_ptr() {
  check_type(dtype_v<T>, "data_ptr");
  return static_cast<T*>(raw_data());
}
template <class T> const T* Tensor::data_ptr() const {
  check_type(dtype_v<T>, "data_ptr");
  return static_cast<const T*>(raw_data());
}
template <class T> T Tensor::item() const {
  if (!defined()) detail::throw_undefined("item");
  if (numel() != 1)
    throw ValueError("item: expected a tensor with one element, got shape " + to_string(shape()));
  switch (dtype()) {
    case kFloat32: return detail::converted<T>("item", *static_cast<const float*>(raw_data()));
    case kFloat64: return detail::converted<T>("item", *static_cast<const double*>(raw_data()));
    case kInt64: return static_cast<T>(*static_cast<const std::int64_t*>(raw_data()));
  }
  return T{};
}
template <class T> T Tensor::at(std::initializer_list<std::int64_t> index) const {
  if (!defined()) detail::throw_undefined("at");
  std::int64_t i = detail::flat_index("at", shape(), index);
  switch (dtype()) {
    case kFloat32: return detail::converted<T>("at", static_cast<const float*>(raw_data())[i]);
    case kFloat64: return detail::converted<T>("at", static_cast<const double*>(raw_data())[i]);
    case kInt64: return static_cast<T>(static_cast<const std::int64_t*>(raw_data())[i]);
  }
  return T{};
}
template <class T> std::vector<T> Tensor::to_vector() const {
  if (!defined()) detail::throw_undefined("to_vector");
  std::vector<T> out(static_cast<std::size_t>(numel()));
  auto copy = [&](auto* p) { for (std::size_t i = 0; i < out.size(); ++i) out[i] = detail::converted<T>("to_vector", p[i]); };
  switch (dtype()) {
    case kFloat32: copy(static_cast<const float*>(raw_data())); break;
    case kFloat64: copy(static_cast<const double*>(raw_data())); break;
    case kInt64: copy(static_cast<const std::int64_t*>(raw_data())); break;
  }
  return out;
}

}  // namespace xg
