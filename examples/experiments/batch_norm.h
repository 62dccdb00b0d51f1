#pragma once
// Experiment 4 (the lecture's batch normalization): the same deep sigmoid MLP with PyTorch's
// default (small) initialization, trained with plain SGD with and without nn::BatchNorm1d after
// every hidden linear layer; batch norm keeps each layer's pre-activations centred and scaled, so
// gradients reach the first layers and the network learns in far fewer epochs.
#include <string>
#include <vector>

#include "harness.h"

namespace xg::experiments {

struct BatchNormRun {
  std::string name;
  bool batch_norm = false;
  std::vector<double> train_loss, dev_acc;  // per epoch, entry 0 = before training
  std::vector<double> first_layer_grad;     // per epoch (1..): mean ‖∂J/∂W¹‖ over the epoch's steps
  double seconds = 0;
};

struct BatchNormResult {
  BatchNormRun plain, bn;
  int epochs = 0;
  bool synthetic = false;
};

BatchNormResult run_batch_norm(const RunOptions& o);

// exp_batch_norm --conv: the same comparison on a small sigmoid conv net (batch_norm_conv.cpp),
// BatchNorm2d after every conv layer; first_layer_grad is then ‖∂J/∂W‖ of the first conv layer.
BatchNormResult run_batch_norm_conv(const RunOptions& o);

}  // namespace xg::experiments
