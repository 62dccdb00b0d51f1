#pragma once
// The one MLP builder of the examples (the trainer and the lecture's experiments).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <xgrad.h>

namespace xg::examples {

struct MlpSpec {
  std::vector<std::int64_t> widths;  // in, hidden..., out: at least two
  std::string activation = "relu";   // relu, leaky_relu (slope 0.01), tanh, sigmoid, gelu, elu
  bool batch_norm = false;           // BatchNorm1d after every hidden Linear, before the activation
  double dropout = 0;                // drop probability after every hidden activation (0: no Dropout layer)
  DType dtype = kFloat32;
  // Called on every Linear right after it is built (and so before the next layer draws its own
  // initial weights), with last = true for the output layer; empty: Linear's own (PyTorch's) init.
  std::function<void(nn::LinearImpl&, bool last)> init = {};
};

// An nn::Sequential with children fc1, [bn1], act1, [drop1], fc2, ..., out (logits). The layers
// are built in that order, so their initial weights come from the global generator in that order.
std::shared_ptr<nn::SequentialImpl> make_mlp(const MlpSpec& spec);

// The activation module make_mlp puts after each hidden layer (relu, leaky_relu, ...).
std::shared_ptr<nn::Module> make_activation(const std::string& name);

// The Linear layers of a make_mlp network in order: fc1, fc2, ..., out.
std::vector<nn::LinearImpl*> linear_layers(const nn::SequentialImpl& net);

}  // namespace xg::examples
