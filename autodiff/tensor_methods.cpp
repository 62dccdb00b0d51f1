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

void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph, const std::vector<Tensor>& inputs) const {
  autograd::backward({*this}, gradient.defined() ? std::vector<Tensor>{gradient} : std::vector<Tensor>{}, retain_graph,
                     create_graph, inputs);
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
Tensor Tensor::to(DType d, SourceLocation loc) const { return to_dtype(*this, d, loc); }

// ----- method forms -----
Tensor operator-(TensorOperand x) { return neg(x.value, x.where); }
Tensor Tensor::sum(SourceLocation loc) const { return xg::sum(*this, loc); }
Tensor Tensor::sum(std::vector<std::int64_t> dims, bool keepdim, SourceLocation loc) const { return xg::sum(*this, std::move(dims), keepdim, loc); }
Tensor Tensor::mean(SourceLocation loc) const { return xg::mean(*this, loc); }
Tensor Tensor::mean(std::vector<std::int64_t> dims, bool keepdim, SourceLocation loc) const { return xg::mean(*this, std::move(dims), keepdim, loc); }
Tensor Tensor::reshape(const Shape& s, SourceLocation loc) const { return xg::reshape(*this, s, loc); }
Tensor Tensor::view(const Shape& s, SourceLocation loc) const { return xg::view(*this, s, loc); }
Tensor Tensor::flatten(std::int64_t a, std::int64_t b, SourceLocation loc) const { return xg::flatten(*this, a, b, loc); }
Tensor Tensor::transpose(std::int64_t a, std::int64_t b, SourceLocation loc) const { return xg::transpose(*this, a, b, loc); }
Tensor Tensor::t(SourceLocation loc) const { return xg::t(*this, loc); }
Tensor Tensor::permute(std::vector<std::int64_t> dims, SourceLocation loc) const { return xg::permute(*this, std::move(dims), loc); }
Tensor Tensor::squeeze(SourceLocation loc) const { return xg::squeeze(*this, loc); }
Tensor Tensor::squeeze(std::int64_t d, SourceLocation loc) const { return xg::squeeze(*this, d, loc); }
Tensor Tensor::unsqueeze(std::int64_t d, SourceLocation loc) const { return xg::unsqueeze(*this, d, loc); }
Tensor Tensor::expand(const Shape& s, SourceLocation loc) const { return xg::expand(*this, s, loc); }
Tensor Tensor::matmul(const Tensor& o, SourceLocation loc) const { return xg::matmul(*this, o, loc); }
Tensor Tensor::pow(double p, SourceLocation loc) const { return xg::pow(*this, p, loc); }
Tensor Tensor::pow(const Tensor& p, SourceLocation loc) const { return xg::pow(*this, p, loc); }
Tensor Tensor::exp(SourceLocation loc) const { return xg::exp(*this, loc); }
Tensor Tensor::log(SourceLocation loc) const { return xg::log(*this, loc); }
Tensor Tensor::sqrt(SourceLocation loc) const { return xg::sqrt(*this, loc); }
Tensor Tensor::abs(SourceLocation loc) const { return xg::abs(*this, loc); }
Tensor Tensor::relu(SourceLocation loc) const { return xg::relu(*this, loc); }
Tensor Tensor::sigmoid(SourceLocation loc) const { return xg::sigmoid(*this, loc); }
Tensor Tensor::tanh(SourceLocation loc) const { return xg::tanh(*this, loc); }
Tensor Tensor::softmax(std::int64_t d, SourceLocation loc) const { return xg::softmax(*this, d, loc); }
Tensor Tensor::log_softmax(std::int64_t d, SourceLocation loc) const { return xg::log_softmax(*this, d, loc); }
Tensor Tensor::norm(double p, SourceLocation loc) const { return xg::norm(*this, p, loc); }
Tensor Tensor::argmax(std::int64_t d, bool keepdim) const { return xg::argmax(*this, d, keepdim); }

}  // namespace xg
