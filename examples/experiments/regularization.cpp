#include "regularization.h"

#include <fmt/format.h>

#include <xgrad.h>

#include "fashion_mnist_subset.h"
#include "shared/mlp.h"
#include "training.h"

namespace xg::experiments {

RegularizationResult run_regularization(const RunOptions& o) {
  const std::string dir = output_dir(o, "regularization");
  const std::int64_t n_train = o.fast ? 300 : 1000, n_dev = o.fast ? 500 : 5000;
  const int epochs = o.fast ? 15 : 40;
  const std::int64_t batch = 50, hidden = 256;
  const double lr = 0.01, momentum = 0.9;
  const double lambda = o.fast ? 10.0 : 30.0;  // λ/m ≈ 0.03 in both modes
  const std::vector<double> keeps = {0.9, 0.7, 0.5};

  const TrainDev d = fashion_mnist_train_dev(n_train, n_dev, 7);
  RegularizationResult r;
  r.synthetic = d.synthetic;
  r.runs.push_back({"plain", 0, 1, {}, {}, {}, 0, 0, 0});
  r.runs.push_back({fmt::format("L2 lambda={}", lambda), lambda, 1, {}, {}, {}, 0, 0, 0});
  for (double k : keeps) r.runs.push_back({fmt::format("dropout keep={} (p={})", k, fmt_num(1 - k, 2)), 0, k, {}, {}, {}, 0, 0, 0});

  Csv csv(dir + "/epochs.csv", {"run", "epoch", "train_loss", "train_acc", "dev_acc", "dev_loss"});
  const double m = static_cast<double>(n_train);
  for (std::size_t ri = 0; ri < r.runs.size(); ++ri) {
    auto& run = r.runs[ri];
    manual_seed(100);  // same initial weights for every run
    auto net = examples::make_mlp({.widths = {784, hidden, hidden, 10}, .dropout = 1 - run.keep});
    optim::SGD opt(net->parameters(), optim::SGDOptions(lr).momentum(momentum));
    data::DataLoader loader(d.train, batch, true, false, Generator(11));
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      net->train();
      for (auto [x, y] : loader) {
        opt.zero_grad();
        Tensor J = nn::functional::cross_entropy((*net)(x), y);
        if (run.lambda > 0) J = J + nn::l2_penalty(*net, run.lambda, m);  // J(θ) = (1/m)ΣL + (λ/2m)Σ‖W‖²
        J.backward();
        opt.step();
      }
      const auto tr = evaluate(*net, d.train), dv = evaluate(*net, d.dev);
      run.train_acc.push_back(tr.accuracy);
      run.dev_acc.push_back(dv.accuracy);
      run.train_loss.push_back(tr.loss);
      csv.row({double(ri), double(epoch), tr.loss, tr.accuracy, dv.accuracy, dv.loss});
    }
    run.final_train_acc = run.train_acc.back();
    run.final_dev_acc = run.dev_acc.back();
    run.gap = run.final_train_acc - run.final_dev_acc;
  }

  Chart train_acc{"train accuracy", "epoch", "accuracy", false, false, {}}, dev_acc{"dev accuracy", "epoch", "accuracy", false, false, {}};
  for (std::size_t ri = 0; ri < r.runs.size(); ++ri) {
    const std::string f = fmt::format("$1 == {}", ri);
    train_acc.series.push_back({csv.path(), 2, 4, r.runs[ri].name, f});
    dev_acc.series.push_back({csv.path(), 2, 5, r.runs[ri].name, f});
  }
  plot(dir + "/regularization.png", {train_acc, dev_acc}, o.quiet);

  if (!o.quiet) {
    fmt::print("Regularization on {}: MLP 784-{}-{}-10 ReLU ({} parameters), SGD lr {} momentum {} (PyTorch's), batch {}, {} epochs.\n"
               "L2 is J(theta) = (1/m) sum L + (lambda/2m) sum ||W||^2 with m = {} (lambda/m = {}); dropout after each hidden layer\n"
               "with drop probability p = 1 - keep. Accuracies in eval mode after the last epoch.\n",
               d.source, hidden, hidden, 784 * hidden + hidden + hidden * hidden + hidden + hidden * 10 + 10, lr, momentum, batch,
               epochs, n_train, fmt_num(lambda / m, 3));
    std::vector<std::vector<std::string>> rows;
    for (const auto& run : r.runs)
      rows.push_back({run.name, fmt_num(run.final_train_acc), fmt_num(run.final_dev_acc), fmt_num(run.gap, 3)});
    fmt::print("{}Wrote {}/epochs.csv (run = row index above), regularization.png\n",
               table({"run", "train acc", "dev acc", "train-dev gap"}, rows), dir);
  }
  return r;
}

}  // namespace xg::experiments
