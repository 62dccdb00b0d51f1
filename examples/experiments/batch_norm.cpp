#include "batch_norm.h"

#include <fmt/format.h>

#include <xgrad.h>

#include "fashion_mnist_subset.h"
#include "shared/mlp.h"
#include "training.h"

namespace xg::experiments {

BatchNormResult run_batch_norm(const RunOptions& o) {
  const std::string dir = output_dir(o, "batch_norm");
  const std::int64_t n_train = o.fast ? 1000 : 10000, n_dev = o.fast ? 500 : 2000;
  const int epochs = o.fast ? 3 : 10, depth = 6;
  const std::int64_t width = 100, batch = 64;
  const double lr = 0.05;

  const TrainDev d = fashion_mnist_train_dev(n_train, n_dev, 3);
  BatchNormResult r;
  r.epochs = epochs;
  r.synthetic = d.synthetic;
  r.plain.name = "plain";
  r.bn.name = "batch norm";
  r.bn.batch_norm = true;

  std::vector<std::int64_t> sizes = {784};
  for (int k = 0; k < depth; ++k) sizes.push_back(width);
  sizes.push_back(10);

  Csv csv(dir + "/epochs.csv", {"batch_norm", "epoch", "train_loss", "dev_acc", "first_layer_grad_norm"});
  for (BatchNormRun* run : {&r.plain, &r.bn}) {
    manual_seed(5);  // the linear layers start from the same weights in both runs
    auto net = examples::make_mlp({.widths = sizes, .activation = "sigmoid", .batch_norm = run->batch_norm});
    const nn::LinearImpl& first = *examples::linear_layers(*net).front();
    optim::SGD opt(net->parameters(), optim::SGDOptions(lr));
    // drop_last: a tiny last batch would give batch norm noisy statistics (and a noisy running update)
    data::DataLoader loader(d.train, batch, /*shuffle=*/true, /*drop_last=*/true, Generator(9));
    auto record = [&](int epoch, double grad) {
      const auto tr = evaluate(*net, d.train), dv = evaluate(*net, d.dev);
      run->train_loss.push_back(tr.loss);
      run->dev_acc.push_back(dv.accuracy);
      csv.row({run->batch_norm ? 1.0 : 0.0, double(epoch), tr.loss, dv.accuracy, grad});
    };
    record(0, 0);
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      net->train();
      double grad_sum = 0;
      int steps = 0;
      const Stopwatch sw;
      for (auto [x, y] : loader) {
        opt.zero_grad();
        const Tensor loss = nn::functional::cross_entropy((*net)(x), y);
        loss.backward();
        grad_sum += norm(first.weight.grad()).item<double>();
        ++steps;
        opt.step();
      }
      run->seconds += sw.seconds();
      run->first_layer_grad.push_back(grad_sum / steps);
      record(epoch, grad_sum / steps);
    }
  }

  // CSV column `column` against the epoch, one line per network
  auto by_epoch = [&](const std::string& title, const std::string& ylabel, int column, bool logy) {
    return Chart{title, "epoch", ylabel, false, logy,
                 {{csv.path(), 2, column, "plain", "$1 == 0"}, {csv.path(), 2, column, "batch norm", "$1 == 1"}}};
  };
  plot(dir + "/batch_norm.png", {by_epoch("dev accuracy", "accuracy", 4, false), by_epoch("training loss", "cross-entropy", 3, true)},
       o.quiet);

  if (!o.quiet) {
    fmt::print("Batch norm on {}: MLP 784-{}x{}-10, sigmoid, PyTorch's default init U(-1/sqrt(n_in), 1/sqrt(n_in)),\n"
               "plain SGD lr {}, batch {} (drop_last), {} epochs; the same initial linear weights with and without BatchNorm1d\n"
               "after every hidden linear layer (before the sigmoid).\n",
               d.source, depth, width, lr, batch, epochs);
    std::vector<std::vector<std::string>> rows;
    for (const BatchNormRun* run : {&r.plain, &r.bn}) {
      std::string accs;
      for (std::size_t e = 1; e < run->dev_acc.size(); ++e) accs += (e > 1 ? " " : "") + fmt_num(run->dev_acc[e], 3);
      rows.push_back({run->name, fmt_num(run->train_loss.back()), fmt_num(run->dev_acc.back()),
                      fmt_num(run->first_layer_grad.front(), 3), fmt_num(run->seconds, 3), accs});
    }
    fmt::print("{}Wrote {}/epochs.csv, batch_norm.png\n",
               table({"network", "final train loss", "final dev acc", "|grad W1| epoch 1", "train s", "dev acc per epoch"}, rows), dir);
  }
  return r;
}

}  // namespace xg::experiments
