#pragma once
// Training helpers of the lecture's classification experiments: the He-initialized ReLU MLP, one
// epoch of mini-batch training, evaluation on a whole dataset, and a stopwatch.
#include <cstdint>
#include <memory>
#include <vector>

#include <xgrad.h>

namespace xg::experiments {

// shared/mlp.h's MLP widths[0] -> ... -> widths.back() with ReLU, built with Linear's default init,
// then the hidden layers re-initialized He-normal (biases 0); the output layer keeps the default.
std::shared_ptr<nn::SequentialImpl> he_relu_mlp(const std::vector<std::int64_t>& widths);

// One epoch of mini-batch training with cross-entropy; returns the mean training loss (NaN or
// inf once the run has diverged).
double train_epoch(nn::Module& net, optim::Optimizer& opt, data::DataLoader& loader);

struct Eval {
  double loss = 0, accuracy = 0;
};
// Cross-entropy and accuracy of `net` on the whole dataset, in eval mode without a graph; the
// module's training flag is restored afterwards.
Eval evaluate(nn::Module& net, const data::TensorDataset& ds);

// Wall-clock seconds since construction.
class Stopwatch {
 public:
  Stopwatch();
  double seconds() const;

 private:
  std::int64_t start_ns_;
};

}  // namespace xg::experiments
