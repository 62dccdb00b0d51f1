#include "nn/layers.h"

#include <fmt/format.h>

#include <cmath>
#include <typeinfo>

#include "autodiff/grad_mode.h"
#include "nn/init.h"

namespace xg::nn {

LinearImpl::LinearImpl(std::int64_t in, std::int64_t out, bool with_bias, DType dtype) : in_features(in), out_features(out) {
  if (in <= 0 || out <= 0) throw ValueError(fmt::format("Linear: sizes must be positive, got in={} out={}", in, out));
  weight = register_parameter("weight", empty({out, in}, dtype));
  if (with_bias) bias = register_parameter("bias", empty({out}, dtype));
  reset_parameters();
}

void LinearImpl::reset_parameters(Generator* gen) {
  init::kaiming_uniform_(weight, std::sqrt(5.0), init::FanMode::FanIn, "leaky_relu", gen);
  if (bias.defined()) {
    const double bound = 1 / std::sqrt(static_cast<double>(in_features));
    init::uniform_(bias, -bound, bound, gen);
  }
}

std::size_t SequentialImpl::checked(std::size_t i) const {
  if (i >= layers_.size())
    throw IndexError(fmt::format("Sequential: index {} is out of range for {} layers", i, layers_.size()));
  return i;
}
Module& SequentialImpl::operator[](std::size_t i) const { return *layers_[checked(i)]; }

std::shared_ptr<Module> SequentialImpl::clone() const {
  // A subclass (struct NetImpl : SequentialImpl) builds its children in its constructor: build it again.
  if (typeid(*this) != typeid(SequentialImpl)) return Module::clone();
  auto copy = std::make_shared<SequentialImpl>();
  const NamedModules children = named_children();
  for (std::size_t i = 0; i < children.size(); ++i) copy->push_back(children[i].first, layers_[i]->clone());
  copy_state_into(*copy);
  return copy;
}

Tensor LinearImpl::forward(const Tensor& x) {
  if (x.defined() && x.dtype() != weight.dtype())
    throw DTypeError(fmt::format("Linear: input of dtype {} (shape {}) for parameters of dtype {}; convert one with .to(...)",
                                 dtype_name(x.dtype()), to_string(x.shape()), dtype_name(weight.dtype())));
  return xg::linear(x, weight, bias);
}

std::string LinearImpl::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", in_features, out_features, bias.defined());
}
std::string LeakyReLUImpl::extra_repr() const { return fmt::format("negative_slope={}", negative_slope); }
std::string ELUImpl::extra_repr() const { return fmt::format("alpha={}", alpha); }
std::string SoftmaxImpl::extra_repr() const { return fmt::format("dim={}", dim); }
std::string LogSoftmaxImpl::extra_repr() const { return fmt::format("dim={}", dim); }

DropoutImpl::DropoutImpl(double p) : p(p) {
  if (!(p >= 0 && p < 1)) throw ValueError(fmt::format("Dropout: p (drop probability) must be in [0, 1), got {}", p));
}
std::string DropoutImpl::extra_repr() const { return fmt::format("p={}", p); }

BatchNorm1dImpl::BatchNorm1dImpl(std::int64_t n, double eps, std::optional<double> momentum, bool affine, bool track, DType dtype)
    : num_features(n), eps(eps), momentum(momentum), affine(affine), track_running_stats(track) {
  if (n <= 0) throw ValueError(fmt::format("BatchNorm1d: num_features must be positive, got {}", n));
  if (!(eps > 0)) throw ValueError(fmt::format("BatchNorm1d: eps must be positive, got {}", eps));
  if (momentum && !(*momentum >= 0 && *momentum <= 1))
    throw ValueError(fmt::format("BatchNorm1d: momentum must be in [0, 1], got {}", *momentum));
  if (affine) {
    weight = register_parameter("weight", ones({n}, dtype));
    bias = register_parameter("bias", zeros({n}, dtype));
  }
  if (track) {
    running_mean = register_buffer("running_mean", zeros({n}, dtype));
    running_var = register_buffer("running_var", ones({n}, dtype));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, kInt64));
  }
}

void BatchNorm1dImpl::reset_running_stats() {
  if (!track_running_stats) return;
  NoGradGuard ng;
  running_mean.zero_();
  running_var.fill_(1);
  num_batches_tracked.zero_();
}

Tensor BatchNorm1dImpl::forward(const Tensor& x) {
  if (x.defined() && x.dim() >= 2 && x.size(1) != num_features)
    throw ShapeError(fmt::format("BatchNorm1d: expected {} channels in dim 1, got input shape {}", num_features, to_string(x.shape())));
  return functional::batch_norm(x, running_mean, running_var, weight, bias, is_training() || !track_running_stats, momentum,
                                eps, num_batches_tracked);
}

std::string BatchNorm1dImpl::extra_repr() const {
  return fmt::format("{}, eps={}, momentum={}, affine={}, track_running_stats={}", num_features, eps,
                     momentum ? fmt::format("{}", *momentum) : "None", affine, track_running_stats);
}

Tensor SequentialImpl::forward(const Tensor& x) {
  Tensor y = x;
  for (auto& m : layers_) y = (*m)(y);
  return y;
}

}  // namespace xg::nn
