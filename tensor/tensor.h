#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "tensor/device.h"
#include "tensor/dtype.h"
#include "tensor/errors.h"
#include "tensor/grad_fn.h"
#include "tensor/scalar.h"
#include "tensor/shape.h"
#include "tensor/source_location.h"

namespace xg {

class Tensor;
class Generator;
struct TensorImpl;
namespace autograd { struct Node; }
namespace indexing { class TensorIndex; }

// What LibTorch calls TensorOptions: dtype, device and requires_grad, e.g.
// xg::zeros({2, 3}, xg::TensorOptions().dtype(xg::kFloat64).device(xg::kCPU).requires_grad(true)).
// A factory given a CUDA device raises a ValueError.
struct TensorOptions {
  DType dtype_ = kFloat32;
  bool requires_grad_ = false;
  Device device_ = Device(kCPU);
  TensorOptions() = default;
  TensorOptions(DType d) : dtype_(d) {}  // NOLINT: implicit, so xg::zeros({2}, xg::kFloat64) works
  TensorOptions(Device d) : device_(d) {}  // NOLINT: implicit as LibTorch's
  TensorOptions(DeviceType d) : device_(d) {}  // NOLINT
  TensorOptions dtype(DType d) const { auto o = *this; o.dtype_ = d; return o; }
  TensorOptions device(Device d) const { auto o = *this; o.device_ = d; return o; }
  TensorOptions requires_grad(bool r = true) const { auto o = *this; o.requires_grad_ = r; return o; }
};
inline TensorOptions dtype(DType d) { return TensorOptions(d); }
inline TensorOptions device(Device d) { return TensorOptions(d); }
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
  DType scalar_type() const { return dtype(); }
  std::int64_t ndimension() const { return dim(); }
  std::int64_t element_size() const { return static_cast<std::int64_t>(dtype_size(dtype())); }
  bool is_floating_point() const { return is_floating(dtype()); }
  // Always the CPU, always contiguous: contiguous() returns the tensor itself.
  Device device() const { return Device(kCPU); }
  bool is_cpu() const { return true; }
  bool is_cuda() const { return false; }
  bool is_contiguous() const { return true; }
  Tensor contiguous() const { return *this; }

  // The one element as a Scalar (x.item().toFloat()), or converted (x.item<float>()).
  Scalar item() const;
  template <class T> T item() const;
  template <class T> T at(std::initializer_list<std::int64_t> index) const;
  template <class T> T* data_ptr();
  template <class T> const T* data_ptr() const;
  template <class T> std::vector<T> to_vector() const;
  void* raw_data() const;

  Tensor clone(XG_HERE) const;
  Tensor detach() const;  // shares storage, no autograd history
  Tensor& detach_();      // this tensor leaves the graph: no history, no longer requires grad
  // LibTorch's tensor_data(): the same storage without autograd history (as detach()).
  Tensor tensor_data() const { return detach(); }
  Tensor to(DType d, XG_HERE) const;  // differentiable between float dtypes
  // ValueError for a CUDA device; the CPU returns the tensor itself (or copy).
  Tensor to(Device d, bool non_blocking = false, bool copy = false) const;
  Tensor to(DeviceType d, bool non_blocking = false, bool copy = false) const { return to(Device(d), non_blocking, copy); }
  Tensor to(Device d, DType t, bool non_blocking = false, bool copy = false) const;
  Tensor to(const TensorOptions& o, bool non_blocking = false, bool copy = false) const;
  Tensor cpu() const { return *this; }
  Tensor to(const Tensor& other) const { return to(other.dtype()); }  // other's dtype
  Tensor type_as(const Tensor& other) const { return to(other.dtype()); }
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  // ----- autograd -----
  bool requires_grad() const;
  Tensor& requires_grad_(bool r = true);
  Tensor& set_requires_grad(bool r) { return requires_grad_(r); }  // LibTorch's other spelling
  bool is_leaf() const;
  Tensor grad() const;  // undefined tensor when there is none
  // The tensor's .grad() slot itself, to assign or modify (LibTorch's mutable_grad).
  Tensor& mutable_grad();
  void set_grad(const Tensor& g);
  void retain_grad();
  bool retains_grad() const;
  autograd::GradFn grad_fn() const;  // empty for a leaf; grad_fn()->name() as LibTorch
  std::string grad_fn_name() const;  // "" when not recorded
  // With `inputs`, gradients accumulate only into those tensors' .grad() (leaves or not), as
  // LibTorch's backward(inputs=...); the rest of the graph is pruned. An empty list given
  // explicitly is a ValueError, as LibTorch.
  void backward(const Tensor& gradient = {}, bool retain_graph = false, bool create_graph = false,
                const std::optional<std::vector<Tensor>>& inputs = std::nullopt) const;
  // backward(g, r, c, {x, z}); `{}` means none given, as LibTorch's nullopt.
  void backward(const Tensor& gradient, bool retain_graph, bool create_graph, std::initializer_list<Tensor> inputs) const;
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
  std::int64_t _version() const { return version(); }  // LibTorch's name
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

  // ----- method forms of ops (see autodiff/ops.h), LibTorch's names; each records the caller's line -----
  Tensor add(const Tensor& other, double alpha = 1, XG_HERE) const;
  Tensor add(double other, XG_HERE) const;
  Tensor sub(const Tensor& other, double alpha = 1, XG_HERE) const;
  Tensor sub(double other, XG_HERE) const;
  Tensor mul(const Tensor& other, XG_HERE) const;
  Tensor mul(double other, XG_HERE) const;
  Tensor div(const Tensor& other, XG_HERE) const;
  Tensor div(double other, XG_HERE) const;
  Tensor neg(XG_HERE) const;
  Tensor square(XG_HERE) const;
  Tensor sign(XG_HERE) const;
  Tensor pow(double p, XG_HERE) const;
  Tensor pow(const Tensor& p, XG_HERE) const;
  Tensor abs(XG_HERE) const;
#define XG_UNARY(name, ...) Tensor name(XG_HERE) const;
#include "autodiff/unary_ops.def"
#undef XG_UNARY
  Tensor floor(XG_HERE) const;
  Tensor ceil(XG_HERE) const;
  Tensor round(XG_HERE) const;
  Tensor clamp(std::optional<double> min, std::optional<double> max = std::nullopt, XG_HERE) const;
  Tensor clamp_min(double min, XG_HERE) const;
  Tensor clamp_max(double max, XG_HERE) const;
  Tensor maximum(const Tensor& other, XG_HERE) const;
  Tensor minimum(const Tensor& other, XG_HERE) const;
  Tensor softmax(std::int64_t dim, XG_HERE) const;
  Tensor log_softmax(std::int64_t dim, XG_HERE) const;

  // Reductions: dims as one int or a braced list; empty = every dim.
  Tensor sum(XG_HERE) const;
  Tensor sum(Dims dims, bool keepdim = false, XG_HERE) const;
  Tensor mean(XG_HERE) const;
  Tensor mean(Dims dims, bool keepdim = false, XG_HERE) const;
  Tensor var(XG_HERE) const;
  Tensor var(Dims dims, bool unbiased = true, bool keepdim = false, XG_HERE) const;
  Tensor std(XG_HERE) const;
  Tensor std(Dims dims, bool unbiased = true, bool keepdim = false, XG_HERE) const;
  Tensor prod(XG_HERE) const;
  Tensor prod(std::int64_t dim, bool keepdim = false, XG_HERE) const;
  Tensor logsumexp(Dims dims, bool keepdim = false, XG_HERE) const;
  Tensor norm(double p = 2, XG_HERE) const;
  Tensor norm(double p, Dims dims, bool keepdim = false, XG_HERE) const;
  Tensor max(XG_HERE) const;
  Tensor min(XG_HERE) const;
  std::tuple<Tensor, Tensor> max(std::int64_t dim, bool keepdim = false, XG_HERE) const;  // (values, indices)
  std::tuple<Tensor, Tensor> min(std::int64_t dim, bool keepdim = false, XG_HERE) const;
  Tensor max(const Tensor& other, XG_HERE) const;  // maximum
  Tensor min(const Tensor& other, XG_HERE) const;
  Tensor argmax() const;  // of the flattened tensor
  Tensor argmax(std::int64_t dim, bool keepdim = false) const;
  Tensor argmin() const;
  Tensor argmin(std::int64_t dim, bool keepdim = false) const;

  // Comparisons and logic give kBool masks.
  Tensor eq(const Tensor& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor le(const Tensor& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor ge(const Tensor& other) const;
  Tensor eq(double other) const;
  Tensor ne(double other) const;
  Tensor lt(double other) const;
  Tensor le(double other) const;
  Tensor gt(double other) const;
  Tensor ge(double other) const;
  Tensor logical_and(const Tensor& other) const;
  Tensor logical_or(const Tensor& other) const;
  Tensor logical_xor(const Tensor& other) const;
  Tensor logical_not() const;
  Tensor isnan() const;
  Tensor isfinite() const;
  Tensor any() const;
  Tensor any(std::int64_t dim, bool keepdim = false) const;
  Tensor all() const;
  Tensor all(std::int64_t dim, bool keepdim = false) const;
  bool allclose(const Tensor& other, double rtol = 1e-5, double atol = 1e-8) const;
  bool equal(const Tensor& other) const;
  // The truth of a one-element tensor (LibTorch's is_nonzero); ValueError for other sizes.
  bool is_nonzero() const;
  // mask: kBool, broadcast to this tensor's shape; value may be a 0-d tensor (differentiable).
  Tensor masked_fill(const Tensor& mask, double value, XG_HERE) const;
  Tensor masked_fill(const Tensor& mask, const Tensor& value, XG_HERE) const;
  Tensor masked_select(const Tensor& mask, XG_HERE) const;  // 1-D, the elements where mask is true
  Tensor where(const Tensor& condition, const Tensor& other, XG_HERE) const;  // condition ? *this : other

  // Shape.
  Tensor reshape(const Shape& s, XG_HERE) const;
  Tensor view(const Shape& s, XG_HERE) const;
  Tensor reshape_as(const Tensor& other, XG_HERE) const;
  Tensor view_as(const Tensor& other, XG_HERE) const;
  Tensor flatten(std::int64_t start_dim = 0, std::int64_t end_dim = -1, XG_HERE) const;
  Tensor transpose(std::int64_t d0, std::int64_t d1, XG_HERE) const;
  Tensor t(XG_HERE) const;
  Tensor permute(std::vector<std::int64_t> dims, XG_HERE) const;
  Tensor squeeze(XG_HERE) const;
  Tensor squeeze(std::int64_t dim, XG_HERE) const;
  Tensor unsqueeze(std::int64_t dim, XG_HERE) const;
  Tensor expand(const Shape& s, XG_HERE) const;
  Tensor expand_as(const Tensor& other, XG_HERE) const;
  Tensor narrow(std::int64_t dim, std::int64_t start, std::int64_t length, XG_HERE) const;
  // Elements [start, end) of dim taken every `step` (step >= 1), as LibTorch's slice.
  Tensor slice(std::int64_t dim = 0, std::optional<std::int64_t> start = std::nullopt,
               std::optional<std::int64_t> end = std::nullopt, std::int64_t step = 1, XG_HERE) const;
  Tensor select(std::int64_t dim, std::int64_t index, XG_HERE) const;
  Tensor index_select(std::int64_t dim, const Tensor& index, XG_HERE) const;
  Tensor gather(std::int64_t dim, const Tensor& index, XG_HERE) const;
  Tensor scatter_add(std::int64_t dim, const Tensor& index, const Tensor& src, XG_HERE) const;
  Tensor index_add(std::int64_t dim, const Tensor& index, const Tensor& src, XG_HERE) const;
  // Scans, sorting, rearranging, scatter and search (autodiff/ops_reorder.h).
  Tensor cumsum(std::int64_t dim, XG_HERE) const;
  Tensor cumprod(std::int64_t dim, XG_HERE) const;
  Tensor flip(Dims dims, XG_HERE) const;
  Tensor roll(Dims shifts, Dims dims = {}, XG_HERE) const;
  Tensor repeat(Dims sizes, XG_HERE) const;
  Tensor tril(std::int64_t diagonal = 0, XG_HERE) const;
  Tensor triu(std::int64_t diagonal = 0, XG_HERE) const;
  std::vector<Tensor> unbind(std::int64_t dim = 0, XG_HERE) const;
  std::tuple<Tensor, Tensor> sort(std::int64_t dim = -1, bool descending = false, XG_HERE) const;  // (values, indices)
  std::tuple<Tensor, Tensor> sort(std::optional<bool> stable, std::int64_t dim = -1, bool descending = false,
                                  XG_HERE) const;
  Tensor argsort(std::int64_t dim = -1, bool descending = false) const;
  std::tuple<Tensor, Tensor> topk(std::int64_t k, std::int64_t dim = -1, bool largest = true, bool sorted = true,
                                  XG_HERE) const;
  Tensor scatter(std::int64_t dim, const Tensor& index, const Tensor& src, XG_HERE) const;
  Tensor scatter(std::int64_t dim, const Tensor& index, double value, XG_HERE) const;
  Tensor index_fill(std::int64_t dim, const Tensor& index, double value, XG_HERE) const;
  Tensor& scatter_(std::int64_t dim, const Tensor& index, const Tensor& src, XG_HERE);
  Tensor& scatter_(std::int64_t dim, const Tensor& index, double value, XG_HERE);
  Tensor& scatter_add_(std::int64_t dim, const Tensor& index, const Tensor& src, XG_HERE);
  Tensor& index_add_(std::int64_t dim, const Tensor& index, const Tensor& src, XG_HERE);
  Tensor& index_fill_(std::int64_t dim, const Tensor& index, double value, XG_HERE);
  Tensor nonzero() const;
  Tensor argwhere() const;
  Tensor isclose(const Tensor& other, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false) const;
  // dtype and device (not requires_grad, as LibTorch's), for xg::zeros({2}, x.options()).
  TensorOptions options() const;

  // Indexing as LibTorch (namespace xg::indexing: Slice, None, Ellipsis): ints, slices, None,
  // Ellipsis, one kBool mask or int64 index tensor. The results are new tensors, not views: write
  // through index_put_. Recorded on the graph like any op.
  Tensor operator[](std::int64_t i) const;
  Tensor operator[](const Tensor& index) const;  // index({index}): a kBool mask or int64 indices
  Tensor index(std::initializer_list<indexing::TensorIndex> indices, XG_HERE) const;
  Tensor index(const std::vector<indexing::TensorIndex>& indices, XG_HERE) const;
  // In place: the indexed elements take v (broadcast); recorded like the other in-place ops.
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Tensor& v);
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, double v);
  Tensor& index_put_(const std::vector<indexing::TensorIndex>& indices, const Tensor& v);
  Tensor& index_put_(const std::vector<indexing::TensorIndex>& indices, double v);
  Tensor& masked_fill_(const Tensor& mask, double value);
  // Fill with draws from the global generator (for initialization, usually under NoGradGuard).
  Tensor& uniform_(double from = 0, double to = 1);
  Tensor& normal_(double mean = 0, double std = 1);
  // Pieces along dim (views of nothing: copies, differentiable), as LibTorch's chunk and split.
  std::vector<Tensor> chunk(std::int64_t chunks, std::int64_t dim = 0) const;
  std::vector<Tensor> split(std::int64_t split_size, std::int64_t dim = 0) const;

  // Linear algebra.
  Tensor matmul(const Tensor& other, XG_HERE) const;
  Tensor mm(const Tensor& other, XG_HERE) const;
  Tensor dot(const Tensor& other, XG_HERE) const;

  const std::shared_ptr<TensorImpl>& impl() const { return impl_; }

 private:
  void check_type(DType want, const char* what) const;
  std::shared_ptr<TensorImpl> impl_;
};

// ----- creation -----
namespace detail {
// One number of a mixed literal such as {1, 2.5}.
struct Number {
  double value;
  template <class T>
    requires std::is_arithmetic_v<T>
  Number(T v) : value(static_cast<double>(v)) {}  // NOLINT: implicit on purpose
};
Tensor tensor_1d(const std::vector<double>& values, TensorOptions opt);
}  // namespace detail
// A 1-D tensor from numbers ({1, 2, 3}, {0.1, 1, 2}) and a 2-D one from rows ({{1, 2}, {3, 4}},
// {{0}, {1}}); float32 unless opt says otherwise.
template <class T>
  requires std::is_arithmetic_v<T>
Tensor tensor(std::initializer_list<T> values, TensorOptions opt = {}) {
  return detail::tensor_1d(std::vector<double>(values.begin(), values.end()), opt);
}
Tensor tensor(std::initializer_list<detail::Number> values, TensorOptions opt = {});
Tensor tensor(std::initializer_list<std::initializer_list<double>> rows, TensorOptions opt = {});
Tensor from_vector(const std::vector<float>& data, const Shape& shape, bool requires_grad = false);
Tensor from_vector(const std::vector<double>& data, const Shape& shape, bool requires_grad = false);
Tensor from_vector(const std::vector<std::int64_t>& data, const Shape& shape);
Tensor from_vector(const std::vector<std::int32_t>& data, const Shape& shape);
Tensor from_vector(const std::vector<std::uint8_t>& data, const Shape& shape);
Tensor from_vector(const std::vector<bool>& data, const Shape& shape);
// A tensor over memory the caller owns, without a copy (LibTorch's from_blob): `data` holds
// shape.numel() contiguous row-major elements of opt's dtype and must stay valid as long as this
// tensor, or any tensor sharing its storage (view, reshape, detach, a saved value of the graph),
// lives. Writes in place write into that memory. `deleter`, if given, is called with `data` when
// the last of them goes. clone() gives a tensor that owns a copy.
Tensor from_blob(void* data, const Shape& shape, TensorOptions opt = {});
Tensor from_blob(void* data, const Shape& shape, std::function<void(void*)> deleter, TensorOptions opt = {});
Tensor scalar_tensor(double v, TensorOptions opt = {});
Tensor empty(const Shape& shape, TensorOptions opt = {});
Tensor zeros(const Shape& shape, TensorOptions opt = {});
Tensor ones(const Shape& shape, TensorOptions opt = {});
Tensor full(const Shape& shape, double value, TensorOptions opt = {});
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
Tensor empty_like(const Tensor& t);
Tensor zeros_like(const Tensor& t, TensorOptions opt);  // t's shape, opt's dtype
Tensor ones_like(const Tensor& t, TensorOptions opt);
Tensor full_like(const Tensor& t, double value, TensorOptions opt);
Tensor arange(double start, double end, double step = 1, TensorOptions opt = {});
Tensor arange(double end, TensorOptions opt = {});
Tensor linspace(double start, double end, std::int64_t steps, TensorOptions opt = {});
Tensor eye(std::int64_t n, TensorOptions opt = {});
Tensor eye(std::int64_t n, std::int64_t m, TensorOptions opt = {});
// Random creation draws from `gen`, or from the global generator (xg::manual_seed) if null.
Tensor rand(const Shape& shape, TensorOptions opt = {}, Generator* gen = nullptr);
Tensor randn(const Shape& shape, TensorOptions opt = {}, Generator* gen = nullptr);
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, Generator* gen = nullptr);
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, TensorOptions opt);
Tensor randint(std::int64_t high, const Shape& shape, TensorOptions opt = kInt64);
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
  return dispatch_all(dtype(), [&](auto tag) { return detail::converted<T>("item", *static_cast<const decltype(tag)*>(raw_data())); });
}
template <class T> T Tensor::at(std::initializer_list<std::int64_t> index) const {
  if (!defined()) detail::throw_undefined("at");
  std::int64_t i = detail::flat_index("at", shape(), index);
  return dispatch_all(dtype(), [&](auto tag) { return detail::converted<T>("at", static_cast<const decltype(tag)*>(raw_data())[i]); });
}
template <class T> std::vector<T> Tensor::to_vector() const {
  if (!defined()) detail::throw_undefined("to_vector");
  std::vector<T> out(static_cast<std::size_t>(numel()));
  auto copy = [&](auto* p) { for (std::size_t i = 0; i < out.size(); ++i) out[i] = detail::converted<T>("to_vector", p[i]); };
  dispatch_all(dtype(), [&](auto tag) { copy(static_cast<const decltype(tag)*>(raw_data())); });
  return out;
}

}  // namespace xg
