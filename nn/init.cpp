#include "nn/init.h"

#include <fmt/format.h>

#include <cmath>

#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"

namespace xg::nn::init {

namespace {
void check(const char* op, const Tensor& t) {
  if (!t.defined()) throw ValueError(fmt::format("init.{}: the tensor is undefined", op));
  if (!t.is_floating_point()) throw DTypeError(fmt::format("init.{}: expected a float tensor, got {}", op, dtype_name(t.dtype())));
}
// Writes new values into t's storage (same handle), outside the graph.
Tensor& assign(Tensor& t, const Tensor& values) {
  NoGradGuard ng;
  t.copy_(values);
  return t;
}
double fan(const Tensor& t, FanMode mode) {
  const auto [in, out] = calculate_fan_in_and_fan_out(t);
  return static_cast<double>(mode == FanMode::FanIn ? in : out);
}
}  // namespace

double calculate_gain(const std::string& nl, double param) {
  if (nl == "linear" || nl == "sigmoid" || nl == "identity" || nl.rfind("conv", 0) == 0) return 1;
  if (nl == "tanh") return 5.0 / 3;
  if (nl == "relu") return std::sqrt(2.0);
  if (nl == "leaky_relu") return std::sqrt(2.0 / (1 + param * param));
  if (nl == "selu") return 3.0 / 4;
  throw ValueError(fmt::format("calculate_gain: unknown nonlinearity '{}'", nl));
}

std::pair<std::int64_t, std::int64_t> calculate_fan_in_and_fan_out(const Tensor& t) {
  if (t.dim() < 2)
    throw ValueError(fmt::format("init: fan in and fan out need a tensor with at least 2 dims, got shape {}", to_string(t.shape())));
  std::int64_t receptive = 1;
  for (std::int64_t d = 2; d < t.dim(); ++d) receptive *= t.size(d);
  return {t.size(1) * receptive, t.size(0) * receptive};
}

Tensor& uniform_(Tensor& t, double a, double b, Generator* gen) {
  check("uniform_", t);
  if (!(a <= b)) throw ValueError(fmt::format("init.uniform_: need a <= b, got a={} b={}", a, b));
  return assign(t, rand(t.shape(), kFloat64, gen) * (b - a) + a);
}
Tensor& normal_(Tensor& t, double mean, double std, Generator* gen) {
  check("normal_", t);
  if (!(std >= 0)) throw ValueError(fmt::format("init.normal_: std must be non-negative, got {}", std));
  return assign(t, randn(t.shape(), kFloat64, gen) * std + mean);
}
Tensor& constant_(Tensor& t, double value) {
  check("constant_", t);
  NoGradGuard ng;
  return t.fill_(value);
}
Tensor& zeros_(Tensor& t) { return constant_(t, 0); }
Tensor& ones_(Tensor& t) { return constant_(t, 1); }

Tensor& xavier_uniform_(Tensor& t, double gain, Generator* gen) {
  check("xavier_uniform_", t);
  const auto [in, out] = calculate_fan_in_and_fan_out(t);
  const double bound = gain * std::sqrt(6.0 / static_cast<double>(in + out));
  return uniform_(t, -bound, bound, gen);
}
Tensor& xavier_normal_(Tensor& t, double gain, Generator* gen) {
  check("xavier_normal_", t);
  const auto [in, out] = calculate_fan_in_and_fan_out(t);
  return normal_(t, 0, gain * std::sqrt(2.0 / static_cast<double>(in + out)), gen);
}
Tensor& kaiming_uniform_(Tensor& t, double a, FanMode mode, const std::string& nl, Generator* gen) {
  check("kaiming_uniform_", t);
  const double bound = calculate_gain(nl, a) * std::sqrt(3.0 / fan(t, mode));
  return uniform_(t, -bound, bound, gen);
}
Tensor& kaiming_normal_(Tensor& t, double a, FanMode mode, const std::string& nl, Generator* gen) {
  check("kaiming_normal_", t);
  return normal_(t, 0, calculate_gain(nl, a) / std::sqrt(fan(t, mode)), gen);
}
Tensor& lecun_uniform_(Tensor& t, Generator* gen) {
  check("lecun_uniform_", t);
  const double bound = std::sqrt(3.0 / fan(t, FanMode::FanIn));
  return uniform_(t, -bound, bound, gen);
}
Tensor& lecun_normal_(Tensor& t, Generator* gen) {
  check("lecun_normal_", t);
  return normal_(t, 0, 1 / std::sqrt(fan(t, FanMode::FanIn)), gen);
}

}  // namespace xg::nn::init
