#pragma once
// Experiment 2 (the lecture's L2 regularization and dropout): an over-parameterized MLP on a
// small Fashion-MNIST subset trained plainly, with J(θ)'s L2 penalty, and with dropout at several
// keep probabilities; the train−dev accuracy gap shows how much each one curbs overfitting.
#include <string>
#include <vector>

#include "harness.h"

namespace xg::experiments {

struct RegularizationRun {
  std::string name;      // "plain", "L2 lambda=…", "dropout keep=0.9 (p=0.1)", …
  double lambda = 0;     // L2 λ of J(θ) (0: none)
  double keep = 1;       // the lecture's keep probability; Dropout p = 1 − keep
  std::vector<double> train_acc, dev_acc, train_loss;  // per epoch (accuracies in eval mode)
  double final_train_acc = 0, final_dev_acc = 0, gap = 0;  // gap = train − dev accuracy
};

struct RegularizationResult {
  std::vector<RegularizationRun> runs;  // runs[0] plain, runs[1] L2, then dropout by falling keep
  bool synthetic = false;               // Fashion-MNIST missing: synthetic data was used
  const RegularizationRun& plain() const { return runs.front(); }
  const RegularizationRun& l2() const { return runs.at(1); }
  const RegularizationRun& strongest_dropout() const { return runs.back(); }
};

RegularizationResult run_regularization(const RunOptions& o);

}  // namespace xg::experiments
