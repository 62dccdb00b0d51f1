// In-place ops. Without a graph to record (grad mode off, or neither the tensor nor an operand
// requires grad) the kernel writes into the tensor's storage. Otherwise the op is recorded out of
// place and the tensor takes the result's values, in its own storage, and its history (LibTorch's
// rebase): its grad_fn becomes the op's node, and every other view of the storage gets a history
// that reads it through that node (LibTorch's CopySlices; xgrad's views alias the whole storage,
// so a view's history is a reshape of the modified tensor). The version counter still guards
// every value saved before: backward through them raises, naming the in-place op.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "autodiff/detail/checks.h"
#include "autodiff/detail/node.h"
#include "autodiff/detail/record.h"
#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"
#include "tensor/detail/elementwise.h"
#include "tensor/detail/kernels.h"

namespace xg {

namespace autograd {

namespace {
// Storage::aliases is shared by every view of a storage, possibly on several threads.
class AliasLock {
 public:
  explicit AliasLock(Storage& st) : st_(st) {
    while (st_.aliases_lock.test_and_set(std::memory_order_acquire)) {
    }
  }
  ~AliasLock() { st_.aliases_lock.clear(std::memory_order_release); }
  AliasLock(const AliasLock&) = delete;
  AliasLock& operator=(const AliasLock&) = delete;

 private:
  Storage& st_;
};

std::vector<std::shared_ptr<TensorImpl>> live_aliases(Storage& st) {
  AliasLock lock(st);
  std::vector<std::shared_ptr<TensorImpl>> out;
  for (const auto& w : st.aliases)
    if (auto impl = w.lock()) out.push_back(std::move(impl));
  return out;
}
}  // namespace

void note_alias(const Tensor& base, const Tensor& view) {
  Storage& st = *base.impl()->storage;
  AliasLock lock(st);
  std::erase_if(st.aliases, [](const std::weak_ptr<TensorImpl>& w) { return w.expired(); });
  const bool base_known = std::any_of(st.aliases.begin(), st.aliases.end(), [&](const std::weak_ptr<TensorImpl>& w) {
    return w.lock() == base.impl();
  });
  if (!base_known) st.aliases.push_back(base.impl());
  st.aliases.push_back(view.impl());
  if (!GradMode::is_enabled() && base.requires_grad()) view.impl()->autograd_extra().no_grad_view = true;
}

}  // namespace autograd

namespace {

void bump(Tensor& self, const char* op) {
  auto& st = *self.impl()->storage;
  ++st.version;
  st.last_inplace_op = op;
}

bool needs_graph(const Tensor& self, std::initializer_list<const Tensor*> operands) {
  if (!GradMode::is_enabled()) return false;
  if (self.requires_grad()) return true;
  return std::any_of(operands.begin(), operands.end(), [](const Tensor* t) { return t->defined() && t->requires_grad(); });
}

// LibTorch refuses to modify a leaf that requires grad (or a view of one) while recording: its
// .grad() would belong to a value that no longer exists.
void refuse_leaf(const char* op, const Tensor& self) {
  for (const auto& impl : autograd::live_aliases(*self.impl()->storage))
    if (impl->requires_grad && !impl->grad_fn)
      throw AutogradError(fmt::format(
          "{}: in-place op on {} that requires grad (shape {}); wrap the update in xg::NoGradGuard (as optimizers do) "
          "or clone() the tensor first",
          op, impl == self.impl() ? "a leaf tensor" : "a view of a leaf tensor", to_string(impl->shape)));
  if (self.requires_grad() && self.is_leaf())
    throw AutogradError(fmt::format("{}: in-place op on a leaf tensor that requires grad (shape {}); wrap the update in "
                                    "xg::NoGradGuard (as optimizers do) or clone() the tensor first",
                                    op, to_string(self.shape())));
}

// t's history becomes node (none: a constant); retain_grad() moves along with it.
// A tensor made without recording (a view taken under NoGradGuard) that shares its storage with
// one that requires grad: writing into it with grad mode on would change that tensor's values
// behind its history. LibTorch refuses it too.
void refuse_hidden_write(const char* op, const Tensor& self) {
  if (!self.impl()->extra || !self.impl()->extra->no_grad_view) return;  // detach() writes are allowed, as LibTorch
  for (const auto& impl : autograd::live_aliases(*self.impl()->storage))
    if (impl != self.impl() && impl->requires_grad)
      throw AutogradError(fmt::format(
          "{}: this tensor (shape {}) is a view, made under NoGradGuard, of a tensor that requires grad (shape {}); "
          "writing into it with grad mode on would change that tensor's values behind its history. Write under "
          "xg::NoGradGuard, or clone() the view first",
          op, to_string(self.shape()), to_string(impl->shape)));
}

void set_history(const std::shared_ptr<TensorImpl>& t, const std::shared_ptr<autograd::Node>& node) {
  if (t->grad_fn && t->grad_fn->retained.lock() == t) t->grad_fn->retained.reset();
  t->grad_fn = node;
  t->requires_grad = node != nullptr;
  if (node && t->extra && t->extra->retains_grad) node->retained = t;
}

// self takes r (the op recorded out of place) as its value and history.
void rebase(const char* op, Tensor& self, const Tensor& r) {
  const std::shared_ptr<autograd::Node> node = r.impl()->grad_fn;
  const auto& storage = self.impl()->storage;
  if (node) {
    // The op saved self's old value, about to be overwritten: it keeps a copy, with its history.
    for (std::size_t i = 0; i < node->saved.size(); ++i) {
      auto& s = node->saved[i];
      if (!s.tensor.defined() || s.is_output || s.tensor.impl()->storage != storage) continue;
      Tensor copy = kernel::copy(s.tensor);
      copy.impl()->requires_grad = s.tensor.impl()->requires_grad;
      copy.impl()->grad_fn = s.tensor.impl()->grad_fn;
      s.tensor = copy;
      s.version = copy.impl()->storage->version;
    }
  }
  if (r.impl()->storage != storage)
    std::memcpy(self.raw_data(), r.raw_data(), static_cast<std::size_t>(self.numel()) * dtype_size(self.dtype()));
  bump(self, op);
  set_history(self.impl(), node);
  if (node) {
    // A saved output now lives in self's storage, at the version just written.
    for (std::size_t i = 0; i < node->saved.size(); ++i) {
      auto& s = node->saved[i];
      if (!s.tensor.defined() || !s.is_output || s.tensor.impl()->storage != r.impl()->storage) continue;
      s.tensor = alias_with_shape(self, s.tensor.shape());
      s.version = storage->version;
    }
  }
  for (const auto& impl : autograd::live_aliases(*storage)) {
    if (impl == self.impl()) continue;
    if (!node || (impl->extra && impl->extra->no_grad_view)) {  // a no-grad view stays a constant
      set_history(impl, nullptr);
      continue;
    }
    const Tensor through = reshape(self, impl->shape);
    set_history(impl, through.impl()->grad_fn);
  }
}

// The in-place op: check (both paths), then write in place, or record out of place and rebase.
template <class Check, class Write, class Compute>
Tensor& inplace(const char* op, Tensor& self, std::initializer_list<const Tensor*> operands, Check check, Write write,
                Compute compute) {
  autograd::check_defined(op, self);
  check();
  if (!needs_graph(self, operands)) {
    if (GradMode::is_enabled()) refuse_hidden_write(op, self);
    write();
    bump(self, op);
    return self;
  }
  refuse_leaf(op, self);
  rebase(op, self, compute());
  return self;
}

void check_operand(const char* op, const Tensor& self, const Tensor& other) {
  autograd::check_defined(op, other);
  autograd::check_same_dtype(op, self, other);
  if (!(broadcast_shapes(op, self.shape(), other.shape()) == self.shape()))
    throw ShapeError(fmt::format("{}: operand of shape {} cannot be broadcast to the tensor's shape {}", op,
                                 to_string(other.shape()), to_string(self.shape())));
}

template <class F, class Compute>
Tensor& inplace_binary(const char* op, Tensor& self, const Tensor& other, F f, Compute compute) {
  return inplace(op, self, {&other}, [&] { check_operand(op, self, other); }, [&] { kernel::zip_into(self, other, f); },
                 compute);
}

template <class F, class Compute>
Tensor& inplace_scalar(const char* op, Tensor& self, double v, F f, Compute compute) {
  return inplace(op, self, {}, [&] { check_representable(op, self.dtype(), v); },
                 [&] { kernel::zip_into(self, autograd::scalar_like(self, v, op), f); }, compute);
}

constexpr auto plus = [](auto a, auto b) { return a + b; };
constexpr auto times = [](auto a, auto b) { return a * b; };
constexpr auto divides = [](auto a, auto b) { return a / b; };

}  // namespace

Tensor& Tensor::add_(const Tensor& other, double alpha, SourceLocation loc) {
  const auto compute = [&] { return xg::add(*this, alpha == 1 ? other : xg::mul(other, alpha, loc), loc); };
  if (alpha == 1) return inplace_binary("add_", *this, other, plus, compute);
  return inplace_binary("add_", *this, other, [alpha](auto x, auto y) { return x + static_cast<decltype(y)>(alpha) * y; },
                        compute);
}
Tensor& Tensor::sub_(const Tensor& other, double alpha, SourceLocation loc) {
  const auto compute = [&] { return xg::sub(*this, alpha == 1 ? other : xg::mul(other, alpha, loc), loc); };
  return inplace_binary("sub_", *this, other, [alpha](auto x, auto y) { return x - static_cast<decltype(y)>(alpha) * y; },
                        compute);
}
Tensor& Tensor::mul_(const Tensor& other, SourceLocation loc) {
  return inplace_binary("mul_", *this, other, times, [&] { return xg::mul(*this, other, loc); });
}
Tensor& Tensor::div_(const Tensor& other, SourceLocation loc) {
  return inplace_binary("div_", *this, other, divides, [&] { return xg::div(*this, other, loc); });
}
Tensor& Tensor::add_(double v, SourceLocation loc) {
  return inplace_scalar("add_", *this, v, plus, [&] { return xg::add(*this, v, loc); });
}
Tensor& Tensor::sub_(double v, SourceLocation loc) {
  return inplace_scalar("sub_", *this, v, [](auto a, auto b) { return a - b; }, [&] { return xg::sub(*this, v, loc); });
}
Tensor& Tensor::mul_(double v, SourceLocation loc) {
  return inplace_scalar("mul_", *this, v, times, [&] { return xg::mul(*this, v, loc); });
}
Tensor& Tensor::div_(double v, SourceLocation loc) {
  return inplace_scalar("div_", *this, v, divides, [&] { return xg::div(*this, v, loc); });
}
// As LibTorch, a tensor with history keeps it through zero_/fill_: the new values are a constant,
// so the gradient that flows back to the old values is zero.
Tensor constant_with_history(const char* op, const Tensor& self, double v, SourceLocation loc) {
  return autograd::Op{op, loc}.record(full_like(self, v), {&self}, {},
                                      [](autograd::Node&, const Tensor& g) { return zeros_like(g); });
}

Tensor& Tensor::zero_(SourceLocation loc) {
  return inplace("zero_", *this, {}, [] {}, [&] { kernel::fill(*this, 0); },
                 [&] { return constant_with_history("zero_", *this, 0, loc); });
}
Tensor& Tensor::fill_(double v, SourceLocation loc) {
  return inplace("fill_", *this, {}, [&] { check_representable("fill_", dtype(), v); }, [&] { kernel::fill(*this, v); },
                 [&] { return constant_with_history("fill_", *this, v, loc); });
}
Tensor& Tensor::copy_(const Tensor& src, SourceLocation loc) {
  const auto check = [&] {
    autograd::check_defined("copy_", src);
    if (!(broadcast_shapes("copy_", shape(), src.shape()) == shape()))
      throw ShapeError(fmt::format("copy_: source of shape {} cannot be broadcast to the tensor's shape {}",
                                   to_string(src.shape()), to_string(shape())));
  };
  const auto write = [&] {
    Tensor s = src.dtype() == dtype() ? src : kernel::cast(src, dtype(), "copy_");
    if (!(s.shape() == shape())) s = kernel::expand(s, shape());
    if (s.impl()->storage != impl_->storage)
      std::memcpy(raw_data(), s.raw_data(), static_cast<std::size_t>(numel()) * dtype_size(dtype()));
  };
  const auto compute = [&] {
    Tensor s = src.dtype() == dtype() ? src : xg::to_dtype(src, dtype(), loc);
    if (!(s.shape() == shape())) s = xg::expand(s, shape(), loc);
    return s.impl()->storage == src.impl()->storage ? xg::clone(s, loc) : s;  // a new value, never src itself
  };
  return inplace("copy_", *this, {&src}, check, write, compute);
}
Tensor& Tensor::clamp_(std::optional<double> min, std::optional<double> max, SourceLocation loc) {
  const auto write = [&] {
    Tensor c;
    {
      NoGradGuard ng;
      c = xg::clamp(*this, min, max);
    }
    std::memcpy(raw_data(), c.raw_data(), static_cast<std::size_t>(numel()) * dtype_size(dtype()));
  };
  return inplace("clamp_", *this, {}, [] {}, write, [&] { return xg::clamp(*this, min, max, loc); });
}
Tensor& Tensor::relu_(SourceLocation loc) {
  const auto write = [&] {
    autograd::check_float("relu_", *this);
    kernel::zip_into(*this, autograd::scalar_like(*this, 0), [](auto a, auto b) { return a > b ? a : b; });
  };
  return inplace("relu_", *this, {}, [&] { autograd::check_float("relu_", *this); }, write, [&] { return xg::relu(*this, loc); });
}

namespace detail {
Tensor index_put_named(const char* name, const Tensor& x, const std::vector<indexing::TensorIndex>& indices, const Tensor& v,
                       SourceLocation loc);  // autodiff/indexing.cpp
}  // namespace detail

Tensor& Tensor::index_put_(const std::vector<indexing::TensorIndex>& indices, const Tensor& v) {
  const auto here = SourceLocation::current();
  const auto write = [&] {
    Tensor r;
    {
      NoGradGuard ng;
      r = detail::index_put_named("index_put_", *this, indices, v, here);
    }
    std::memcpy(raw_data(), r.raw_data(), static_cast<std::size_t>(numel()) * dtype_size(dtype()));
  };
  return inplace("index_put_", *this, {&v}, [&] { autograd::check_defined("index_put_", v); }, write,
                 [&] { return detail::index_put_named("index_put_", *this, indices, v, here); });
}
Tensor& Tensor::index_put_(const std::vector<indexing::TensorIndex>& indices, double v) {
  autograd::check_defined("index_put_", *this);
  return index_put_(indices, autograd::scalar_like(*this, v, "index_put_"));
}
Tensor& Tensor::index_put_(std::initializer_list<indexing::TensorIndex> indices, const Tensor& v) {
  return index_put_(std::vector<indexing::TensorIndex>(indices), v);
}
Tensor& Tensor::index_put_(std::initializer_list<indexing::TensorIndex> indices, double v) {
  return index_put_(std::vector<indexing::TensorIndex>(indices), v);
}
Tensor& Tensor::masked_fill_(const Tensor& mask, double value) {
  const auto write = [&] {
    Tensor r;
    {
      NoGradGuard ng;
      r = xg::masked_fill(*this, mask, value);
    }
    std::memcpy(raw_data(), r.raw_data(), static_cast<std::size_t>(numel()) * dtype_size(dtype()));
  };
  return inplace("masked_fill_", *this, {}, [&] { autograd::check_defined("masked_fill_", mask); }, write,
                 [&] { return xg::masked_fill(*this, mask, value); });
}

namespace {
// Replaces self's values by `fresh` (a constant: like fill_, the history is cut).
Tensor& fill_random(const char* op, Tensor& self, const std::function<Tensor()>& draw) {
  Tensor fresh;
  const auto check = [&] {
    autograd::check_float(op, self);
    NoGradGuard ng;
    fresh = draw();
  };
  const auto write = [&] {
    std::memcpy(self.raw_data(), fresh.raw_data(), static_cast<std::size_t>(self.numel()) * dtype_size(self.dtype()));
  };
  return inplace(op, self, {}, check, write, [&] { return fresh; });
}
}  // namespace

Tensor& Tensor::uniform_(double from, double to) {
  if (!(from <= to) || !std::isfinite(from) || !std::isfinite(to))
    throw ValueError(fmt::format("uniform_: need finite from <= to, got from={} to={}", from, to));
  return fill_random("uniform_", *this, [&] { return xg::add(xg::mul(xg::rand(shape(), dtype()), to - from), from); });
}
Tensor& Tensor::normal_(double mean, double std) {
  if (!(std >= 0) || !std::isfinite(mean) || !std::isfinite(std))
    throw ValueError(fmt::format("normal_: need a finite mean and std >= 0, got mean={} std={}", mean, std));
  return fill_random("normal_", *this, [&] { return xg::add(xg::mul(xg::randn(shape(), dtype()), std), mean); });
}

namespace detail {
// The out-of-place forms, named as the user called them (autodiff/ops_shape.cpp, ops_scatter_search.cpp).
Tensor scatter_named(const char* name, const Tensor& self, std::int64_t dim, const Tensor& index, const Tensor& src,
                     SourceLocation loc);
Tensor scatter_value_named(const char* name, const Tensor& self, std::int64_t dim, const Tensor& index, double value,
                           SourceLocation loc);
Tensor scatter_add_named(const char* name, const Tensor& self, std::int64_t dim, const Tensor& index, const Tensor& src,
                         SourceLocation loc);
Tensor index_add_named(const char* name, const Tensor& self, std::int64_t dim, const Tensor& index, const Tensor& src,
                       SourceLocation loc);
Tensor index_fill_named(const char* name, const Tensor& self, std::int64_t dim, const Tensor& index, double value,
                        SourceLocation loc);
}  // namespace detail

namespace {
// An in-place op given by its out-of-place form, which checks everything before any write; without
// a graph, its result (computed under NoGradGuard) is copied into self.
template <class Compute>
Tensor& inplace_from(const char* op, Tensor& self, std::initializer_list<const Tensor*> operands, Compute compute) {
  const auto write = [&] {
    Tensor r;
    {
      NoGradGuard ng;
      r = compute();
    }
    std::memcpy(self.raw_data(), r.raw_data(), static_cast<std::size_t>(self.numel()) * dtype_size(self.dtype()));
  };
  return inplace(op, self, operands, [] {}, write, compute);
}
}  // namespace

Tensor& Tensor::scatter_(std::int64_t dim, const Tensor& index, const Tensor& src, SourceLocation loc) {
  return inplace_from("scatter_", *this, {&src}, [&] { return detail::scatter_named("scatter_", *this, dim, index, src, loc); });
}
Tensor& Tensor::scatter_(std::int64_t dim, const Tensor& index, double value, SourceLocation loc) {
  return inplace_from("scatter_", *this, {}, [&] { return detail::scatter_value_named("scatter_", *this, dim, index, value, loc); });
}
Tensor& Tensor::scatter_add_(std::int64_t dim, const Tensor& index, const Tensor& src, SourceLocation loc) {
  return inplace_from("scatter_add_", *this, {&src},
                      [&] { return detail::scatter_add_named("scatter_add_", *this, dim, index, src, loc); });
}
Tensor& Tensor::index_add_(std::int64_t dim, const Tensor& index, const Tensor& src, SourceLocation loc) {
  return inplace_from("index_add_", *this, {&src},
                      [&] { return detail::index_add_named("index_add_", *this, dim, index, src, loc); });
}
Tensor& Tensor::index_fill_(std::int64_t dim, const Tensor& index, double value, SourceLocation loc) {
  return inplace_from("index_fill_", *this, {}, [&] { return detail::index_fill_named("index_fill_", *this, dim, index, value, loc); });
}

Tensor& Tensor::operator+=(TensorOperand other) { return add_(other.value, 1.0, other.where); }
Tensor& Tensor::operator-=(TensorOperand other) { return sub_(other.value, 1.0, other.where); }
Tensor& Tensor::operator*=(TensorOperand other) { return mul_(other.value, other.where); }
Tensor& Tensor::operator/=(TensorOperand other) { return div_(other.value, other.where); }
Tensor& Tensor::operator+=(ScalarOperand v) { return add_(v.value, v.where); }
Tensor& Tensor::operator-=(ScalarOperand v) { return sub_(v.value, v.where); }
Tensor& Tensor::operator*=(ScalarOperand v) { return mul_(v.value, v.where); }
Tensor& Tensor::operator/=(ScalarOperand v) { return div_(v.value, v.where); }

}  // namespace xg
