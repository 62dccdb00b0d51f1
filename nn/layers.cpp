#include "nn/layers.h"

#include <fmt/format.h>

#include <cmath>

#include "autodiff/grad_mode.h"
#include "nn/init.h"

namespace xg::nn {

Linear::Linear(std::int64_t in, std::int64_t out, bool with_bias, DType dtype) : in_features(in), out_features(out) {
  if (in <= 0 || out <= 0) throw ValueError(fmt::format("Linear: sizes must be positive, got in={} out={}", in, out));
  weight = register_parameter("weight", empty({out, in}, dtype));
  if (with_bias) bias = register_parameter("bias", empty({out}, dtype));
  reset_parameters();
}

void Linear::reset_parameters(Generator* gen) {
  init::kaiming_uniform_(weight, std::sqrt(5.0), init::FanMode::FanIn, "leaky_relu", gen);
  if (bias.defined()) {
    const double bound = 1 / std::sqrt(static_cast<double>(in_features));
    init::uniform_(bias, -bound, bound, gen);
  }
}

Module& Sequential::operator[](std::size_t i) const {
  if (i >= layers_.size())
    throw IndexError(fmt::format("Sequential::operator[]: index {} is out of range for {} layers", i, layers_.size()));
  return *layers_[i];
}

Tensor Linear::forward(const Tensor& x) {
  if (x.defined() && x.dtype() != weight.dtype())
    throw DTypeError(fmt::format("Linear: input of dtype {} (shape {}) for parameters of dtype {}; convert one with .to(...)",
                                 dtype_name(x.dtype()), to_string(x.shape()), dtype_name(weight.dtype())));
  return xg::linear(x, weight, bias);
}

std::string Linear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", in_features, out_features, bias.defined());
}
std::string LeakyReLU::extra_repr() const { return fmt::format("negative_slope={}", negative_slope); }
std::string ELU::extra_repr() const { return fmt::format("alpha={}", alpha); }
std::string Softmax::extra_repr() const { return fmt::format("dim={}", dim); }
std::string LogSoftmax::extra_repr() const { return fmt::format("dim={}", dim); }

Dropout::Dropout(double p) : p(p) {
  if (!(p >= 0 && p < 1)) throw ValueError(fmt::format("Dropout: p (drop probability) must be in [0, 1), got {}", p));
}
std::string Dropout::extra_repr() const { return fmt::format("p={}", p); }

BatchNorm1d::BatchNorm1d(std::int64_t n, double eps, std::optional<double> momentum, bool affine, bool track, DType dtype)
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

void BatchNorm1d::reset_running_stats() {
  if (!track_running_stats) return;
  NoGradGuard ng;
  running_mean.zero_();
  running_var.fill_(1);
  num_batches_tracked.zero_();
}

Tensor BatchNorm1d::forward(const Tensor& x) {
  if (x.defined() && x.dim() >= 2 && x.size(1) != num_features)
    throw ShapeError(fmt::format("BatchNorm1d: expected {} channels in dim 1, got input shape {}", num_features, to_string(x.shape())));
  return functional::batch_norm(x, running_mean, running_var, weight, bias, is_training() || !track_running_stats, momentum,
                                eps, num_batches_tracked);
}

std::string BatchNorm1d::extra_repr() const {
  return fmt::format("{}, eps={}, momentum={}, affine={}, track_running_stats={}", num_features, eps,
                     momentum ? fmt::format("{}", *momentum) : "None", affine, track_running_stats);
}

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> modules) {
  for (const auto& m : modules) push_back(m);
}
void Sequential::push_back(std::shared_ptr<Module> m) { push_back(std::to_string(layers_.size()), std::move(m)); }
void Sequential::push_back(const std::string& name, std::shared_ptr<Module> m) {
  register_module(name, m);
  layers_.push_back(std::move(m));
}
Tensor Sequential::forward(const Tensor& x) {
  Tensor y = x;
  for (auto& m : layers_) y = (*m)(y);
  return y;
}

}  // namespace xg::nn
