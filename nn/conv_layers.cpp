#include "nn/conv_layers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "nn/init.h"

namespace xg::nn {

namespace {
using i64 = std::int64_t;

// The D values of a, each at least min, else ValueError naming the layer.
template <std::size_t D>
std::vector<i64> sizes(const char* layer, const char* what, const ExpandingArray<D>& a, i64 min) {
  const auto& v = a.values();
  bool ok = v.size() == D;
  for (auto x : v) ok = ok && x >= min;
  if (!ok)
    throw ValueError(fmt::format("{}: {} must be one int or {} ints, each {}, got {}", layer, what, D,
                                 min > 0 ? "positive" : "non-negative", to_string(Shape(v.begin(), v.end()))));
  return v;
}

// "(3, 3)" as PyTorch prints a tuple; "(3,)" for one value.
std::string tuple_str(const std::vector<i64>& v) {
  std::string s = "(";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + (v.size() == 1 ? ",)" : ")");
}

void check_channels(const char* layer, i64 in, i64 out, i64 groups) {
  if (in <= 0 || out <= 0)
    throw ValueError(fmt::format("{}: in_channels and out_channels must be positive, got {} and {}", layer, in, out));
  if (groups <= 0 || in % groups != 0 || out % groups != 0)
    throw ValueError(fmt::format("{}: groups={} must be positive and divide in_channels {} and out_channels {}", layer, groups, in, out));
}

// PyTorch's default: kaiming_uniform_(a = √5) for the weight, U(±1/√fan_in) for the bias.
void reset_conv(Tensor& weight, Tensor& bias, Generator* gen) {
  init::kaiming_uniform_(weight, std::sqrt(5.0), init::FanMode::FanIn, "leaky_relu", gen);
  if (bias.defined()) {
    const double bound = 1 / std::sqrt(static_cast<double>(init::calculate_fan_in_and_fan_out(weight).first));
    init::uniform_(bias, -bound, bound, gen);
  }
}
}  // namespace

template <std::size_t D>
ConvNdImpl<D>::ConvNdImpl(ConvOptions<D> o) : options(std::move(o)) {
  const char* name = D == 1 ? "Conv1d" : "Conv2d";
  const auto& op = options;
  check_channels(name, op.in_channels(), op.out_channels(), op.groups());
  const auto k = sizes(name, "kernel_size", op.kernel_size(), 1), s = sizes(name, "stride", op.stride(), 1);
  const auto d = sizes(name, "dilation", op.dilation(), 1);
  const std::string& mode = op.padding().mode();
  std::vector<i64> lo(D, 0), hi(D, 0);
  if (mode.empty()) {
    lo = hi = sizes(name, "padding", static_cast<const ExpandingArray<D>&>(op.padding()), 0);
  } else if (mode == "same") {
    for (std::size_t i = 0; i < D; ++i) {
      if (s[i] != 1) throw ValueError(fmt::format("{}: padding='same' is not supported for strided convolutions (stride {})", name, tuple_str(s)));
      const i64 total = d[i] * (k[i] - 1);
      lo[i] = total / 2, hi[i] = total - total / 2;
    }
  } else if (mode != "valid") {
    throw ValueError(fmt::format("{}: padding must be sizes, \"same\" or \"valid\", got \"{}\"", name, mode));
  }
  if (op.padding_mode() == "reflect") pad_mode_ = PadMode::Reflect;
  else if (op.padding_mode() == "replicate") pad_mode_ = PadMode::Replicate;
  else if (op.padding_mode() == "circular") pad_mode_ = PadMode::Circular;
  else if (op.padding_mode() != "zeros")
    throw ValueError(fmt::format("{}: padding_mode must be \"zeros\", \"reflect\", \"replicate\" or \"circular\", got \"{}\"", name,
                                 op.padding_mode()));
  if (op.padding_mode() != "zeros")  // F.pad's order: the last dim first
    for (std::size_t i = D; i-- > 0;) pad_.push_back(lo[i]), pad_.push_back(hi[i]);
  Shape ws{op.out_channels(), op.in_channels() / op.groups()};
  for (auto v : k) ws.push_back(v);
  weight = register_parameter("weight", empty(ws, op.dtype()));
  if (op.bias()) bias = register_parameter("bias", empty({op.out_channels()}, op.dtype()));
  reset_parameters();
}

template <std::size_t D>
void ConvNdImpl<D>::reset_parameters(Generator* gen) {
  reset_conv(weight, bias, gen);
}

template <std::size_t D>
Tensor ConvNdImpl<D>::forward(const Tensor& x) {
  const auto& o = options;
  if constexpr (D == 1) {
    if (pad_.empty()) return xg::conv1d(x, weight, bias, o.stride(), o.padding(), o.dilation(), o.groups());
    return xg::conv1d(xg::pad(x, pad_, pad_mode_), weight, bias, o.stride(), 0, o.dilation(), o.groups());
  } else {
    if (pad_.empty()) return xg::conv2d(x, weight, bias, o.stride(), o.padding(), o.dilation(), o.groups());
    return xg::conv2d(xg::pad(x, pad_, pad_mode_), weight, bias, o.stride(), 0, o.dilation(), o.groups());
  }
}

template <std::size_t D>
std::string ConvNdImpl<D>::extra_repr() const {
  const auto& o = options;
  std::string s = fmt::format("{}, {}, kernel_size={}, stride={}", o.in_channels(), o.out_channels(), tuple_str(o.kernel_size().values()),
                              tuple_str(o.stride().values()));
  if (!o.padding().mode().empty()) s += ", padding=" + o.padding().mode();
  else if (o.padding().values() != std::vector<i64>(D, 0)) s += ", padding=" + tuple_str(o.padding().values());
  if (o.dilation().values() != std::vector<i64>(D, 1)) s += ", dilation=" + tuple_str(o.dilation().values());
  if (o.groups() != 1) s += fmt::format(", groups={}", o.groups());
  if (!o.bias()) s += ", bias=False";
  if (o.padding_mode() != "zeros") s += ", padding_mode=" + o.padding_mode();
  return s;
}

template class ConvNdImpl<1>;
template class ConvNdImpl<2>;

ConvTranspose2dImpl::ConvTranspose2dImpl(ConvTranspose2dOptions o) : options(std::move(o)) {
  const char* name = "ConvTranspose2d";
  check_channels(name, options.in_channels(), options.out_channels(), options.groups());
  const auto k = sizes(name, "kernel_size", options.kernel_size(), 1), s = sizes(name, "stride", options.stride(), 1);
  (void)sizes(name, "padding", options.padding(), 0);
  (void)sizes(name, "dilation", options.dilation(), 1);
  const auto op = sizes(name, "output_padding", options.output_padding(), 0);
  for (int i = 0; i < 2; ++i)
    if (op[i] >= s[i])
      throw ValueError(fmt::format("{}: output_padding {} must be smaller than stride {}", name, tuple_str(op), tuple_str(s)));
  weight = register_parameter("weight", empty({options.in_channels(), options.out_channels() / options.groups(), k[0], k[1]}, options.dtype()));
  if (options.bias()) bias = register_parameter("bias", empty({options.out_channels()}, options.dtype()));
  reset_parameters();
}

void ConvTranspose2dImpl::reset_parameters(Generator* gen) { reset_conv(weight, bias, gen); }

Tensor ConvTranspose2dImpl::forward(const Tensor& x) {
  const auto& o = options;
  return xg::conv_transpose2d(x, weight, bias, o.stride(), o.padding(), o.output_padding(), o.groups(), o.dilation());
}

std::string ConvTranspose2dImpl::extra_repr() const {
  const auto& o = options;
  std::string s = fmt::format("{}, {}, kernel_size={}, stride={}", o.in_channels(), o.out_channels(), tuple_str(o.kernel_size().values()),
                              tuple_str(o.stride().values()));
  if (o.padding().values() != std::vector<i64>(2, 0)) s += ", padding=" + tuple_str(o.padding().values());
  if (o.output_padding().values() != std::vector<i64>(2, 0)) s += ", output_padding=" + tuple_str(o.output_padding().values());
  if (o.dilation().values() != std::vector<i64>(2, 1)) s += ", dilation=" + tuple_str(o.dilation().values());
  if (o.groups() != 1) s += fmt::format(", groups={}", o.groups());
  if (!o.bias()) s += ", bias=False";
  return s;
}

Tensor MaxPool2dImpl::forward(const Tensor& x) {
  const auto& o = options;
  return xg::max_pool2d(x, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
}
std::string MaxPool2dImpl::extra_repr() const {
  const auto& o = options;
  return fmt::format("kernel_size={}, stride={}, padding={}, dilation={}, ceil_mode={}", tuple_str(o.kernel_size().values()),
                     tuple_str(o.stride().empty() ? o.kernel_size().values() : o.stride().values()), tuple_str(o.padding().values()),
                     tuple_str(o.dilation().values()), o.ceil_mode());
}

Tensor AvgPool2dImpl::forward(const Tensor& x) {
  const auto& o = options;
  return xg::avg_pool2d(x, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(), o.count_include_pad(), o.divisor_override());
}
std::string AvgPool2dImpl::extra_repr() const {
  const auto& o = options;
  return fmt::format("kernel_size={}, stride={}, padding={}", tuple_str(o.kernel_size().values()),
                     tuple_str(o.stride().empty() ? o.kernel_size().values() : o.stride().values()), tuple_str(o.padding().values()));
}

std::string AdaptiveAvgPool2dImpl::extra_repr() const { return "output_size=" + tuple_str(output_size.values()); }
std::string AdaptiveMaxPool2dImpl::extra_repr() const { return "output_size=" + tuple_str(output_size.values()); }

namespace {
i64 checked_bn2d(i64 n, double eps, std::optional<double> momentum) {
  if (n <= 0) throw ValueError(fmt::format("BatchNorm2d: num_features must be positive, got {}", n));
  if (!(eps > 0)) throw ValueError(fmt::format("BatchNorm2d: eps must be positive, got {}", eps));
  if (momentum && !(*momentum >= 0 && *momentum <= 1))
    throw ValueError(fmt::format("BatchNorm2d: momentum must be in [0, 1], got {}", *momentum));
  return n;
}
}  // namespace

BatchNorm2dImpl::BatchNorm2dImpl(i64 n, double eps, std::optional<double> momentum, bool affine, bool track, DType dtype)
    : BatchNorm1dImpl(checked_bn2d(n, eps, momentum), eps, momentum, affine, track, dtype) {}

Tensor BatchNorm2dImpl::forward(const Tensor& x) {
  if (!x.defined() || x.dim() != 4)
    throw ShapeError(fmt::format("BatchNorm2d: expected a 4-D input [N, C, H, W], got shape {}",
                                 x.defined() ? to_string(x.shape()) : "(undefined)"));
  if (x.size(1) != num_features)
    throw ShapeError(fmt::format("BatchNorm2d: expected {} channels in dim 1, got input shape {}", num_features, to_string(x.shape())));
  const Tensor planes = xg::reshape(x, {x.size(0), num_features, x.size(2) * x.size(3)});
  const Tensor y = functional::batch_norm(planes, running_mean, running_var, weight, bias, is_training() || !track_running_stats,
                                          momentum, eps, num_batches_tracked);
  return xg::reshape(y, x.shape());
}

Dropout2dImpl::Dropout2dImpl(double p) : p(p) {
  if (!(p >= 0 && p < 1)) throw ValueError(fmt::format("Dropout2d: p (drop probability) must be in [0, 1), got {}", p));
}
std::string Dropout2dImpl::extra_repr() const { return fmt::format("p={}", p); }

UnflattenImpl::UnflattenImpl(i64 dim, std::vector<i64> s) : dim(dim), sizes(std::move(s)) {
  int inferred = 0;
  for (auto v : sizes) inferred += v == -1;
  const bool bad = sizes.empty() || inferred > 1 || std::any_of(sizes.begin(), sizes.end(), [](i64 v) { return v < -1 || v == 0; });
  if (bad)
    throw ValueError(fmt::format("Unflatten: sizes must be positive (one may be -1), got {}", to_string(Shape(sizes.begin(), sizes.end()))));
}

Tensor UnflattenImpl::forward(const Tensor& x) {
  if (!x.defined()) throw ValueError("Unflatten: got an undefined tensor");
  const std::size_t d = wrap_dim("Unflatten", dim, x.shape().size());
  i64 known = 1;
  for (auto v : sizes)
    if (v != -1 && __builtin_mul_overflow(known, v, &known)) known = INT64_MAX;
  const i64 n = x.shape()[d];
  const bool infer = std::find(sizes.begin(), sizes.end(), -1) != sizes.end();
  if (infer ? n % known != 0 : n != known)
    throw ShapeError(fmt::format("Unflatten: sizes {} do not split dim {} of size {} (input {})", to_string(Shape(sizes.begin(), sizes.end())),
                                 dim, n, to_string(x.shape())));
  Shape out;
  for (std::size_t i = 0; i < x.shape().size(); ++i) {
    if (i != d) out.push_back(x.shape()[i]);
    else
      for (auto v : sizes) out.push_back(v == -1 ? n / known : v);
  }
  return xg::reshape(x, out);
}
std::string UnflattenImpl::extra_repr() const { return fmt::format("dim={}, unflattened_size={}", dim, tuple_str(sizes)); }

namespace functional {
Tensor dropout2d(const Tensor& x, double p, bool training, Generator* gen) {
  if (!(p >= 0 && p < 1)) throw ValueError(fmt::format("dropout2d: p (drop probability) must be in [0, 1), got {}", p));
  if (!x.defined() || !x.is_floating_point()) throw DTypeError("dropout2d: expected a float tensor");
  if (x.dim() != 4) throw ShapeError(fmt::format("dropout2d: expected a 4-D input [N, C, H, W], got shape {}", to_string(x.shape())));
  if (!training || p == 0) return x;
  const Tensor mask = bernoulli({x.size(0), x.size(1), 1, 1}, 1 - p, x.dtype(), gen);
  return x * (mask * (1 / (1 - p)));
}
}  // namespace functional

}  // namespace xg::nn
