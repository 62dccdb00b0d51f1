#pragma once
// Experiment 6 of the lecture: gradient descent, momentum (the lecture's moving average, with and
// without bias correction), RMSProp and Adam
//  (a) on 2-D functions: a ravine-shaped quadratic, the Rosenbrock function and a saddle point:
//      paths (CSV of x, y per step) over contours, steps to reach a target value;
//  (b) on Fashion-MNIST (small MLP, a subset, a few epochs; a synthetic stand-in if Debian's files
//      are missing): dev accuracy per epoch of SGD, momentum, RMSProp and Adam, then learning
//      rates too small / good / too large / decayed as α0/(1 + decay·epoch) (InverseTimeLR);
//  (c) the learning-rate schedules side by side: the lr of every epoch under StepLR,
//      ExponentialLR, CosineAnnealingLR and the lecture's α0/(1 + decay·epoch).
// The 2-D runs include PyTorch's momentum (SGD with momentum 0.9), whose steps at the same lr are
// 1/(1-β) times the lecture's, and the lecture's momentum at lr/(1-β), which takes PyTorch's steps.
#include <string>
#include <vector>

#include "harness.h"

namespace xg::experiments {

struct PathRun {
  std::string problem;     // ravine, rosenbrock, saddle
  std::string optimizer;   // GD, momentum, momentum+bc, RMSProp, Adam, PyTorch momentum, momentum lr/(1-beta)
  double lr = 0;
  int steps_to_target = -1;  // first step whose f is below the problem's target (-1: not within the budget)
  double final_f = 0, final_x = 0, final_y = 0;
  bool reached() const { return steps_to_target >= 0; }
};

struct TrainCurve {
  std::string name;        // "SGD", "Adam", "lr 0.001 (too small)", ...
  std::string optimizer;
  double lr = 0;
  double decay = 0;        // InverseTimeLR decay (0: fixed lr)
  std::vector<double> train_loss, dev_loss, dev_accuracy;  // per epoch (epochs 1..E)
  bool diverged = false;   // a non-finite training loss
  double final_accuracy() const { return dev_accuracy.empty() ? 0 : dev_accuracy.back(); }
};

struct ScheduleCurve {
  std::string name;        // "StepLR(3, 0.5)", ...
  std::vector<double> lr;  // the lr of epochs 0..E (before each epoch's schedule step)
};

struct OptimizersResult {
  std::vector<PathRun> paths;
  std::vector<TrainCurve> optimizers;  // SGD, momentum, RMSProp, Adam
  std::vector<TrainCurve> rates;       // small, good, large, decayed (large/(1+epoch)), huge
  std::vector<ScheduleCurve> schedules;
  bool synthetic = false;              // Fashion-MNIST missing: a synthetic stand-in was used
  int train_size = 0, dev_size = 0, epochs = 0;
  const PathRun& path(const std::string& problem, const std::string& optimizer) const;
  const TrainCurve& rate(const std::string& name_prefix) const;  // "small", "good", "large", "decayed", "huge"
};

OptimizersResult run_optimizers(const RunOptions& o);

}  // namespace xg::experiments
