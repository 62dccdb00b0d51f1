#include "batch_size.h"

#include <fmt/format.h>

#include <algorithm>

#include <xgrad.h>

#include "fashion_mnist_subset.h"
#include "shared/mlp.h"
#include "training.h"

namespace xg::experiments {

const BatchSizeRun& BatchSizeResult::run(std::int64_t batch_size) const {
  for (const auto& r : runs)
    if (r.batch_size == batch_size) return r;
  throw ValueError(fmt::format("batch_size result: no run with B = {}", batch_size));
}

BatchSizeResult run_batch_size(const RunOptions& o) {
  const std::string dir = output_dir(o, "batch_size");
  const std::int64_t m = o.fast ? 300 : 1000, n_dev = o.fast ? 300 : 1000, hidden = 64;
  const int epochs = o.fast ? 4 : 15;
  const double lr = 0.02;  // the same fixed lr for every batch size
  const int points_per_epoch = 20;  // curve resolution (evaluations are not timed)

  const TrainDev d = fashion_mnist_train_dev(m, n_dev, 21);
  BatchSizeResult r;
  r.m = m;
  r.epochs = epochs;
  r.synthetic = d.synthetic;
  const std::vector<std::int64_t> sizes = {m, 256, 64, 16, 1};

  Csv csv(dir + "/curves.csv", {"batch_size", "step", "seconds", "train_loss", "epoch"});
  for (std::int64_t B : sizes) {
    BatchSizeRun run;
    run.batch_size = B;
    run.lr = lr;
    manual_seed(1);  // the same initial weights for every batch size
    auto net = examples::make_mlp({.widths = {784, hidden, 10}});
    optim::SGD opt(net->parameters(), optim::SGDOptions(lr));
    data::DataLoader loader(d.train, B, /*shuffle=*/true, /*drop_last=*/false, Generator(4));
    const std::int64_t every = std::max<std::int64_t>(1, loader.num_batches() / points_per_epoch);
    auto record = [&](double epoch_frac) {
      const double loss = evaluate(*net, d.train).loss;
      run.step.push_back(run.total_steps);
      run.time.push_back(run.seconds);
      run.train_loss.push_back(loss);
      csv.row({double(B), double(run.total_steps), run.seconds, loss, epoch_frac});
    };
    record(0);
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      std::int64_t batches = 0;
      Stopwatch sw;
      for (auto [x, y] : loader) {
        opt.zero_grad();
        const Tensor loss = nn::functional::cross_entropy((*net)(x), y);
        loss.backward();
        opt.step();
        ++batches;
        ++run.total_steps;
        if (run.total_steps % every == 0 || batches == loader.num_batches()) {
          run.seconds += sw.seconds();
          record(epoch - 1 + double(batches) / double(loader.num_batches()));
          sw = Stopwatch();
        }
      }
      if (epoch == 1) run.steps_per_epoch = batches;
    }
    run.final_train_loss = run.train_loss.back();
    run.final_dev_acc = evaluate(*net, d.dev).accuracy;
    r.runs.push_back(std::move(run));
  }

  Chart by_step{"training loss vs update steps", "update steps", "training-set cross-entropy", true, true, {}};
  Chart by_time{"training loss vs wall time", "training seconds", "training-set cross-entropy", true, true, {}};
  for (std::int64_t B : sizes) {
    const std::string title = B == m ? fmt::format("B = m = {}", m) : fmt::format("B = {}", B);
    by_step.series.push_back({csv.path(), 2, 4, title, fmt::format("$1 == {} && $2 > 0", B)});
    by_time.series.push_back({csv.path(), 3, 4, title, fmt::format("$1 == {} && $2 > 0", B)});
  }
  plot(dir + "/batch_size.png", {by_step, by_time}, o.quiet);

  if (!o.quiet) {
    fmt::print("Batch size on {}: MLP 784-{}-10 ReLU, plain SGD with fixed lr {} for every B, {} epochs,\n"
               "DataLoader shuffled with drop_last=false (floor(m/B) + 1 batches when B does not divide m).\n"
               "Loss = cross-entropy on the whole training set; seconds = training time without the evaluations.\n",
               d.source, hidden, lr, epochs);
    std::vector<std::vector<std::string>> rows;
    for (const auto& run : r.runs)
      rows.push_back({run.batch_size == m ? fmt::format("{} (full batch)", m) : run.batch_size == 1 ? "1 (stochastic)" : std::to_string(run.batch_size),
                      std::to_string(run.steps_per_epoch), std::to_string(run.total_steps), fmt_num(run.final_train_loss),
                      fmt_num(run.final_dev_acc, 3), fmt_num(run.seconds, 3)});
    fmt::print("{}Wrote {}/curves.csv, batch_size.png\n",
               table({"B", "steps/epoch", "steps", "final train loss", "dev acc", "train s"}, rows), dir);
  }
  return r;
}

}  // namespace xg::experiments
