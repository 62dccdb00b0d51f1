#pragma once
// Convolution, pooling and 2-d normalization layers, each a few lines of ops. Options have
// LibTorch's chained setters and PyTorch's defaults, so a layer reads
//   nn::Conv2d conv(nn::Conv2dOptions(1, 32, 3).stride(2).padding(1));
// or, with the defaults, nn::Conv2d conv(1, 32, 3). Parameter names and state_dict keys are
// PyTorch's (weight, bias; BatchNorm2d's running stats), so checkpoints map one to one.
#include <optional>
#include <string>

#include "nn/functional_conv.h"
#include "nn/layers.h"

namespace xg::nn {

#define XG_CONV_OPTIONS(option)                                 \
  option(std::int64_t, in_channels, 0)                          \
  option(std::int64_t, out_channels, 0)                         \
  option(ExpandingArray<D>, kernel_size, 1)                     \
  option(ExpandingArray<D>, stride, 1)                          \
  option(ConvPadding<D>, padding, 0) /* sizes, "same" or "valid" */ \
  option(ExpandingArray<D>, dilation, 1)                        \
  option(std::int64_t, groups, 1)                               \
  option(bool, bias, true)                                      \
  option(std::string, padding_mode, "zeros") /* or "reflect", "replicate", "circular" */ \
  option(DType, dtype, kFloat32)  // not in LibTorch: the parameters' dtype
template <std::size_t D>
struct ConvOptions {
  ConvOptions(std::int64_t in_channels, std::int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(std::move(kernel_size)) {}
  XG_OPTIONS(ConvOptions, XG_CONV_OPTIONS)
};
using Conv1dOptions = ConvOptions<1>;
using Conv2dOptions = ConvOptions<2>;

// weight [out_channels, in_channels/groups, kernel...], bias [out_channels]; initialized as
// PyTorch: kaiming_uniform_ with a = √5 (U(±1/√fan_in), fan_in = in_channels/groups · Πkernel),
// bias U(±1/√fan_in).
template <std::size_t D>
class ConvNdImpl : public Module {
 public:
  explicit ConvNdImpl(ConvOptions<D> options);
  ConvNdImpl(std::int64_t in_channels, std::int64_t out_channels, ExpandingArray<D> kernel_size)
      : ConvNdImpl(ConvOptions<D>(in_channels, out_channels, std::move(kernel_size))) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return D == 1 ? "Conv1d" : "Conv2d"; }
  std::string extra_repr() const override;
  void reset_parameters(Generator* gen = nullptr);

  ConvOptions<D> options;
  Tensor weight, bias;

 private:
  std::vector<std::int64_t> pad_;  // F.pad sizes when padding_mode is not "zeros"
  PadMode pad_mode_ = PadMode::Constant;
};
using Conv1dImpl = ConvNdImpl<1>;
using Conv2dImpl = ConvNdImpl<2>;
XG_MODULE(Conv1d);
XG_MODULE(Conv2d);

#define XG_CONV_TRANSPOSE_OPTIONS(option)       \
  option(std::int64_t, in_channels, 0)          \
  option(std::int64_t, out_channels, 0)         \
  option(ExpandingArray<2>, kernel_size, 1)     \
  option(ExpandingArray<2>, stride, 1)          \
  option(ExpandingArray<2>, padding, 0)         \
  option(ExpandingArray<2>, output_padding, 0)  \
  option(std::int64_t, groups, 1)               \
  option(bool, bias, true)                      \
  option(ExpandingArray<2>, dilation, 1)        \
  option(DType, dtype, kFloat32)
struct ConvTranspose2dOptions {
  ConvTranspose2dOptions(std::int64_t in_channels, std::int64_t out_channels, ExpandingArray<2> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(std::move(kernel_size)) {}
  XG_OPTIONS(ConvTranspose2dOptions, XG_CONV_TRANSPOSE_OPTIONS)
};

// weight [in_channels, out_channels/groups, kH, kW], initialized as PyTorch (whose fan_in for a
// transposed conv is weight.size(1)·kH·kW).
class ConvTranspose2dImpl : public Module {
 public:
  explicit ConvTranspose2dImpl(ConvTranspose2dOptions options);
  ConvTranspose2dImpl(std::int64_t in_channels, std::int64_t out_channels, ExpandingArray<2> kernel_size)
      : ConvTranspose2dImpl(ConvTranspose2dOptions(in_channels, out_channels, std::move(kernel_size))) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ConvTranspose2d"; }
  std::string extra_repr() const override;
  void reset_parameters(Generator* gen = nullptr);

  ConvTranspose2dOptions options;
  Tensor weight, bias;
};
XG_MODULE(ConvTranspose2d);

#define XG_MAX_POOL_OPTIONS(option)                          \
  option(ExpandingArray<2>, kernel_size, 1)                  \
  option(ExpandingArray<2>, stride, {}) /* {} = kernel_size */ \
  option(ExpandingArray<2>, padding, 0)                      \
  option(ExpandingArray<2>, dilation, 1)                     \
  option(bool, ceil_mode, false)
struct MaxPool2dOptions {
  MaxPool2dOptions(ExpandingArray<2> kernel_size) : kernel_size_(std::move(kernel_size)) {}
  XG_OPTIONS(MaxPool2dOptions, XG_MAX_POOL_OPTIONS)
};
class MaxPool2dImpl : public Module {
 public:
  explicit MaxPool2dImpl(MaxPool2dOptions options) : options(std::move(options)) {}
  explicit MaxPool2dImpl(ExpandingArray<2> kernel_size) : options(std::move(kernel_size)) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "MaxPool2d"; }
  std::string extra_repr() const override;
  MaxPool2dOptions options;
};
XG_MODULE(MaxPool2d);

#define XG_AVG_POOL_OPTIONS(option)                          \
  option(ExpandingArray<2>, kernel_size, 1)                  \
  option(ExpandingArray<2>, stride, {}) /* {} = kernel_size */ \
  option(ExpandingArray<2>, padding, 0)                      \
  option(bool, ceil_mode, false)                             \
  option(bool, count_include_pad, true)                      \
  option(std::optional<std::int64_t>, divisor_override, std::nullopt)
struct AvgPool2dOptions {
  AvgPool2dOptions(ExpandingArray<2> kernel_size) : kernel_size_(std::move(kernel_size)) {}
  XG_OPTIONS(AvgPool2dOptions, XG_AVG_POOL_OPTIONS)
};
class AvgPool2dImpl : public Module {
 public:
  explicit AvgPool2dImpl(AvgPool2dOptions options) : options(std::move(options)) {}
  explicit AvgPool2dImpl(ExpandingArray<2> kernel_size) : options(std::move(kernel_size)) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "AvgPool2d"; }
  std::string extra_repr() const override;
  AvgPool2dOptions options;
};
XG_MODULE(AvgPool2d);

using AdaptiveAvgPool2dOptions = ExpandingArray<2>;  // the output size
class AdaptiveAvgPool2dImpl : public Module {
 public:
  explicit AdaptiveAvgPool2dImpl(ExpandingArray<2> output_size) : output_size(std::move(output_size)) {}
  Tensor forward(const Tensor& x) override { return xg::adaptive_avg_pool2d(x, output_size); }
  std::string type_name() const override { return "AdaptiveAvgPool2d"; }
  std::string extra_repr() const override;
  ExpandingArray<2> output_size;
};
XG_MODULE(AdaptiveAvgPool2d);

using AdaptiveMaxPool2dOptions = ExpandingArray<2>;  // the output size
class AdaptiveMaxPool2dImpl : public Module {
 public:
  explicit AdaptiveMaxPool2dImpl(ExpandingArray<2> output_size) : output_size(std::move(output_size)) {}
  Tensor forward(const Tensor& x) override { return xg::adaptive_max_pool2d(x, output_size); }
  std::string type_name() const override { return "AdaptiveMaxPool2d"; }
  std::string extra_repr() const override;
  ExpandingArray<2> output_size;
};
XG_MODULE(AdaptiveMaxPool2d);

// BatchNorm1d's statistics and running averages, per channel over N, H and W of [N, C, H, W].
class BatchNorm2dImpl : public BatchNorm1dImpl {
 public:
  explicit BatchNorm2dImpl(const BatchNormOptions& o)
      : BatchNorm2dImpl(o.num_features(), o.eps(), o.momentum(), o.affine(), o.track_running_stats(), o.dtype()) {}
  explicit BatchNorm2dImpl(std::int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1, bool affine = true,
                       bool track_running_stats = true, DType dtype = kFloat32);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "BatchNorm2d"; }
};
XG_MODULE(BatchNorm2d);

// Drops whole channels (p = drop probability); identity in eval.
using Dropout2dOptions = DropoutOptions;
class Dropout2dImpl : public Module {
 public:
  explicit Dropout2dImpl(double p = 0.5);
  explicit Dropout2dImpl(const DropoutOptions& o) : Dropout2dImpl(o.p()) {}
  Tensor forward(const Tensor& x) override { return functional::dropout2d(x, p, is_training(), generator); }
  std::string type_name() const override { return "Dropout2d"; }
  std::string extra_repr() const override;
  double p;
  Generator* generator = nullptr;
};
XG_MODULE(Dropout2d);

// Resizes images with xg::interpolate (nearest or bilinear).
class UpsampleImpl : public Module {
 public:
  explicit UpsampleImpl(InterpolateOptions options) : options(std::move(options)) {}
  Tensor forward(const Tensor& x) override { return xg::interpolate(x, options); }
  std::string type_name() const override { return "Upsample"; }
  InterpolateOptions options;
};
XG_MODULE(Upsample);

// Splits dim into sizes (Flatten's inverse): Unflatten(1, {32, 7, 7}) takes [N, 1568] to [N, 32, 7, 7].
#define XG_UNFLATTEN_OPTIONS(option) \
  option(std::int64_t, dim, 1)       \
  option(std::vector<std::int64_t>, sizes, {})
struct UnflattenOptions {
  UnflattenOptions(std::int64_t dim, std::vector<std::int64_t> sizes) : dim_(dim), sizes_(std::move(sizes)) {}
  XG_OPTIONS(UnflattenOptions, XG_UNFLATTEN_OPTIONS)
};
class UnflattenImpl : public Module {
 public:
  UnflattenImpl(std::int64_t dim, std::vector<std::int64_t> sizes);
  explicit UnflattenImpl(const UnflattenOptions& o) : UnflattenImpl(o.dim(), o.sizes()) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Unflatten"; }
  std::string extra_repr() const override;
  std::int64_t dim;
  std::vector<std::int64_t> sizes;
};
XG_MODULE(Unflatten);

}  // namespace xg::nn
