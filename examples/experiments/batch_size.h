#pragma once
// Experiment 5 (the lecture's mini-batch gradient descent): the same small model trained with
// plain SGD at batch sizes B = m (full batch), a few mini-batch sizes and B = 1 (stochastic) for
// the same number of epochs; training loss against update steps and against wall time.
#include <cstdint>
#include <vector>

#include "harness.h"

namespace xg::experiments {

struct BatchSizeRun {
  std::int64_t batch_size = 0;
  double lr = 0;
  std::int64_t steps_per_epoch = 0;  // counted: batches the DataLoader gave in one epoch
  std::int64_t total_steps = 0;
  double final_train_loss = 0;       // on the whole training set after the last epoch
  double final_dev_acc = 0;
  double seconds = 0;                // training time (evaluations excluded)
  std::vector<std::int64_t> step;    // the curve: whole-training-set loss at these update steps
  std::vector<double> time, train_loss;
};

struct BatchSizeResult {
  std::int64_t m = 0;  // training examples
  int epochs = 0;
  std::vector<BatchSizeRun> runs;  // by falling batch size: B = m first, B = 1 last
  bool synthetic = false;
  const BatchSizeRun& run(std::int64_t batch_size) const;  // ValueError if absent
};

BatchSizeResult run_batch_size(const RunOptions& o);

}  // namespace xg::experiments
