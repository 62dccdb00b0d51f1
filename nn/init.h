#pragma once
// Weight initialization, in place and seeded (pass a Generator, or the global one is used).
//
// The lecture writes w = ρ·c with ρ ~ N(0, 1) (or uniform) and a scale c:
//   c = √(2/n_in)          for ReLU  -> kaiming_normal_ / kaiming_uniform_ (He)
//   c = √(1/n_in)          for tanh  -> lecun_normal_ / lecun_uniform_
//   c = √(2/(n_in+n_out))  for tanh  -> xavier_normal_ / xavier_uniform_ (Glorot)
// The uniform variants draw from U(-c√3, c√3), which has the same standard deviation c.
// Formulas and defaults follow torch.nn.init (fan of a [out, in] weight: fan_in = in, fan_out = out).
#include <string>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace xg::nn::init {

enum class FanMode { FanIn, FanOut };

// Recommended gain: linear/sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2/(1+slope²)), selu 3/4.
double calculate_gain(const std::string& nonlinearity, double param = 0.01);
// (fan_in, fan_out) of a tensor with at least 2 dims; ValueError otherwise.
std::pair<std::int64_t, std::int64_t> calculate_fan_in_and_fan_out(const Tensor& t);

Tensor& uniform_(Tensor& t, double a = 0, double b = 1, Generator* gen = nullptr);
Tensor& normal_(Tensor& t, double mean = 0, double std = 1, Generator* gen = nullptr);
Tensor& constant_(Tensor& t, double value);
Tensor& zeros_(Tensor& t);
Tensor& ones_(Tensor& t);
Tensor& xavier_uniform_(Tensor& t, double gain = 1, Generator* gen = nullptr);
Tensor& xavier_normal_(Tensor& t, double gain = 1, Generator* gen = nullptr);
// a = negative slope of the rectifier after this layer (0 for ReLU).
Tensor& kaiming_uniform_(Tensor& t, double a = 0, FanMode mode = FanMode::FanIn,
                         const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);
Tensor& kaiming_normal_(Tensor& t, double a = 0, FanMode mode = FanMode::FanIn,
                        const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);
Tensor& lecun_uniform_(Tensor& t, Generator* gen = nullptr);
Tensor& lecun_normal_(Tensor& t, Generator* gen = nullptr);

}  // namespace xg::nn::init
