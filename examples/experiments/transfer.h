#pragma once
// Experiment 7 of the lecture: transfer learning. An MLP is pretrained on five Fashion-MNIST
// classes (0-4: T-shirt/top, Trouser, Pullover, Dress, Coat), then moved to the other five
// (5-9: Sandal, Shirt, Sneaker, Bag, Ankle boot) with a small training set:
//  (i)   the early layer fc1 frozen, the pretrained fc2 fine-tuned with a new head;
//  (ii)  gradual unfreezing (optim::GradualUnfreezing): the new head first, then fc2 with a
//        10x slower lr, then fc1 with a 100x slower lr;
//  (iii) the same network trained from scratch on the small set.
// Dev accuracy per epoch (CSV + PNG) and a table of final dev accuracies. If Debian's
// Fashion-MNIST files are missing, a synthetic stand-in is used and the output says so.
#include <string>
#include <vector>

#include "common.h"

namespace xg::experiments {

struct TransferCurve {
  std::string name;
  std::vector<double> train_loss, dev_accuracy;  // per epoch 1..E
  double final_accuracy() const { return dev_accuracy.empty() ? 0 : dev_accuracy.back(); }
  double best_accuracy() const;
};

struct TransferResult {
  bool synthetic = false;
  int per_class = 0;                  // small training set: images per target class
  int train_size = 0, dev_size = 0;   // target task
  int epochs = 0;
  double source_dev_accuracy = 0;     // the pretrained model on held-out images of classes 0-4
  TransferCurve frozen, gradual, scratch;
  bool frozen_weights_identical = false;  // fc1 bit for bit the same before and after phase (i)
  std::vector<std::string> unfreeze_log;  // "epoch 5: fc2", ...
};

TransferResult run_transfer(const RunOptions& o);

}  // namespace xg::experiments
