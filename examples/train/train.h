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
  // The standardization applied to the images: x = (pixel − input_mean) / input_std (0 and 1 for
  // the synthetic set, which is used as generated).
  double input_mean = 0, input_std = 1;
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

// What a checkpoint carries besides the tensors, so that it can be used alone (by --eval, or by
// PyTorch: README "Using a checkpoint from PyTorch"): "xgrad.model", the model's configuration as
// JSON ({"model", "in_features", "classes", "hidden", "channels", "activation", "dropout",
// "batch_norm"}), and "xgrad.input_mean" / "xgrad.input_std", the input standardization.
io::Metadata checkpoint_metadata(const Config& c, const Data& data);
// `base` with the model configuration of a checkpoint's metadata (unchanged when it has none);
// FormatError for metadata that does not parse.
Config config_from_checkpoint(const Config& base, const io::Metadata& metadata);
// --eval of a checkpoint that carries its metadata: the test set alone, standardized as the
// checkpoint says, and the model configuration from the file. Returns the test accuracy.
double evaluate_checkpoint_alone(const Config& c, const std::string& path);

// Each configuration scored on the dev set only; the best is retrained and tested once.
RunResult sweep(const Config& c, const Data& data);

// Set by SIGINT; the training loop saves a resumable checkpoint and stops.
void install_interrupt_handler();

}  // namespace xg::train
