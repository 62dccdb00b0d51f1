#pragma once
// xgrad-train's options, parsed from the command line with CLI11.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xg::train {

struct Config {
  // data
  std::string data_root = "/usr/share/datasets/fashion-mnist";
  std::int64_t dev_size = 5000;          // carved from the 60k training images with `seed`
  std::int64_t train_limit = 0;          // use only the first N training images (0 = all)
  std::int64_t synthetic = 0;            // >0: a synthetic dataset of that size instead (tests)
  // model
  std::string model = "mlp";             // mlp, or cnn: [conv 3x3 -> (BatchNorm2d) -> activation -> max pool 2] per
                                         // --channels, then the --hidden dense layers
  std::vector<std::int64_t> channels{32, 64};
  bool augment = false;                  // cnn: random crop (padding 2) and horizontal flip of training images
  std::vector<std::int64_t> hidden{512, 256};
  std::string activation = "relu";       // relu, leaky_relu, tanh, sigmoid, gelu, elu
  double dropout = 0.3;                  // drop probability (the lecture's keep probability is 1 - p)
  bool batch_norm = false;
  std::string init = "kaiming";          // kaiming, xavier, lecun, pytorch (Linear's default)
  // optimization
  std::int64_t epochs = 30;
  std::int64_t batch_size = 128;
  double lr = 1e-3;
  std::string optimizer = "adam";        // sgd, momentum, rmsprop, adam, adamw
  double momentum = 0.9;                 // for sgd (PyTorch's) and momentum (the lecture's EMA)
  double weight_decay = 0;               // the optimizer's decoupled/coupled weight decay
  double l2 = 0;                         // λ of J(θ) = mean loss + (λ/2m) Σ‖W‖²
  std::string schedule = "cosine";       // none, step, cosine, plateau, inverse_time
  double lr_decay = 0.5;                 // step: factor every step_size epochs; inverse_time: decay
  std::int64_t step_size = 5;
  double clip = 0;                       // max gradient norm (0 = off)
  // run
  std::uint64_t seed = 0;
  int threads = 0;                       // OpenBLAS threads (0 = its default)
  std::string out = "runs/fashion-mnist";
  std::string resume;                    // checkpoint to continue from
  std::string eval;                      // checkpoint to evaluate on the test set, then exit
  bool sweep = false;
  std::vector<double> sweep_lr{3e-4, 1e-3, 3e-3};
  std::vector<double> sweep_l2{0, 1e-4 * 55000};
  std::vector<double> sweep_dropout{0.1, 0.3};
  std::vector<std::int64_t> sweep_batch{128};
  std::int64_t sweep_epochs = 3;
  bool quiet = false;
  bool distributed = false;              // data-parallel over MPI ranks (run under mpirun)
};

// Parses argv. Returns nullopt after printing --help (or a usage error, with exit_code set).
std::optional<Config> parse_args(int argc, const char* const* argv, int& exit_code);

}  // namespace xg::train
