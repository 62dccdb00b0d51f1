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

const std::shared_ptr<autograd::Node>& Tensor::grad_fn() const {
  static const std::shared_ptr<autograd::Node> none;
  return impl_ ? impl_->grad_fn : none;
}

std::string Tensor::grad_fn_name() const { return impl_ && impl_->grad_fn ? impl_->grad_fn->name : ""; }

void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph) const {
  autograd::backward({*this}, gradient.defined() ? std::vector<Tensor>{gradient} : std::vector<Tensor>{}, retain_graph,
                     create_graph);
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

void Tensor::remove_hook(std::int64_t handle) {
  if (!impl_) return;
  auto drop = [handle](auto& hooks) { std::erase_if(hooks, [handle](const auto& h) { return h.first == handle; }); };
  if (impl_->grad_fn) drop(impl_->grad_fn->hooks);
  if (impl_->extra) drop(impl_->extra->hooks);
}

Tensor Tensor::clone() const { return xg::clone(*this); }
Tensor Tensor::to(DType d) const { return to_dtype(*this, d); }

// ----- in-place -----
namespace {

void check_inplace(const char* op, const Tensor& self) {
  autograd::check_defined(op, self);
  if (self.requires_grad() && GradMode::is_enabled())
    throw AutogradError(fmt::format("{}: in-place op on a tensor that requires grad (shape {}{}); wrap it in "
                                    "xg::NoGradGuard (optimizer updates) or use the out-of-place op",
                                    op, to_string(self.shape()), self.is_leaf() ? ", a leaf" : ", computed by '" + self.grad_fn_name() + "'"));
}

void bump(Tensor& self, const char* op) {
  auto& st = *self.impl()->storage;
  ++st.version;
  st.last_inplace_op = op;
}

template <class F>
void inplace_binary(const char* op, Tensor& self, const Tensor& other, F f) {
  check_inplace(op, self);
  autograd::check_same_dtype(op, self, other);
  if (!(broadcast_shapes(op, self.shape(), other.shape()) == self.shape()))
    throw ShapeError(fmt::format("{}: operand of shape {} cannot be broadcast to the tensor's shape {}", op,
                                 to_string(other.shape()), to_string(self.shape())));
  kernel::zip_into(self, other, f);
  bump(self, op);
}

template <class F>
void inplace_scalar(const char* op, Tensor& self, double v, F f) {
  check_inplace(op, self);
  inplace_binary(op, self, autograd::scalar_like(self, v, op), f);
}

constexpr auto plus = [](auto a, auto b) { return a + b; };
constexpr auto times = [](auto a, auto b) { return a * b; };
constexpr auto divides = [](auto a, auto b) { return a / b; };

}  // namespace

namespace {
// self += alpha * other, named `op` (add_ or sub_, which passes -alpha).
void add_scaled(const char* op, Tensor& self, const Tensor& other, double alpha) {
  if (alpha == 1) inplace_binary(op, self, other, plus);
  else inplace_binary(op, self, other, [alpha](auto x, auto y) { return x + static_cast<decltype(y)>(alpha) * y; });
}
}  // namespace

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  add_scaled("add_", *this, other, alpha);
  return *this;
}
Tensor& Tensor::sub_(const Tensor& other, double alpha) {
  add_scaled("sub_", *this, other, -alpha);
  return *this;
}
Tensor& Tensor::mul_(const Tensor& other) {
  inplace_binary("mul_", *this, other, times);
  return *this;
}
Tensor& Tensor::div_(const Tensor& other) {
  inplace_binary("div_", *this, other, divides);
  return *this;
}
Tensor& Tensor::add_(double v) {
  inplace_scalar("add_", *this, v, plus);
  return *this;
}
Tensor& Tensor::sub_(double v) {
  inplace_scalar("sub_", *this, -v, plus);
  return *this;
}
Tensor& Tensor::mul_(double v) {
  inplace_scalar("mul_", *this, v, times);
  return *this;
}
Tensor& Tensor::div_(double v) {
  inplace_scalar("div_", *this, v, divides);
  return *this;
}
Tensor& Tensor::zero_() { return fill_(0); }
Tensor& Tensor::fill_(double v) {
  check_inplace("fill_", *this);
  check_representable("fill_", dtype(), v);
  kernel::fill(*this, v);
  bump(*this, "fill_");
  return *this;
}
Tensor& Tensor::copy_(const Tensor& src) {
  check_inplace("copy_", *this);
  autograd::check_defined("copy_", src);
  if (!(broadcast_shapes("copy_", shape(), src.shape()) == shape()))
    throw ShapeError(fmt::format("copy_: source of shape {} cannot be broadcast to the tensor's shape {}",
                                 to_string(src.shape()), to_string(shape())));
  Tensor s = src.dtype() == dtype() ? src : kernel::cast(src, dtype(), "copy_");
  if (!(s.shape() == shape())) s = kernel::expand(s, shape());
  if (s.impl()->storage != impl_->storage || s.raw_data() != raw_data())
    std::memcpy(raw_data(), s.raw_data(), static_cast<std::size_t>(numel()) * dtype_size(dtype()));
  bump(*this, "copy_");
  return *this;
}
Tensor& Tensor::clamp_(std::optional<double> min, std::optional<double> max) {
  check_inplace("clamp_", *this);
  Tensor c;
  {
    NoGradGuard ng;
    c = xg::clamp(*this, min, max);
  }
  std::memcpy(raw_data(), c.raw_data(), static_cast<std::size_t>(numel()) * dtype_size(dtype()));
  bump(*this, "clamp_");
  return *this;
}

// ----- method forms -----
Tensor Tensor::operator-() const { return neg(*this); }
Tensor Tensor::sum() const { return xg::sum(*this); }
Tensor Tensor::sum(std::vector<std::int64_t> dims, bool keepdim) const { return xg::sum(*this, std::move(dims), keepdim); }
Tensor Tensor::mean() const { return xg::mean(*this); }
Tensor Tensor::mean(std::vector<std::int64_t> dims, bool keepdim) const { return xg::mean(*this, std::move(dims), keepdim); }
Tensor Tensor::reshape(const Shape& s) const { return xg::reshape(*this, s); }
Tensor Tensor::view(const Shape& s) const { return xg::view(*this, s); }
Tensor Tensor::flatten(std::int64_t a, std::int64_t b) const { return xg::flatten(*this, a, b); }
Tensor Tensor::transpose(std::int64_t a, std::int64_t b) const { return xg::transpose(*this, a, b); }
Tensor Tensor::t() const { return xg::t(*this); }
Tensor Tensor::permute(std::vector<std::int64_t> dims) const { return xg::permute(*this, std::move(dims)); }
Tensor Tensor::squeeze() const { return xg::squeeze(*this); }
Tensor Tensor::squeeze(std::int64_t d) const { return xg::squeeze(*this, d); }
Tensor Tensor::unsqueeze(std::int64_t d) const { return xg::unsqueeze(*this, d); }
Tensor Tensor::expand(const Shape& s) const { return xg::expand(*this, s); }
Tensor Tensor::matmul(const Tensor& o) const { return xg::matmul(*this, o); }
Tensor Tensor::pow(double p) const { return xg::pow(*this, p); }
Tensor Tensor::pow(const Tensor& p) const { return xg::pow(*this, p); }
Tensor Tensor::exp() const { return xg::exp(*this); }
Tensor Tensor::log() const { return xg::log(*this); }
Tensor Tensor::sqrt() const { return xg::sqrt(*this); }
Tensor Tensor::abs() const { return xg::abs(*this); }
Tensor Tensor::relu() const { return xg::relu(*this); }
Tensor Tensor::sigmoid() const { return xg::sigmoid(*this); }
Tensor Tensor::tanh() const { return xg::tanh(*this); }
Tensor Tensor::softmax(std::int64_t d) const { return xg::softmax(*this, d); }
Tensor Tensor::log_softmax(std::int64_t d) const { return xg::log_softmax(*this, d); }
Tensor Tensor::norm(double p) const { return xg::norm(*this, p); }
Tensor Tensor::argmax(std::int64_t d, bool keepdim) const { return xg::argmax(*this, d, keepdim); }

}  // namespace xg
