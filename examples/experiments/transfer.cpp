#include "transfer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <numeric>

#include <xgrad.h>

#include "fashion_mnist_subset.h"
#include "shared/mlp.h"
#include "training.h"

namespace xg::experiments {

namespace {

namespace optim = xg::optim;

constexpr std::int64_t kIn = 784, kH1 = 256, kH2 = 128, kClasses = 5, kBatch = 25;
const std::vector<std::int64_t> kSourceClasses = {0, 1, 2, 5, 8}, kTargetClasses = {3, 4, 6, 7, 9};

// The MLP kIn-kH1-kH2-kClasses (ReLU, He-initialized hidden layers, from the global generator) and
// its Linear layers: fc1 and fc2, which transfer, and the head.
struct Net {
  std::shared_ptr<nn::SequentialImpl> mlp = he_relu_mlp({kIn, kH1, kH2, kClasses});
  std::vector<nn::LinearImpl*> layers = examples::linear_layers(*mlp);
  nn::LinearImpl& fc1() const { return *layers[0]; }
  nn::LinearImpl& fc2() const { return *layers[1]; }
  nn::LinearImpl& head() const { return *layers[2]; }
};

// Fast mode keeps the strong pretraining (transfer needs plenty of source data: with 500 images
// per class it did not help) and only the smallest target size, where transfer matters most.
struct Plan {
  std::vector<int> per_class;
  int seeds, steps, dev_per_class, source_per_class, source_epochs;
  double head_lr = 1e-2;
  std::vector<double> scratch_lrs;
};

Plan plan_for(bool fast) {
  if (fast) return {{2}, 8, 100, 100, 3000, 2, 1e-2, {3e-4, 1e-3, 3e-3}};
  return {{2, 5, 10, 25, 100}, 8, 200, 400, 3000, 4, 1e-2, {3e-4, 1e-3, 3e-3, 1e-2}};
}

// A copy of every parameter value (not sharing storage), to compare bit for bit later.
std::vector<Tensor> snapshot(const nn::Module& m) {
  std::vector<Tensor> out;
  for (const auto& p : m.parameters()) out.push_back(p.detach().clone());
  return out;
}

bool identical(const std::vector<Tensor>& before, const nn::Module& m) {
  const auto now = m.parameters();
  if (now.size() != before.size()) return false;
  for (std::size_t i = 0; i < now.size(); ++i) {
    const auto a = before[i].to_vector<float>(), b = now[i].to_vector<float>();
    if (a.size() != b.size() || !std::equal(a.begin(), a.end(), b.begin(),
                                            [](float x, float y) { return std::memcmp(&x, &y, sizeof x) == 0; }))
      return false;
  }
  return true;
}

Net pretrain(const data::TensorDataset& train, int epochs) {
  manual_seed(10);
  Net net;
  optim::Adam opt(net.mlp->parameters(), optim::AdamOptions(1e-3));
  data::DataLoader loader(train, 64, true, false, Generator(33));
  for (int e = 0; e < epochs; ++e) train_epoch(*net.mlp, opt, loader);
  return net;
}

// One training run on the small set: `seed` fixes the new layers' init (done by the caller) and
// the batch order. Every set size gets about `steps` Adam steps: whole epochs of batch 25, as
// many as it takes.
struct Task {
  const data::TensorDataset& train;
  const data::TensorDataset& dev;
  int steps;
  std::uint64_t seed;
  int epochs() const {
    const auto batches = (train.size() + kBatch - 1) / kBatch;
    return static_cast<int>(std::max<std::int64_t>(1, (steps + batches - 1) / batches));
  }
};

// Trains and returns the dev accuracy at the end; with `curve`, also about 20 times on the way.
double fit(nn::Module& net, optim::Optimizer& opt, const Task& task, TransferCurve* curve,
           optim::GradualUnfreezing* unfreeze = nullptr, std::vector<std::string>* log = nullptr) {
  data::DataLoader loader(task.train, kBatch, true, false, Generator(task.seed + 1000));
  const int epochs = task.epochs(), every = std::max(1, epochs / 20);
  for (int e = 1; e <= epochs; ++e) {
    train_epoch(net, opt, loader);
    if (curve && (e % every == 0 || e == epochs)) {
      curve->step.push_back(static_cast<double>(e * loader.size()));
      curve->dev_accuracy.push_back(evaluate(net, task.dev).accuracy);
    }
    if (!unfreeze) continue;
    for (const auto& stage : unfreeze->step())
      if (log) log->push_back(fmt::format("after step {}: {}", e * loader.size(), stage));
  }
  return curve ? curve->dev_accuracy.back() : evaluate(net, task.dev).accuracy;
}

// The target network: fresh layers from `seed`, then (if given) the pretrained fc1 and fc2.
Net target_net(std::uint64_t seed, const Net* pretrained) {
  manual_seed(seed);
  Net net;
  if (pretrained) {
    net.fc1().load_state_dict(pretrained->fc1().state_dict());
    net.fc2().load_state_dict(pretrained->fc2().state_dict());
  }
  return net;
}

optim::OptimizerParamGroup group(const nn::Module& layer, double lr) {
  return {layer.parameters(), std::make_unique<optim::AdamOptions>(lr)};
}

// (i) fc1 frozen; fc2 fine-tuned at head_lr / 10, the new head at head_lr.
double run_frozen(const Net& source, const Task& task, double head_lr, bool& fc1_unchanged, TransferCurve* curve) {
  Net net = target_net(task.seed, &source);
  net.fc1().requires_grad_(false);
  const auto before = snapshot(net.fc1());
  optim::Adam opt({group(net.fc2(), head_lr / 10), group(net.head(), head_lr)}, optim::AdamOptions(head_lr));
  const double acc = fit(*net.mlp, opt, task, curve);
  fc1_unchanged = fc1_unchanged && identical(before, net.fc1());
  return acc;
}

// (ii) the new head from the start, fc2 after a third of the epochs at head_lr / 10, fc1 after two
// thirds at head_lr / 100.
double run_gradual(const Net& source, const Task& task, double head_lr, TransferCurve* curve,
                   std::vector<std::string>* log) {
  Net net = target_net(task.seed, &source);
  optim::Adam opt(net.head().parameters(), optim::AdamOptions(head_lr));
  const std::int64_t third = std::max(1, task.epochs() / 3);
  optim::GradualUnfreezing unfreeze(opt, {{third, "fc2", net.fc2().parameters(), head_lr / 10},
                                          {2 * third, "fc1", net.fc1().parameters(), head_lr / 100}});
  return fit(*net.mlp, opt, task, curve, &unfreeze, log);
}

double run_scratch(const Task& task, double lr, TransferCurve* curve) {
  Net net = target_net(task.seed, nullptr);
  optim::Adam opt(net.mlp->parameters(), optim::AdamOptions(lr));
  return fit(*net.mlp, opt, task, curve);
}

void write_outputs(const std::string& dir, const TransferResult& res, bool quiet) {
  Csv csv(dir + "/curves.csv", {"run", "step", "dev_accuracy"});
  const std::vector<const TransferCurve*> curves = {&res.frozen, &res.gradual, &res.scratch};
  for (std::size_t r = 0; r < curves.size(); ++r)
    for (std::size_t i = 0; i < curves[r]->step.size(); ++i)
      csv.row({static_cast<double>(r), curves[r]->step[i], curves[r]->dev_accuracy[i]});
  Csv means(dir + "/mean_dev_accuracy.csv", {"per_class", "frozen", "gradual", "scratch"});
  for (const auto& s : res.sizes)
    means.row({static_cast<double>(s.per_class), s.frozen.mean(), s.gradual.mean(), s.scratch.mean()});

  const std::string note = res.synthetic ? " (SYNTHETIC data)" : "";
  Chart by_size{fmt::format("Mean dev accuracy over {} draws{}", res.seeds, note), "training images per target class",
                "dev accuracy", true, false, {}};
  const std::vector<std::string> names = {"(i) fc1 frozen", "(ii) gradual unfreezing", "(iii) from scratch"};
  for (int m = 0; m < 3; ++m) by_size.series.push_back({means.path(), 1, m + 2, names[static_cast<std::size_t>(m)], ""});
  Chart curve{fmt::format("{} images per class, first draw", res.sizes.front().per_class), "Adam step", "dev accuracy",
              false, false, {}};
  for (std::size_t r = 0; r < curves.size(); ++r) curve.series.push_back({csv.path(), 2, 3, curves[r]->name, fmt::format("$1 == {}", r)});
  plot(dir + "/transfer.png", {by_size, curve}, quiet);
}

std::string pct(double v) { return fmt::format("{:.1f}%", 100 * v); }

std::string spread(const TransferScores& s) {
  const auto [lo, hi] = std::minmax_element(s.accuracy.begin(), s.accuracy.end());
  return fmt::format("{} ({:.1f}-{:.1f})", pct(s.mean()), 100 * *lo, 100 * *hi);
}

void print_report(const TransferResult& res, const std::string& source, std::int64_t source_size, const std::string& dir) {
  fmt::print("Data: {}\n", source);
  fmt::print("Task A, classes 0 1 2 5 8: MLP {}-{}-{}-{} pretrained on {} images, dev accuracy {:.2f}%\n", kIn, kH1, kH2,
             kClasses, source_size, 100 * res.source_dev_accuracy);
  fmt::print("Task B, classes 3 4 6 7 9: {} dev images; each run {} Adam steps of batch {}; {} random draws of the "
             "training set per size\n",
             res.dev_size, res.steps, kBatch, res.seeds);
  fmt::print("(i) and (ii): head lr {}, fc2 lr {}, fc1 lr {} (ii only); (iii): lr from {{{}}} with the best mean dev "
             "accuracy per size\n",
             res.head_lr, res.head_lr / 10, res.head_lr / 100, fmt::join(res.scratch_lrs, ", "));
  for (const auto& l : res.unfreeze_log) fmt::print("  gradual unfreezing (first run) {}\n", l);
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : res.sizes)
    rows.push_back({std::to_string(s.per_class), spread(s.frozen), spread(s.gradual),
                    fmt::format("{} lr {}", spread(s.scratch), s.scratch_lr), fmt::format("{:+.1f}", 100 * s.advantage())});
  fmt::print("Mean dev accuracy (min-max over draws):\n{}",
             table({"per class", "(i) fc1 frozen", "(ii) gradual", "(iii) scratch", "transfer - scratch (points)"}, rows));
  fmt::print("frozen layer fc1 bit-identical after every run (i): {}\nCSV and PNG files in {}\n",
             res.frozen_weights_identical ? "yes" : "NO", dir);
}

}  // namespace

double TransferScores::mean() const {
  return accuracy.empty() ? 0 : std::accumulate(accuracy.begin(), accuracy.end(), 0.0) / static_cast<double>(accuracy.size());
}
double TransferScores::min() const { return accuracy.empty() ? 0 : *std::min_element(accuracy.begin(), accuracy.end()); }
double TransferSize::best_transfer() const { return std::max(frozen.mean(), gradual.mean()); }

TransferResult run_transfer(const RunOptions& o) {
  const std::string dir = output_dir(o, "transfer");
  const Plan plan = plan_for(o.fast);
  TransferResult res;
  const auto pool = fashion_mnist_pool();
  res.synthetic = pool.synthetic;
  res.seeds = plan.seeds;
  res.steps = plan.steps;
  res.head_lr = plan.head_lr;
  res.scratch_lrs = plan.scratch_lrs;

  std::vector<std::int64_t> used;
  const auto src_train = take_per_class(pool, kSourceClasses, plan.source_per_class, 31, {}, &used);
  const auto src_dev = take_per_class(pool, kSourceClasses, 200, 32, used);
  const Net source = pretrain(src_train, plan.source_epochs);
  res.source_dev_accuracy = evaluate(*source.mlp, src_dev).accuracy;

  std::vector<std::int64_t> dev_idx;
  const auto dev = take_per_class(pool, kTargetClasses, plan.dev_per_class, 42, {}, &dev_idx);
  res.dev_size = static_cast<int>(dev.size());
  res.frozen_weights_identical = true;
  res.frozen.name = "(i) fc1 frozen";
  res.gradual.name = "(ii) gradual unfreezing";
  Csv runs(dir + "/runs.csv", {"per_class", "seed", "method", "lr", "dev_accuracy"});
  for (const int n : plan.per_class) {
    TransferSize size;
    size.per_class = n;
    std::vector<TransferScores> scratch(plan.scratch_lrs.size());
    for (int s = 0; s < plan.seeds; ++s) {
      // The same seed draws nested sets: the 5 images per class are among the 10, and so on.
      const auto small = take_per_class(pool, kTargetClasses, n, 100 + static_cast<std::uint64_t>(s), dev_idx);
      const Task task{small, dev, plan.steps, 200 + static_cast<std::uint64_t>(s)};
      const bool first = n == plan.per_class.front() && s == 0;
      size.frozen.accuracy.push_back(run_frozen(source, task, plan.head_lr, res.frozen_weights_identical, first ? &res.frozen : nullptr));
      size.gradual.accuracy.push_back(run_gradual(source, task, plan.head_lr, first ? &res.gradual : nullptr,
                                                  first ? &res.unfreeze_log : nullptr));
      runs.row({std::to_string(n), std::to_string(s), "frozen", fmt_num(plan.head_lr), fmt_num(size.frozen.accuracy.back())});
      runs.row({std::to_string(n), std::to_string(s), "gradual", fmt_num(plan.head_lr), fmt_num(size.gradual.accuracy.back())});
      for (std::size_t l = 0; l < plan.scratch_lrs.size(); ++l) {
        scratch[l].accuracy.push_back(run_scratch(task, plan.scratch_lrs[l], nullptr));
        runs.row({std::to_string(n), std::to_string(s), "scratch", fmt_num(plan.scratch_lrs[l]), fmt_num(scratch[l].accuracy.back())});
      }
    }
    const auto best = std::max_element(scratch.begin(), scratch.end(),
                                       [](const TransferScores& a, const TransferScores& b) { return a.mean() < b.mean(); });
    size.scratch = *best;
    size.scratch_lr = plan.scratch_lrs[static_cast<std::size_t>(best - scratch.begin())];
    res.sizes.push_back(size);
  }
  // The scratch curve: the first draw at the smallest size, at the lr chosen for it.
  {
    const auto small = take_per_class(pool, kTargetClasses, plan.per_class.front(), 100, dev_idx);
    run_scratch({small, dev, plan.steps, 200}, res.sizes.front().scratch_lr, &res.scratch);
    res.scratch.name = fmt::format("(iii) from scratch, lr {}", res.sizes.front().scratch_lr);
  }
  write_outputs(dir, res, o.quiet);
  if (!o.quiet) print_report(res, pool.source, src_train.size(), dir);
  return res;
}

}  // namespace xg::experiments
