// Tensor's autograd methods, in-place ops and the method forms of ops.
#include <fmt/format.h>

#include <atomic>

#include "autodiff/autograd.h"
#include "autodiff/detail/checks.h"
#include "autodiff/grad_mode.h"
#include "autodiff/detail/node.h"
#include "autodiff/ops.h"
#include "tensor/detail/elementwise.h"
#include "tensor/detail/kernels.h"

namespace xg {

namespace {
std::int64_t next_hook_id() {
  static std::atomic<std::int64_t> id{0};
  return ++id;
}
}  // namespace

bool Tensor::requires_grad() const { return impl_ && impl_->requires_grad; }

Tensor& Tensor::requires_grad_(bool r) {
  autograd::check_defined("requires_grad_", *this);
  if (r && !is_floating(impl_->dtype))
    throw DTypeError(fmt::format("requires_grad_: only floating-point tensors can require gradients, got {} with shape {}",
                                 dtype_name(impl_->dtype), to_string(impl_->shape)));
  if (!r && impl_->grad_fn)
    throw AutogradError("requires_grad_: cannot turn off gradients of a non-leaf tensor (it was computed by '" +
                        grad_fn_name() + "'); use detach()");
  impl_->requires_grad = r;
  return *this;
}

bool Tensor::is_leaf() const { return impl_ && !impl_->grad_fn; }

Tensor Tensor::grad() const {
  if (!impl_ || !impl_->extra) return {};
  return impl_->extra->grad;
}

void Tensor::set_grad(const Tensor& g) {
  autograd::check_defined("set_grad", *this);
  if (g.defined() && g.dtype() != dtype())
    throw DTypeError(fmt::format("set_grad: gradient of dtype {} (shape {}) does not match the tensor's dtype {} (shape {})",
                                 dtype_name(g.dtype()), to_string(g.shape()), dtype_name(dtype()), to_string(shape())));
  if (g.defined() && !(g.shape() == shape()))
    throw ShapeError(fmt::format("set_grad: gradient of shape {} ({}) does not match the tensor's shape {} ({})",
                                 to_string(g.shape()), dtype_name(g.dtype()), to_string(shape()), dtype_name(dtype())));
  impl_->autograd_extra().grad = g;
}

void Tensor::retain_grad() {
  autograd::check_defined("retain_grad", *this);
  if (!impl_->requires_grad)
    throw AutogradError("retain_grad: the tensor does not require grad, so it will never have a gradient");
  impl_->autograd_extra().retains_grad = true;
  if (impl_->grad_fn) impl_->grad_fn->retained = impl_;
}

bool Tensor::retains_grad() const { return impl_ && impl_->extra && impl_->extra->retains_grad; }

autograd::GradFn Tensor::grad_fn() const { return autograd::GradFn(impl_ ? impl_->grad_fn : nullptr); }

std::string Tensor::grad_fn_name() const { return impl_ && impl_->grad_fn ? impl_->grad_fn->name : ""; }

void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph,
                      const std::optional<std::vector<Tensor>>& inputs) const {
  if (inputs && inputs->empty())
    throw ValueError("backward: the inputs argument cannot be empty (leave it out to accumulate into every leaf)");
  autograd::backward({*this}, gradient.defined() ? std::vector<Tensor>{gradient} : std::vector<Tensor>{}, retain_graph,
                     create_graph, inputs ? *inputs : std::vector<Tensor>{});
}

void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph,
                      std::initializer_list<Tensor> inputs) const {
  backward(gradient, retain_graph, create_graph,
           inputs.size() == 0 ? std::nullopt : std::optional<std::vector<Tensor>>(std::vector<Tensor>(inputs)));
}

Tensor& Tensor::detach_() {
  autograd::check_defined("detach_", *this);
  impl_->grad_fn = nullptr;
  impl_->requires_grad = false;
  return *this;
}

std::int64_t Tensor::register_hook(Hook hook) {
  autograd::check_defined("register_hook", *this);
  if (!impl_->requires_grad)
    throw AutogradError("register_hook: cannot register a hook on a tensor that does not require grad");
  const std::int64_t id = next_hook_id();
  if (impl_->grad_fn) impl_->grad_fn->hooks.emplace_back(id, std::move(hook));
  else impl_->autograd_extra().hooks.emplace_back(id, std::move(hook));
  return id;
}

std::int64_t Tensor::register_post_accumulate_grad_hook(PostAccumulateGradHook hook) {
  autograd::check_defined("register_post_accumulate_grad_hook", *this);
  if (!impl_->requires_grad || impl_->grad_fn)
    throw AutogradError(fmt::format("register_post_accumulate_grad_hook: only a leaf that requires grad has one "
                                    "(this tensor of shape {} {})",
                                    to_string(shape()), impl_->grad_fn ? "is not a leaf" : "does not require grad"));
  const std::int64_t id = next_hook_id();
  impl_->autograd_extra().post_hooks.emplace_back(id, std::move(hook));
  return id;
}

void Tensor::remove_hook(std::int64_t handle) {
  autograd::check_defined("remove_hook", *this);
  auto drop = [handle](auto& hooks) { return std::erase_if(hooks, [handle](const auto& h) { return h.first == handle; }); };
  std::size_t dropped = 0;
  if (impl_->grad_fn) dropped += drop(impl_->grad_fn->hooks);
  if (impl_->extra) dropped += drop(impl_->extra->hooks) + drop(impl_->extra->post_hooks);
  if (dropped == 0)
    throw ValueError(fmt::format("remove_hook: no hook with handle {} on this tensor (shape {}); was it removed already?",
                                 handle, to_string(shape())));
}

Tensor Tensor::clone(SourceLocation loc) const { return xg::clone(*this, loc); }
Tensor Tensor::to(DType d, SourceLocation loc) const { return xg::to_dtype(*this, d, loc); }
Tensor Tensor::to(Device d, bool, bool copy) const {
  detail::check_cpu("to", d);
  autograd::check_defined("to", *this);
  return copy ? xg::clone(*this) : *this;
}
Tensor Tensor::to(Device d, DType t, bool, bool copy) const {
  detail::check_cpu("to", d);
  const Tensor r = to_dtype(*this, t);
  return copy && r.impl() == impl_ ? xg::clone(r) : r;
}
Tensor Tensor::to(const TensorOptions& o, bool non_blocking, bool copy) const {
  if (o.requires_grad_)
    throw ValueError("to: options with requires_grad set are not allowed here (as LibTorch); call requires_grad_() after");
  return to(o.device_, o.dtype_, non_blocking, copy);
}

Tensor& Tensor::mutable_grad() {
  autograd::check_defined("mutable_grad", *this);
  return impl_->autograd_extra().grad;
}

// ----- method forms -----
using D = Dims;
using L = SourceLocation;
using I = std::int64_t;
Tensor operator-(TensorOperand x) { return neg(x.value, x.where); }
Tensor Tensor::add(const Tensor& o, double alpha, L loc) const { return xg::add(*this, alpha == 1 ? o : xg::mul(o, alpha, loc), loc); }
Tensor Tensor::add(double o, L loc) const { return xg::add(*this, o, loc); }
Tensor Tensor::sub(const Tensor& o, double alpha, L loc) const { return xg::sub(*this, alpha == 1 ? o : xg::mul(o, alpha, loc), loc); }
Tensor Tensor::sub(double o, L loc) const { return xg::sub(*this, o, loc); }
Tensor Tensor::mul(const Tensor& o, L loc) const { return xg::mul(*this, o, loc); }
Tensor Tensor::mul(double o, L loc) const { return xg::mul(*this, o, loc); }
Tensor Tensor::div(const Tensor& o, L loc) const { return xg::div(*this, o, loc); }
Tensor Tensor::div(double o, L loc) const { return xg::div(*this, o, loc); }
Tensor Tensor::neg(L loc) const { return xg::neg(*this, loc); }
Tensor Tensor::square(L loc) const { return xg::square(*this, loc); }
Tensor Tensor::sign(L loc) const { return xg::sign(*this, loc); }
Tensor Tensor::pow(double p, L loc) const { return xg::pow(*this, p, loc); }
Tensor Tensor::pow(const Tensor& p, L loc) const { return xg::pow(*this, p, loc); }
Tensor Tensor::abs(L loc) const { return xg::abs(*this, loc); }
#define XG_UNARY(name, ...) \
  Tensor Tensor::name(L loc) const { return xg::name(*this, loc); }
#include "autodiff/unary_ops.def"
#undef XG_UNARY
Tensor Tensor::floor(L loc) const { return xg::floor(*this, loc); }
Tensor Tensor::ceil(L loc) const { return xg::ceil(*this, loc); }
Tensor Tensor::round(L loc) const { return xg::round(*this, loc); }
Tensor Tensor::clamp(std::optional<double> lo, std::optional<double> hi, L loc) const { return xg::clamp(*this, lo, hi, loc); }
Tensor Tensor::clamp_min(double lo, L loc) const { return xg::clamp(*this, lo, std::nullopt, loc); }
Tensor Tensor::clamp_max(double hi, L loc) const { return xg::clamp(*this, std::nullopt, hi, loc); }
Tensor Tensor::maximum(const Tensor& o, L loc) const { return xg::maximum(*this, o, loc); }
Tensor Tensor::minimum(const Tensor& o, L loc) const { return xg::minimum(*this, o, loc); }
Tensor Tensor::softmax(I d, L loc) const { return xg::softmax(*this, d, loc); }
Tensor Tensor::log_softmax(I d, L loc) const { return xg::log_softmax(*this, d, loc); }

Tensor Tensor::sum(L loc) const { return xg::sum(*this, loc); }
Tensor Tensor::sum(D dims, bool keepdim, L loc) const { return xg::sum(*this, std::move(dims), keepdim, loc); }
Tensor Tensor::mean(L loc) const { return xg::mean(*this, loc); }
Tensor Tensor::mean(D dims, bool keepdim, L loc) const { return xg::mean(*this, std::move(dims), keepdim, loc); }
Tensor Tensor::var(L loc) const { return xg::var(*this, loc); }
Tensor Tensor::var(D dims, bool unbiased, bool keepdim, L loc) const { return xg::var(*this, std::move(dims), unbiased, keepdim, loc); }
Tensor Tensor::std(L loc) const { return xg::std(*this, loc); }
Tensor Tensor::std(D dims, bool unbiased, bool keepdim, L loc) const { return xg::std(*this, std::move(dims), unbiased, keepdim, loc); }
Tensor Tensor::prod(L loc) const { return xg::prod(*this, loc); }
Tensor Tensor::prod(I d, bool keepdim, L loc) const { return xg::prod(*this, d, keepdim, loc); }
Tensor Tensor::logsumexp(D dims, bool keepdim, L loc) const { return xg::logsumexp(*this, std::move(dims), keepdim, loc); }
Tensor Tensor::norm(double p, L loc) const { return xg::norm(*this, p, loc); }
Tensor Tensor::norm(double p, D dims, bool keepdim, L loc) const { return xg::norm(*this, p, std::move(dims), keepdim, loc); }
Tensor Tensor::max(L loc) const { return xg::max(*this, loc); }
Tensor Tensor::min(L loc) const { return xg::min(*this, loc); }
std::tuple<Tensor, Tensor> Tensor::max(I d, bool keepdim, L loc) const { return xg::max(*this, d, keepdim, loc); }
std::tuple<Tensor, Tensor> Tensor::min(I d, bool keepdim, L loc) const { return xg::min(*this, d, keepdim, loc); }
Tensor Tensor::max(const Tensor& o, L loc) const { return xg::maximum(*this, o, loc); }
Tensor Tensor::min(const Tensor& o, L loc) const { return xg::minimum(*this, o, loc); }
Tensor Tensor::argmax() const { return xg::argmax(xg::reshape(*this, Shape{-1}), 0); }
Tensor Tensor::argmax(I d, bool keepdim) const { return xg::argmax(*this, d, keepdim); }
Tensor Tensor::argmin() const { return xg::argmin(xg::reshape(*this, Shape{-1}), 0); }
Tensor Tensor::argmin(I d, bool keepdim) const { return xg::argmin(*this, d, keepdim); }

Tensor Tensor::eq(const Tensor& o) const { return xg::eq(*this, o); }
Tensor Tensor::ne(const Tensor& o) const { return xg::ne(*this, o); }
Tensor Tensor::lt(const Tensor& o) const { return xg::lt(*this, o); }
Tensor Tensor::le(const Tensor& o) const { return xg::le(*this, o); }
Tensor Tensor::gt(const Tensor& o) const { return xg::gt(*this, o); }
Tensor Tensor::ge(const Tensor& o) const { return xg::ge(*this, o); }
Tensor Tensor::eq(double o) const { return xg::eq(*this, o); }
Tensor Tensor::ne(double o) const { return xg::ne(*this, o); }
Tensor Tensor::lt(double o) const { return xg::lt(*this, o); }
Tensor Tensor::le(double o) const { return xg::le(*this, o); }
Tensor Tensor::gt(double o) const { return xg::gt(*this, o); }
Tensor Tensor::ge(double o) const { return xg::ge(*this, o); }
Tensor Tensor::logical_and(const Tensor& o) const { return xg::logical_and(*this, o); }
Tensor Tensor::logical_or(const Tensor& o) const { return xg::logical_or(*this, o); }
Tensor Tensor::logical_xor(const Tensor& o) const { return xg::logical_xor(*this, o); }
Tensor Tensor::logical_not() const { return xg::logical_not(*this); }
Tensor Tensor::isnan() const { return xg::isnan(*this); }
Tensor Tensor::isfinite() const { return xg::isfinite(*this); }
Tensor Tensor::any() const { return xg::any(*this); }
Tensor Tensor::any(I d, bool keepdim) const { return xg::any(*this, d, keepdim); }
Tensor Tensor::all() const { return xg::all(*this); }
Tensor Tensor::all(I d, bool keepdim) const { return xg::all(*this, d, keepdim); }
bool Tensor::allclose(const Tensor& o, double rtol, double atol) const { return xg::allclose(*this, o, rtol, atol); }
bool Tensor::equal(const Tensor& o) const { return xg::equal(*this, o); }
bool Tensor::is_nonzero() const {
  autograd::check_defined("is_nonzero", *this);
  if (numel() != 1)
    throw ValueError(fmt::format("is_nonzero: a tensor with {} elements (shape {}) has no single truth value", numel(),
                                 to_string(shape())));
  return item<double>() != 0.0;
}
Tensor Tensor::masked_fill(const Tensor& m, double v, L loc) const { return xg::masked_fill(*this, m, v, loc); }
Tensor Tensor::masked_fill(const Tensor& m, const Tensor& v, L loc) const { return xg::masked_fill(*this, m, v, loc); }
Tensor Tensor::masked_select(const Tensor& m, L loc) const { return xg::masked_select(*this, m, loc); }
Tensor Tensor::where(const Tensor& c, const Tensor& o, L loc) const { return xg::where(c, *this, o, loc); }

Tensor Tensor::reshape(const Shape& s, L loc) const { return xg::reshape(*this, s, loc); }
Tensor Tensor::view(const Shape& s, L loc) const { return xg::view(*this, s, loc); }
Tensor Tensor::reshape_as(const Tensor& o, L loc) const { return xg::reshape(*this, o.shape(), loc); }
Tensor Tensor::view_as(const Tensor& o, L loc) const { return xg::view(*this, o.shape(), loc); }
Tensor Tensor::flatten(I a, I b, L loc) const { return xg::flatten(*this, a, b, loc); }
Tensor Tensor::transpose(I a, I b, L loc) const { return xg::transpose(*this, a, b, loc); }
Tensor Tensor::t(L loc) const { return xg::t(*this, loc); }
Tensor Tensor::permute(std::vector<I> dims, L loc) const { return xg::permute(*this, std::move(dims), loc); }
Tensor Tensor::squeeze(L loc) const { return xg::squeeze(*this, loc); }
Tensor Tensor::squeeze(I d, L loc) const { return xg::squeeze(*this, d, loc); }
Tensor Tensor::unsqueeze(I d, L loc) const { return xg::unsqueeze(*this, d, loc); }
Tensor Tensor::expand(const Shape& s, L loc) const { return xg::expand(*this, s, loc); }
Tensor Tensor::expand_as(const Tensor& o, L loc) const { return xg::expand(*this, o.shape(), loc); }
Tensor Tensor::narrow(I d, I start, I length, L loc) const { return xg::narrow(*this, d, start, length, loc); }
Tensor Tensor::index_select(I d, const Tensor& i, L loc) const { return xg::index_select(*this, d, i, loc); }
Tensor Tensor::gather(I d, const Tensor& i, L loc) const { return xg::gather(*this, d, i, loc); }
Tensor Tensor::scatter_add(I d, const Tensor& i, const Tensor& src, L loc) const { return xg::scatter_add(*this, d, i, src, loc); }
Tensor Tensor::index_add(I d, const Tensor& i, const Tensor& src, L loc) const { return xg::index_add(*this, d, i, src, loc); }

Tensor Tensor::matmul(const Tensor& o, L loc) const { return xg::matmul(*this, o, loc); }
Tensor Tensor::mm(const Tensor& o, L loc) const { return xg::mm(*this, o, loc); }
Tensor Tensor::dot(const Tensor& o, L loc) const { return xg::dot(*this, o, loc); }

}  // namespace xg
