#include "config.h"

#include <CLI/CLI.hpp>

namespace xg::train {

std::optional<Config> parse_args(int argc, const char* const* argv, int& exit_code) {
  Config c;
  CLI::App app{"xgrad-train: an MLP or a CNN on Fashion-MNIST with a train/dev/test discipline"};
  app.option_defaults()->always_capture_default();
  app.get_formatter()->column_width(34);

  app.add_option("--data", c.data_root, "Folder with the Fashion-MNIST IDX files (Debian: dataset-fashion-mnist)");
  app.add_option("--dev-size", c.dev_size, "Training images held out as the dev set")->check(CLI::PositiveNumber);
  app.add_option("--train-limit", c.train_limit, "Use only this many training images (0 = all)")->check(CLI::NonNegativeNumber);
  app.add_option("--synthetic", c.synthetic, "Use a synthetic dataset of this many samples (for tests)")->check(CLI::NonNegativeNumber);

  app.add_option("--model", c.model, "mlp, or cnn (conv blocks of --channels, then --hidden dense layers)")
      ->check(CLI::IsMember({"mlp", "cnn"}));
  app.add_option("--channels", c.channels, "cnn: output channels of each 3x3 conv block, e.g. --channels 32 64")
      ->check(CLI::PositiveNumber);
  app.add_flag("--augment", c.augment, "cnn: random crop (padding 2) and horizontal flip of each training batch");
  app.add_option("--hidden", c.hidden, "Hidden layer sizes, e.g. --hidden 256 128")->check(CLI::PositiveNumber);
  app.add_option("--activation", c.activation, "Hidden activation")
      ->check(CLI::IsMember({"relu", "leaky_relu", "tanh", "sigmoid", "gelu", "elu"}));
  app.add_option("--dropout", c.dropout, "Drop probability after each hidden layer (keep probability = 1 - p)")
      ->check(CLI::Range(0.0, 0.99));
  app.add_flag("--batch-norm", c.batch_norm, "Batch normalization after each hidden linear layer");
  app.add_option("--init", c.init, "Weight init: kaiming (He), xavier (Glorot), lecun, pytorch")
      ->check(CLI::IsMember({"kaiming", "xavier", "lecun", "pytorch"}));

  app.add_option("--epochs", c.epochs, "Epochs")->check(CLI::PositiveNumber);
  app.add_option("--batch-size", c.batch_size, "Mini-batch size (1 = stochastic, >= train size = full batch)")
      ->check(CLI::PositiveNumber);
  app.add_option("--lr", c.lr, "Learning rate")->check(CLI::PositiveNumber);
  app.add_option("--optimizer", c.optimizer, "sgd, momentum (the lecture's EMA form), rmsprop, adam, adamw")
      ->check(CLI::IsMember({"sgd", "momentum", "rmsprop", "adam", "adamw"}));
  app.add_option("--momentum", c.momentum, "Momentum / β for sgd and momentum")->check(CLI::Range(0.0, 0.999));
  app.add_option("--weight-decay", c.weight_decay, "Optimizer weight decay")->check(CLI::NonNegativeNumber);
  app.add_option("--l2", c.l2, "λ of the regularized cost J = loss + (λ/2m)Σ‖W‖², m = training set size")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--schedule", c.schedule, "Learning-rate schedule")
      ->check(CLI::IsMember({"none", "step", "cosine", "plateau", "inverse_time"}));
  app.add_option("--lr-decay", c.lr_decay, "step/plateau: factor; inverse_time: decay in α0/(1 + decay·epoch)")
      ->check(CLI::PositiveNumber);
  app.add_option("--step-size", c.step_size, "Epochs between steps of the step schedule")->check(CLI::PositiveNumber);
  app.add_option("--clip", c.clip, "Clip the gradient norm to this value (0 = off)")->check(CLI::NonNegativeNumber);

  app.add_option("--seed", c.seed, "Seed of every random choice (split, init, shuffling, dropout)");
  app.add_option("--threads", c.threads, "OpenBLAS threads (0 = its default)")->check(CLI::NonNegativeNumber);
  app.add_option("--out", c.out, "Output folder (metrics.csv, curves.png, checkpoints, report.txt)");
  app.add_option("--resume", c.resume, "Continue training from this checkpoint (last.safetensors)")->check(CLI::ExistingFile);
  app.add_option("--eval", c.eval, "Evaluate this checkpoint on the test set and exit")->check(CLI::ExistingFile);
  app.add_flag("--sweep", c.sweep, "Hyperparameter search on the dev set; retrain the best, test it once");
  app.add_option("--sweep-lr", c.sweep_lr, "Learning rates to try")->check(CLI::PositiveNumber);
  app.add_option("--sweep-l2", c.sweep_l2, "L2 λ values to try")->check(CLI::NonNegativeNumber);
  app.add_option("--sweep-dropout", c.sweep_dropout, "Dropout probabilities to try")->check(CLI::Range(0.0, 0.99));
  app.add_option("--sweep-batch", c.sweep_batch, "Batch sizes to try")->check(CLI::PositiveNumber);
  app.add_option("--sweep-epochs", c.sweep_epochs, "Epochs per sweep configuration")->check(CLI::PositiveNumber);
  app.add_flag("--quiet", c.quiet, "Only the final report");
  app.add_flag("--distributed", c.distributed,
               "Data-parallel over the ranks of mpirun (mpirun -np N xgrad-train --distributed ...): each batch of "
               "--batch-size is split between the ranks; rank 0 prints and writes the files");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    exit_code = app.exit(e);
    return std::nullopt;
  }
  exit_code = 0;
  return c;
}

}  // namespace xg::train
