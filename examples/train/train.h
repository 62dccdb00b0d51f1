#pragma once
// The training run: data with a fixed train/dev split, the model, the optimizer and schedule,
// per-epoch metrics, checkpoints, NaN stop, Ctrl-C, the final test report, and the sweep.
#include <string>
#include <vector>

#include <xgrad.h>

#include "config.h"

namespace xg::train {

struct Data {
  Tensor train_x, train_y, dev_x, dev_y, test_x, test_y;  // float32 [N, features], int64 [N]
  std::int64_t classes = 10;
  std::vector<std::string> class_names;
};

// Fashion-MNIST (or the synthetic set): 60k training images split into train and dev with
// config.seed; the test set is only returned, never looked at here.
Data load_data(const Config& c);

struct RunResult {
  double best_dev_accuracy = 0;
  std::int64_t best_epoch = 0;
  double test_accuracy = -1;  // -1: the test set was not touched
  bool stopped = false;       // NaN/Inf or Ctrl-C
  std::string best_checkpoint, last_checkpoint;
};

// Trains with `c` in folder c.out. With evaluate_test, the best-on-dev model is evaluated on
// the test set once at the end (report.txt).
RunResult train(const Config& c, const Data& data, bool evaluate_test);

// Loads a best/last checkpoint and reports its test accuracy and confusion matrix.
double evaluate_checkpoint(const Config& c, const Data& data, const std::string& path);

// Each configuration scored on the dev set only; the best is retrained and tested once.
RunResult sweep(const Config& c, const Data& data);

// Set by SIGINT; the training loop saves a resumable checkpoint and stops.
void install_interrupt_handler();

}  // namespace xg::train
