#pragma once
// Convolution, pooling and 2-d normalization layers, each a few lines of ops. Options are
// aggregates with PyTorch's defaults (as CrossEntropyOptions), so a layer reads
//   nn::Conv2d conv({.in_channels = 1, .out_channels = 32, .kernel_size = 3, .padding = 1});
// or, with the defaults, nn::Conv2d conv(1, 32, 3). Parameter names and state_dict keys are
// PyTorch's (weight, bias; BatchNorm2d's running stats), so checkpoints map one to one.
#include <optional>
#include <string>

#include "nn/functional_conv.h"
#include "nn/layers.h"

namespace xg::nn {

template <std::size_t D>
struct ConvOptions {
  std::int64_t in_channels = 0, out_channels = 0;
  ExpandingArray<D> kernel_size = 1;
  ExpandingArray<D> stride = 1;
  ConvPadding<D> padding = 0;  // sizes, "same" or "valid"
  ExpandingArray<D> dilation = 1;
  std::int64_t groups = 1;
  bool bias = true;
  std::string padding_mode = "zeros";  // or "reflect", "replicate", "circular"
  DType dtype = kFloat32;
};
using Conv1dOptions = ConvOptions<1>;
using Conv2dOptions = ConvOptions<2>;

// weight [out_channels, in_channels/groups, kernel...], bias [out_channels]; initialized as
// PyTorch: kaiming_uniform_ with a = √5 (U(±1/√fan_in), fan_in = in_channels/groups · Πkernel),
// bias U(±1/√fan_in).
template <std::size_t D>
class ConvNd : public Module {
 public:
  explicit ConvNd(ConvOptions<D> options);
  ConvNd(std::int64_t in_channels, std::int64_t out_channels, ExpandingArray<D> kernel_size)
      : ConvNd(ConvOptions<D>{.in_channels = in_channels, .out_channels = out_channels, .kernel_size = kernel_size}) {}
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
using Conv1d = ConvNd<1>;
using Conv2d = ConvNd<2>;

struct ConvTranspose2dOptions {
  std::int64_t in_channels = 0, out_channels = 0;
  ExpandingArray<2> kernel_size = 1;
  ExpandingArray<2> stride = 1;
  ExpandingArray<2> padding = 0;
  ExpandingArray<2> output_padding = 0;
  std::int64_t groups = 1;
  bool bias = true;
  ExpandingArray<2> dilation = 1;
  DType dtype = kFloat32;
};

// weight [in_channels, out_channels/groups, kH, kW], initialized as PyTorch (whose fan_in for a
// transposed conv is weight.size(1)·kH·kW).
class ConvTranspose2d : public Module {
 public:
  explicit ConvTranspose2d(ConvTranspose2dOptions options);
  ConvTranspose2d(std::int64_t in_channels, std::int64_t out_channels, ExpandingArray<2> kernel_size)
      : ConvTranspose2d(ConvTranspose2dOptions{.in_channels = in_channels, .out_channels = out_channels, .kernel_size = kernel_size}) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ConvTranspose2d"; }
  std::string extra_repr() const override;
  void reset_parameters(Generator* gen = nullptr);

  ConvTranspose2dOptions options;
  Tensor weight, bias;
};

struct MaxPool2dOptions {
  ExpandingArray<2> kernel_size = 1;
  ExpandingArray<2> stride = {};  // {} = kernel_size
  ExpandingArray<2> padding = 0;
  ExpandingArray<2> dilation = 1;
  bool ceil_mode = false;
};
class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(MaxPool2dOptions options) : options(std::move(options)) {}
  explicit MaxPool2d(ExpandingArray<2> kernel_size) : options{.kernel_size = std::move(kernel_size)} {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "MaxPool2d"; }
  std::string extra_repr() const override;
  MaxPool2dOptions options;
};

struct AvgPool2dOptions {
  ExpandingArray<2> kernel_size = 1;
  ExpandingArray<2> stride = {};  // {} = kernel_size
  ExpandingArray<2> padding = 0;
  bool ceil_mode = false, count_include_pad = true;
  std::optional<std::int64_t> divisor_override = std::nullopt;
};
class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(AvgPool2dOptions options) : options(std::move(options)) {}
  explicit AvgPool2d(ExpandingArray<2> kernel_size) : options{.kernel_size = std::move(kernel_size)} {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "AvgPool2d"; }
  std::string extra_repr() const override;
  AvgPool2dOptions options;
};

class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(ExpandingArray<2> output_size) : output_size(std::move(output_size)) {}
  Tensor forward(const Tensor& x) override { return xg::adaptive_avg_pool2d(x, output_size); }
  std::string type_name() const override { return "AdaptiveAvgPool2d"; }
  std::string extra_repr() const override;
  ExpandingArray<2> output_size;
};

class AdaptiveMaxPool2d : public Module {
 public:
  explicit AdaptiveMaxPool2d(ExpandingArray<2> output_size) : output_size(std::move(output_size)) {}
  Tensor forward(const Tensor& x) override { return xg::adaptive_max_pool2d(x, output_size); }
  std::string type_name() const override { return "AdaptiveMaxPool2d"; }
  std::string extra_repr() const override;
  ExpandingArray<2> output_size;
};

// BatchNorm1d's statistics and running averages, per channel over N, H and W of [N, C, H, W].
class BatchNorm2d : public BatchNorm1d {
 public:
  explicit BatchNorm2d(std::int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1, bool affine = true,
                       bool track_running_stats = true, DType dtype = kFloat32);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "BatchNorm2d"; }
};

// Drops whole channels (p = drop probability); identity in eval.
class Dropout2d : public Module {
 public:
  explicit Dropout2d(double p = 0.5);
  Tensor forward(const Tensor& x) override { return functional::dropout2d(x, p, is_training(), generator); }
  std::string type_name() const override { return "Dropout2d"; }
  std::string extra_repr() const override;
  double p;
  Generator* generator = nullptr;
};

// Resizes images with xg::interpolate (nearest or bilinear).
class Upsample : public Module {
 public:
  explicit Upsample(InterpolateOptions options) : options(std::move(options)) {}
  Tensor forward(const Tensor& x) override { return xg::interpolate(x, options); }
  std::string type_name() const override { return "Upsample"; }
  InterpolateOptions options;
};

// Splits dim into sizes (Flatten's inverse): Unflatten(1, {32, 7, 7}) takes [N, 1568] to [N, 32, 7, 7].
class Unflatten : public Module {
 public:
  Unflatten(std::int64_t dim, std::vector<std::int64_t> sizes);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Unflatten"; }
  std::string extra_repr() const override;
  std::int64_t dim;
  std::vector<std::int64_t> sizes;
};

}  // namespace xg::nn
