#pragma once
// Experiment 7 of the lecture: transfer learning. Task A has plenty of data, the related task B
// little. An MLP 784-256-128-5 is pretrained on five Fashion-MNIST classes (A: T-shirt/top,
// Trouser, Pullover, Sandal, Bag) and moved to the other five (B: Dress, Coat, Shirt, Sneaker,
// Ankle boot), which share low-level features with A (pullover -> coat, shirt; sandal ->
// sneaker, boot). For several sizes of B's training set (images per class) and several random
// draws of it (seeds; the draws are nested across sizes), three runs get the same number of Adam
// steps of batch 25 (so tiny sets are not under-trained) and are scored on 400 dev images per
// class at the end:
//  (i)   the early layer fc1 frozen; the pretrained fc2 fine-tuned at a 10x slower lr than the
//        new head;
//  (ii)  gradual unfreezing (optim::GradualUnfreezing): the new head first, then fc2 at a 10x
//        slower lr, then fc1 at a 100x slower lr;
//  (iii) the same network from scratch, at the lr (from a small grid) with the best mean dev
//        accuracy for that set size. Its lr is picked on the same dev set that reports it, which
//        favours scratch, so the measured advantage of transfer is a conservative one.
// Fast mode (the test): only 2 images per class, 8 draws, 100 steps, 100 dev images per class.
// Writes the final dev accuracy of every run (CSV), the mean dev accuracy against the set size
// and the curves at the smallest size (PNG), and prints the table. If Debian's Fashion-MNIST
// files are missing, a synthetic stand-in is used and the output says so.
#include <string>
#include <vector>

#include "harness.h"

namespace xg::experiments {

// Dev accuracy during one run, every few steps.
struct TransferCurve {
  std::string name;
  std::vector<double> step, dev_accuracy;
};

// Final dev accuracy of one method over the seeds (random draws of the small training set).
struct TransferScores {
  std::vector<double> accuracy;  // one per seed
  double mean() const;
  double min() const;
};

struct TransferSize {
  int per_class = 0;  // training images per target class
  TransferScores frozen, gradual, scratch;
  double scratch_lr = 0;  // chosen on dev among TransferResult::scratch_lrs
  double best_transfer() const;  // the better mean of (i) and (ii)
  double advantage() const { return best_transfer() - scratch.mean(); }
};

struct TransferResult {
  bool synthetic = false;
  int seeds = 0, steps = 0, dev_size = 0;
  double head_lr = 0;
  std::vector<double> scratch_lrs;
  double source_dev_accuracy = 0;   // the pretrained model on held-out images of task A
  std::vector<TransferSize> sizes;  // ascending per_class
  TransferCurve frozen, gradual, scratch;  // smallest size, first seed
  bool frozen_weights_identical = false;   // fc1 bit for bit unchanged by every run (i)
  std::vector<std::string> unfreeze_log;   // of the curves' run (ii)
};

TransferResult run_transfer(const RunOptions& o);

}  // namespace xg::experiments
