#pragma once
// Shared by the fuzz harnesses and the seed maker.
#include <cstring>

#include "io/checkpoint.h"
#include "nn/nn.h"
#include "optim/optim.h"

namespace xg::fuzz {

inline bool same_bits(const Tensor& a, const Tensor& b) {
  if (a.defined() != b.defined()) return false;
  if (!a.defined()) return true;
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), static_cast<std::size_t>(a.numel()) * dtype_size(a.dtype())) == 0;
}

inline bool same_bits(const StateDict& a, const StateDict& b) {
  if (a.size() != b.size()) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib)
    if (ia->first != ib->first || !same_bits(ia->second, ib->second)) return false;
  return true;
}

inline StateDict deep_copy(const StateDict& sd) {
  StateDict out;
  for (const auto& [k, v] : sd) out[k] = v.defined() ? v.clone() : v;
  return out;
}

// The model whose state the harness loads: parameters and buffers of several shapes and dtypes.
struct Net : nn::Module {
  nn::Linear fc1{3, 4};
  nn::BatchNorm1d bn{4};
  nn::Linear fc2{4, 2};
  Net() {
    register_module("fc1", fc1);
    register_module("bn", bn);
    register_module("fc2", fc2);
  }
  Tensor forward(const Tensor& x) override { return fc2(relu(bn(fc1(x)))); }
  std::string type_name() const override { return "Net"; }
};

// A model and an Adam optimizer with state, both the same for every input.
struct Trained {
  Net net;
  optim::Adam adam;
  Trained() : adam(net.parameters(), optim::AdamOptions(1e-2)) {
    const Tensor x = arange(0.0, 12.0).reshape({4, 3}) / 10.0;
    adam.zero_grad();
    net.forward(x).pow(2.0).mean().backward();
    adam.step();
  }
};

}  // namespace xg::fuzz
