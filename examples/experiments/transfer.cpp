#include "transfer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include <xgrad.h>

#include "fmnist_b.h"

namespace xg::experiments {

namespace {

namespace optim = xg::optim;
using fmnist_b::Mlp;

constexpr std::int64_t kIn = 784, kH1 = 256, kH2 = 128, kClasses = 5;

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

// The target network: the pretrained fc1, fc2 (if `pretrained`) and a new, freshly initialized head.
void build(Mlp& net, const Mlp* pretrained) {
  if (!pretrained) return;
  net.fc1.load_state_dict(pretrained->fc1.state_dict());
  net.fc2.load_state_dict(pretrained->fc2.state_dict());
}

}  // namespace

double TransferCurve::best_accuracy() const {
  return dev_accuracy.empty() ? 0 : *std::max_element(dev_accuracy.begin(), dev_accuracy.end());
}

TransferResult run_transfer(const RunOptions& o) {
  const std::string dir = output_dir(o, "transfer");
  TransferResult res;
  const auto pool = fmnist_b::load_train_pool();
  res.synthetic = pool.synthetic;
  const std::vector<std::int64_t> source_classes = {0, 1, 2, 3, 4}, target_classes = {5, 6, 7, 8, 9};

  // 1. Pretraining on classes 0-4 (plenty of data).
  std::vector<std::int64_t> used;
  const auto src_train = fmnist_b::take(pool, source_classes, o.fast ? 500 : 3000, 31, {}, &used);
  const auto src_dev = fmnist_b::take(pool, source_classes, 200, 32, used);
  manual_seed(10);
  Mlp source(kIn, kH1, kH2, kClasses);
  {
    optim::Adam opt(source.parameters(), optim::AdamOptions(1e-3));
    data::DataLoader loader(src_train, 64, true, false, Generator(33));
    for (int e = 0; e < (o.fast ? 2 : 4); ++e) fmnist_b::train_epoch(source, opt, loader);
    res.source_dev_accuracy = fmnist_b::evaluate(source, src_dev).accuracy;
  }

  // 2. The target task: a small training set of classes 5-9, a larger dev set.
  res.per_class = 50;
  std::vector<std::int64_t> small_idx;
  const auto small = fmnist_b::take(pool, target_classes, res.per_class, 41, {}, &small_idx);
  const auto dev = fmnist_b::take(pool, target_classes, o.fast ? 100 : 400, 42, small_idx);
  res.train_size = static_cast<int>(small.size());
  res.dev_size = static_cast<int>(dev.size());
  res.epochs = o.fast ? 12 : 30;
  const double lr = 1e-3;       // from scratch: Adam's default
  const double head_lr = 1e-2;  // transfer: the new head (and fine-tuned layers) start from a good point

  auto run = [&](const std::string& name, Mlp& net, optim::Optimizer& opt, optim::GradualUnfreezing* unfreeze) {
    TransferCurve c;
    c.name = name;
    data::DataLoader loader(small, 25, true, false, Generator(43));  // the same batches in every run
    for (int e = 0; e < res.epochs; ++e) {
      c.train_loss.push_back(fmnist_b::train_epoch(net, opt, loader));
      c.dev_accuracy.push_back(fmnist_b::evaluate(net, dev).accuracy);
      if (unfreeze)
        for (const auto& stage : unfreeze->step()) res.unfreeze_log.push_back(fmt::format("after epoch {}: {}", e + 1, stage));
    }
    return c;
  };

  // (i) the early layer fc1 frozen; the pretrained fc2 and the new head are fine-tuned.
  {
    manual_seed(20);  // the same new head in every run
    Mlp net(kIn, kH1, kH2, kClasses);
    build(net, &source);
    net.fc1.requires_grad_(false);
    const auto before = snapshot(net.fc1);
    std::vector<Tensor> trainable = net.fc2.parameters();
    for (const auto& p : net.fc3.parameters()) trainable.push_back(p);
    optim::Adam opt(trainable, optim::AdamOptions(head_lr));
    res.frozen = run(fmt::format("(i) fc1 frozen; fc2 + new head, lr {}", head_lr), net, opt, nullptr);
    res.frozen_weights_identical = identical(before, net.fc1);
  }
  // (ii) gradual unfreezing: the new head from the start, fc2 after a third of the epochs at
  // lr/10, fc1 after two thirds at lr/100.
  {
    manual_seed(20);
    Mlp net(kIn, kH1, kH2, kClasses);
    build(net, &source);
    optim::Adam opt(net.fc3.parameters(), optim::AdamOptions(head_lr));
    const double lr = head_lr;
    const std::int64_t third = res.epochs / 3;
    optim::GradualUnfreezing unfreeze(opt, {{third, "fc2", net.fc2.parameters(), lr / 10},
                                            {2 * third, "fc1", net.fc1.parameters(), lr / 100}});
    res.gradual = run(fmt::format("(ii) gradual: head lr {}, fc2 from epoch {} (lr/10), fc1 from {} (lr/100)", lr, third + 1,
                                  2 * third + 1),
                      net, opt, &unfreeze);
  }
  // (iii) from scratch.
  {
    manual_seed(20);
    Mlp net(kIn, kH1, kH2, kClasses);
    optim::Adam opt(net.parameters(), optim::AdamOptions(lr));
    res.scratch = run(fmt::format("(iii) from scratch, lr {}", lr), net, opt, nullptr);
  }

  Csv csv(dir + "/dev_accuracy.csv", {"run", "epoch", "train_loss", "dev_accuracy"});
  const std::vector<const TransferCurve*> curves = {&res.frozen, &res.gradual, &res.scratch};
  for (std::size_t r = 0; r < curves.size(); ++r)
    for (std::size_t e = 0; e < curves[r]->dev_accuracy.size(); ++e)
      csv.row({static_cast<double>(r), static_cast<double>(e + 1), curves[r]->train_loss[e], curves[r]->dev_accuracy[e]});
  const std::string note = pool.synthetic ? " (SYNTHETIC data)" : "";
  Chart acc{fmt::format("Classes 5-9 from {} images per class{}", res.per_class, note), "epoch", "dev accuracy", false, false, {}};
  Chart loss{"Training loss on the small set", "epoch", "training loss", false, true, {}};
  for (std::size_t r = 0; r < curves.size(); ++r) {
    acc.series.push_back({csv.path(), 2, 4, curves[r]->name, fmt::format("$1 == {}", r)});
    loss.series.push_back({csv.path(), 2, 3, curves[r]->name, fmt::format("$1 == {}", r)});
  }
  plot(dir + "/dev_accuracy.png", {acc, loss}, o.quiet);

  if (!o.quiet) {
    fmt::print("Data: {}\n", pool.source);
    fmt::print("Pretrained MLP {}-{}-{}-{} on classes 0-4 ({} images): dev accuracy {:.2f}%\n", kIn, kH1, kH2, kClasses,
               src_train.size(), 100 * res.source_dev_accuracy);
    fmt::print("Target classes 5-9: {} training images ({} per class), {} dev images, {} epochs, Adam, batch 25\n",
               res.train_size, res.per_class, res.dev_size, res.epochs);
    for (const auto& l : res.unfreeze_log) fmt::print("  gradual unfreezing {}\n", l);
    std::vector<std::vector<std::string>> rows;
    for (const auto* c : curves)
      rows.push_back({c->name, fmt::format("{:.2f}%", 100 * c->dev_accuracy.front()), fmt::format("{:.2f}%", 100 * c->best_accuracy()),
                      fmt::format("{:.2f}%", 100 * c->final_accuracy())});
    fmt::print("{}", table({"run", "dev acc epoch 1", "best dev acc", "final dev acc"}, rows));
    fmt::print("frozen layer fc1 bit-identical after phase (i): {}\nCSV and PNG files in {}\n",
               res.frozen_weights_identical ? "yes" : "NO", dir);
  }
  return res;
}

}  // namespace xg::experiments
