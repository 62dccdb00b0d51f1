#include "train.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "model.h"
#include "parallel.h"
#include "progress.h"
#include "report.h"
#include "shared/synthetic_data.h"

namespace xg::train {

namespace fs = std::filesystem;

namespace {

std::atomic<bool> interrupted{false};

// ----- optimizer and schedule -----
std::unique_ptr<optim::Optimizer> make_optimizer(const Config& c, const std::vector<Tensor>& params) {
  if (c.optimizer == "sgd")
    return std::make_unique<optim::SGD>(params, optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(c.weight_decay));
  if (c.optimizer == "momentum")
    return std::make_unique<optim::EMAMomentum>(params, optim::MomentumOptions(c.lr).beta(c.momentum).weight_decay(c.weight_decay));
  if (c.optimizer == "rmsprop")
    return std::make_unique<optim::RMSprop>(params, optim::RMSpropOptions(c.lr).weight_decay(c.weight_decay));
  if (c.optimizer == "adamw")
    return std::make_unique<optim::AdamW>(params, optim::AdamWOptions(c.lr).weight_decay(c.weight_decay));
  return std::make_unique<optim::Adam>(params, optim::AdamOptions(c.lr).weight_decay(c.weight_decay));
}

struct Schedule {
  std::unique_ptr<optim::LRScheduler> epoch_based;
  std::unique_ptr<optim::ReduceLROnPlateau> plateau;

  Schedule(const Config& c, optim::Optimizer& opt) {
    if (c.schedule == "step") epoch_based = std::make_unique<optim::StepLR>(opt, c.step_size, c.lr_decay);
    else if (c.schedule == "cosine") epoch_based = std::make_unique<optim::CosineAnnealingLR>(opt, c.epochs);
    else if (c.schedule == "inverse_time") epoch_based = std::make_unique<optim::InverseTimeLR>(opt, c.lr_decay);
    else if (c.schedule == "plateau")
      plateau = std::make_unique<optim::ReduceLROnPlateau>(opt, optim::ReduceLROnPlateauOptions().factor(std::min(c.lr_decay, 0.9)).patience(1));
  }
  void step(double dev_loss) {
    if (epoch_based) epoch_based->step();
    if (plateau) plateau->step(dev_loss);
  }
  StateDict state_dict() const {
    if (epoch_based) return epoch_based->state_dict();
    if (plateau) return plateau->state_dict();
    return {};
  }
  void load_state_dict(const StateDict& sd) {
    if (epoch_based) epoch_based->load_state_dict(sd);
    if (plateau) plateau->load_state_dict(sd);
  }
};

// ----- checkpoints: one safetensors file with prefixed sections -----
void put(StateDict& out, const std::string& prefix, const StateDict& part) {
  for (const auto& [k, v] : part) out[prefix + k] = v;
}
StateDict section(const StateDict& all, const std::string& prefix) {
  StateDict out;
  for (const auto& [k, v] : all)
    if (k.rfind(prefix, 0) == 0) out[k.substr(prefix.size())] = v;
  return out;
}
Tensor state_tensor(const Generator& g) {
  const auto st = g.get_state();
  std::vector<std::int64_t> v(st.begin(), st.end());
  return from_vector(v, {static_cast<std::int64_t>(v.size())});
}
void restore(Generator& g, const Tensor& t) {
  const auto v = t.to_vector<std::int64_t>();
  if (v.size() != 6) throw FormatError("checkpoint: a generator state needs 6 values");
  Generator::State st{};
  for (std::size_t i = 0; i < 6; ++i) st[i] = static_cast<std::uint64_t>(v[i]);
  g.set_state(st);
}

struct TrainState {
  std::int64_t epoch = 0;  // completed epochs
  double best_dev_accuracy = -1;
  std::int64_t best_epoch = 0;
};

void save_checkpoint(const std::string& path, nn::Module& model, optim::Optimizer& opt, const Schedule& sched,
                     const TrainState& ts, const Generator& shuffle, const io::Metadata& metadata) {
  StateDict all;
  put(all, "model.", model.state_dict());
  put(all, "optimizer.", opt.state_dict());
  put(all, "scheduler.", sched.state_dict());
  all["trainer.epoch"] = full({}, static_cast<double>(ts.epoch), kInt64);
  all["trainer.best_epoch"] = full({}, static_cast<double>(ts.best_epoch), kInt64);
  all["trainer.best_dev_accuracy"] = scalar_tensor(ts.best_dev_accuracy, kFloat64);
  all["trainer.rng.global"] = state_tensor(default_generator());
  all["trainer.rng.shuffle"] = state_tensor(shuffle);
  save(all, path, metadata);
}

// All or nothing, as io::Checkpoint::restore: everything is read and checked before anything
// changes; the optimizer and the schedule are put back if the model then refuses its part.
void load_checkpoint(const std::string& path, nn::Module& model, optim::Optimizer* opt, Schedule* sched, TrainState* ts,
                     Generator* shuffle) {
  const StateDict all = load(path);
  auto entry = [&](const char* key) -> const Tensor& {
    const auto it = all.find(key);
    if (it == all.end())
      throw FormatError(fmt::format("--resume: '{}' has no \"{}\": it is not a checkpoint written by xgrad-train", path, key));
    return it->second;
  };
  TrainState loaded;
  if (ts) {
    loaded.epoch = entry("trainer.epoch").item<std::int64_t>();
    loaded.best_epoch = entry("trainer.best_epoch").item<std::int64_t>();
    loaded.best_dev_accuracy = entry("trainer.best_dev_accuracy").item<double>();
  }
  Generator global_state, shuffle_state;
  if (shuffle) {
    restore(global_state, entry("trainer.rng.global"));
    restore(shuffle_state, entry("trainer.rng.shuffle"));
  }
  const StateDict opt_before = opt ? opt->state_dict() : StateDict{};
  const StateDict sched_before = sched ? sched->state_dict() : StateDict{};
  try {
    if (opt) opt->load_state_dict(section(all, "optimizer."));
    if (sched) sched->load_state_dict(section(all, "scheduler."));
    model.load_state_dict(section(all, "model."));
  } catch (...) {
    if (opt) opt->load_state_dict(opt_before);
    if (sched) sched->load_state_dict(sched_before);
    throw;
  }
  if (ts) *ts = loaded;
  if (shuffle) {
    default_generator().set_state(global_state.get_state());
    shuffle->set_state(shuffle_state.get_state());
  }
}

// ----- evaluation -----
struct Eval {
  double loss = 0, accuracy = 0;
  Tensor predictions;
};

std::int64_t eval_batch(const Config& c) { return c.model == "cnn" ? 250 : 2000; }

// In batches of bs (smaller for a CNN, whose first activations are 32 values per pixel).
Eval evaluate(nn::Module& model, const Tensor& x, const Tensor& y, std::int64_t bs) {
  NoGradGuard ng;
  model.eval();
  const std::int64_t n = x.size(0);
  double loss_sum = 0, correct = 0;
  std::vector<Tensor> preds;
  for (std::int64_t i = 0; i < n; i += bs) {
    const std::int64_t len = std::min(bs, n - i);
    const Tensor logits = model(narrow(x, 0, i, len));
    const Tensor yb = narrow(y, 0, i, len);
    loss_sum += nn::functional::cross_entropy(logits, yb, nn::functional::CrossEntropyFuncOptions().reduction(kSum)).item<double>();
    const Tensor p = argmax(logits, 1);
    correct += sum(eq(p, yb)).item<double>();
    preds.push_back(p);
  }
  model.train();
  return {loss_sum / static_cast<double>(n), correct / static_cast<double>(n), cat(preds)};
}

void write_report(const Config& c, const Data& d, const std::string& checkpoint, const Eval& test, const std::string& path) {
  const auto cm = confusion_matrix(d.test_y, test.predictions, d.classes);
  std::ofstream f(path);
  f << fmt::format("xgrad-train report\ncheckpoint: {}\ntest samples: {}\ntest loss: {:.4f}\ntest accuracy: {:.4f}\n\n"
                   "confusion matrix (rows: true class, columns: predicted)\n{}",
                   checkpoint, d.test_x.size(0), test.loss, test.accuracy, format_confusion(cm, d.class_names));
  (void)c;
}

// --augment: a random crop of the images padded by 2 (with the standardized mean, 0) and a random
// horizontal flip, drawn from the shuffling generator so a resumed run repeats them.
Tensor augment(const Tensor& flat, Generator& gen) {
  const auto side = static_cast<std::int64_t>(std::lround(std::sqrt(static_cast<double>(flat.size(1)))));
  Tensor x = data::transforms::random_crop(flat.reshape({-1, 1, side, side}), side, 2, gen);
  x = data::transforms::random_horizontal_flip(x, 0.5, gen);
  return x.reshape({-1, side * side});
}

Data synthetic(const Config& c) {
  // Gaussian blobs in 20-D (16-D, 4 x 4 images, for the CNN), 10 classes, well apart: a quick stand-in for tests.
  const std::int64_t n = c.synthetic, small = std::max<std::int64_t>(n / 5, 10);
  const auto sets = examples::gaussian_blob_sets(10, c.model == "cnn" ? 16 : 20, 3.0, {n, small, small}, c.seed + 1);
  Data d;
  d.train_x = sets[0].x, d.train_y = sets[0].y, d.dev_x = sets[1].x, d.dev_y = sets[1].y, d.test_x = sets[2].x, d.test_y = sets[2].y;
  for (std::int64_t i = 0; i < d.classes; ++i) d.class_names.push_back(fmt::format("blob {}", i));
  return d;
}

}  // namespace

void install_interrupt_handler() {
  std::signal(SIGINT, [](int) { interrupted = true; });
}

// The 60k training images split into train and dev with a fixed seed, as copies: the decoded
// images are freed when this returns.
std::pair<data::Batch, data::Batch> train_dev_split(const Config& c, const data::FashionMNISTOptions& flat) {
  data::FashionMNIST train_set(c.data_root, data::Split::Train, flat);
  std::int64_t m = train_set.size();
  if (c.train_limit > 0) m = std::min(m, c.train_limit + c.dev_size);
  if (c.dev_size >= m) throw ValueError(fmt::format("--dev-size {} leaves no training images (of {})", c.dev_size, m));
  Generator g(c.seed);
  const data::Subset pool(train_set, [&] {
    std::vector<std::int64_t> idx(static_cast<std::size_t>(m));
    for (std::int64_t i = 0; i < m; ++i) idx[static_cast<std::size_t>(i)] = i;
    return idx;
  }());
  const auto parts = data::random_split(pool, {static_cast<double>(m - c.dev_size), static_cast<double>(c.dev_size)}, g);
  auto all = [](const data::Dataset& ds) {
    std::vector<std::int64_t> idx(static_cast<std::size_t>(ds.size()));
    for (std::int64_t i = 0; i < ds.size(); ++i) idx[static_cast<std::size_t>(i)] = i;
    return ds.get_batch(idx);
  };
  return {all(parts[0]), all(parts[1])};
}

Data load_data(const Config& c) {
  if (c.synthetic > 0) return synthetic(c);
  data::FashionMNISTOptions flat;
  flat.flatten = true;
  // The test set stays aside until the final report.
  const auto [tr, dv] = train_dev_split(c, flat);
  data::FashionMNIST test_set(c.data_root, data::Split::Test, flat);
  Data d;
  // Standardize with statistics of the training split only, in place: the images are the biggest
  // thing the program holds, and out-of-place arithmetic would briefly hold them three times.
  const Tensor mu = mean(tr.data), sd = xg::std(tr.data);
  d.input_mean = mu.item<double>();
  d.input_std = sd.item<double>();
  auto standardized = [&](Tensor x) { return x.sub_(mu).div_(sd); };
  d.train_x = standardized(tr.data);
  d.train_y = tr.target;
  d.dev_x = standardized(dv.data);
  d.dev_y = dv.target;
  d.test_x = standardized(test_set.features());
  d.test_y = test_set.targets();
  for (const char* name : data::FashionMNIST::kClasses) d.class_names.emplace_back(name);
  return d;
}

RunResult train(const Config& config, const Data& d, bool evaluate_test) {
  Config c = config;
  fs::create_directories(c.out);
  const std::string metrics_path = c.out + "/metrics.csv", best_path = c.out + "/best.safetensors",
                    last_path = c.out + "/last.safetensors";
  manual_seed(c.seed);
  auto model = make_model(c, d.train_x.size(1), d.classes);
  Parallel par(c, *model);  // --distributed: rank 0's parameters everywhere; only rank 0 prints and writes
  const bool main_rank = par.is_main();
  if (!main_rank) c.quiet = true, evaluate_test = false;
  const io::Metadata metadata = checkpoint_metadata(c, d);
  auto opt = make_optimizer(c, model->parameters());
  Schedule sched(c, *opt);
  Generator shuffle(c.seed + 7);
  TrainState ts;
  if (!c.resume.empty()) {
    load_checkpoint(c.resume, *model, opt.get(), &sched, &ts, &shuffle);
    if (!c.quiet) fmt::print("resumed from {} after epoch {}\n", c.resume, ts.epoch);
  } else if (main_rank) {
    fs::remove(metrics_path);
  }
  // Each rank its own dropout masks (the model and the batches are the same on every rank).
  if (par.world() > 1) manual_seed(default_generator().next_u64() + 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(par.rank()));
  if (!c.quiet) fmt::print("{}\n{}optimizer {}\n", nn::to_string(*model), nn::summary(*model), opt->defaults().to_string());

  const std::int64_t n = d.train_x.size(0), bs = std::min(c.batch_size, n);
  const std::int64_t steps = (n + bs - 1) / bs;  // the last partial batch is kept
  RunResult result;
  for (std::int64_t epoch = ts.epoch + 1; epoch <= c.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    const double lr = opt->param_groups()[0].lr();
    Progress progress(epoch, c.epochs, steps, bs, c.quiet);
    const Tensor perm = randperm(n, &shuffle);
    double loss_sum = 0;
    for (std::int64_t s = 0; s < steps; ++s) {
      const std::int64_t len = std::min(bs, n - s * bs);
      // --distributed: this rank's part of the batch; its loss is scaled so that DDP's average over
      // the ranks is the mean over the whole batch (a rank with no example takes one with weight 0).
      const auto [first, count] = par.my_part(len);
      const Tensor idx = narrow(perm, 0, s * bs + (count > 0 ? first : 0), std::max<std::int64_t>(count, 1));
      Tensor xb = index_select(d.train_x, 0, idx);
      const Tensor yb = index_select(d.train_y, 0, idx);
      if (c.augment && c.model == "cnn") xb = augment(xb, shuffle);
      Tensor loss = par.world() == 1 ? nn::functional::cross_entropy(par.forward(xb), yb)
                                     : nn::functional::cross_entropy(par.forward(xb), yb, nn::functional::CrossEntropyFuncOptions().reduction(kSum)) *
                                           (count > 0 ? static_cast<double>(par.world()) / static_cast<double>(len) : 0.0);
      if (c.l2 > 0) loss = loss + nn::l2_penalty(*model, c.l2, static_cast<double>(n));
      const double lv = loss.item<double>();
      // Every rank must take the same branch: one rank's NaN or Ctrl-C stops them all.
      const auto [any_nan, any_interrupt] = par.any(!std::isfinite(lv), interrupted);
      if (any_nan) {
        fmt::print(stderr, "\nstopped: the loss is {} at epoch {}, step {}; the last good checkpoint is {}\n", lv, epoch, s + 1,
                   fs::exists(last_path) ? last_path : std::string("(none yet)"));
        result.stopped = true;
        return result;
      }
      opt->zero_grad();
      loss.backward();
      par.backward_done();
      if (c.clip > 0) optim::clip_grad_norm_(model->parameters(), c.clip);
      opt->step();
      loss_sum += par.world() == 1 ? lv * static_cast<double>(idx.numel()) : lv * static_cast<double>(len) / par.world();
      progress.update(s + 1, lv);
      if (any_interrupt) {
        if (main_rank) save_checkpoint(last_path, *model, *opt, sched, ts, shuffle, metadata);
        fmt::print(stderr, "\ninterrupted: saved {} (resume with --resume {}; the interrupted epoch restarts)\n", last_path, last_path);
        result.stopped = true;
        return result;
      }
    }
    loss_sum = par.sum(loss_sum);
    const double comm = par.take_comm_seconds();
    // Every rank evaluates its (identical) model, so every rank's schedule takes the same step.
    const Eval dev = evaluate(*model, d.dev_x, d.dev_y, eval_batch(c));
    EpochMetrics m{epoch, loss_sum / static_cast<double>(n), dev.loss, dev.accuracy, lr,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
    if (main_rank) append_metrics(metrics_path, m);
    ts.epoch = epoch;
    if (dev.accuracy > ts.best_dev_accuracy) {
      ts.best_dev_accuracy = dev.accuracy;
      ts.best_epoch = epoch;
      if (main_rank) save(model->state_dict(), best_path, metadata);
    }
    sched.step(dev.loss);
    if (main_rank) save_checkpoint(last_path, *model, *opt, sched, ts, shuffle, metadata);
    const std::string comm_note = par.world() > 1 ? fmt::format("  ({} ranks, {:.1f}s in communication)", par.world(), comm) : "";
    progress.finish(fmt::format("epoch {:>3}/{}  train loss {:.4f}  dev loss {:.4f}  dev acc {:.4f}  lr {:.2e}  {:.1f}s{}", epoch,
                                c.epochs, m.train_loss, m.dev_loss, m.dev_accuracy, lr, m.seconds, comm_note));
  }
  result.best_dev_accuracy = ts.best_dev_accuracy;
  result.best_epoch = ts.best_epoch;
  result.best_checkpoint = best_path;
  result.last_checkpoint = last_path;
  std::string why;
  if (main_rank && !plot_curves(metrics_path, c.out + "/curves.png", why) && !c.quiet) fmt::print("note: {}\n", why);
  if (evaluate_test) result.test_accuracy = evaluate_checkpoint(c, d, best_path);
  return result;
}

double evaluate_checkpoint(const Config& c, const Data& d, const std::string& path) {
  auto model = make_model(c, d.test_x.size(1), d.classes);
  const StateDict all = load(path);
  // A best checkpoint holds the model alone; a last checkpoint has it under "model.".
  const StateDict sect = section(all, "model.");
  model->load_state_dict(sect.empty() ? all : sect);
  const Eval test = evaluate(*model, d.test_x, d.test_y, eval_batch(c));
  fs::create_directories(c.out);
  write_report(c, d, path, test, c.out + "/report.txt");
  fmt::print("test accuracy {:.4f} (loss {:.4f}) of {}; report: {}/report.txt\n", test.accuracy, test.loss, path, c.out);
  return test.accuracy;
}

io::Metadata checkpoint_metadata(const Config& c, const Data& d) {
  const nlohmann::json model = {{"model", c.model},         {"in_features", d.train_x.size(1)}, {"classes", d.classes},
                                {"hidden", c.hidden},       {"channels", c.channels},           {"activation", c.activation},
                                {"dropout", c.dropout},     {"batch_norm", c.batch_norm}};
  return {{"xgrad.model", model.dump()},
          {"xgrad.input_mean", fmt::format("{:.17g}", d.input_mean)},
          {"xgrad.input_std", fmt::format("{:.17g}", d.input_std)}};
}

Config config_from_checkpoint(const Config& base, const io::Metadata& metadata) {
  Config c = base;
  const auto it = metadata.find("xgrad.model");
  if (it == metadata.end()) return c;
  try {
    const auto j = nlohmann::json::parse(it->second);
    c.model = j.at("model").get<std::string>();
    c.hidden = j.at("hidden").get<std::vector<std::int64_t>>();
    c.channels = j.at("channels").get<std::vector<std::int64_t>>();
    c.activation = j.at("activation").get<std::string>();
    c.dropout = j.at("dropout").get<double>();
    c.batch_norm = j.at("batch_norm").get<bool>();
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(fmt::format("checkpoint metadata xgrad.model is not a model configuration ({}): {}", e.what(), it->second));
  }
  return c;
}

double evaluate_checkpoint_alone(const Config& base, const std::string& path) {
  const io::Metadata meta = io::read_safetensors(path).metadata;
  const Config c = config_from_checkpoint(base, meta);
  if (!meta.count("xgrad.input_mean") || !meta.count("xgrad.input_std") || c.synthetic > 0)
    return evaluate_checkpoint(c, load_data(c), path);  // an older checkpoint: standardize as training did
  double mu = 0, sd = 1;
  try {
    mu = std::stod(meta.at("xgrad.input_mean"));
    sd = std::stod(meta.at("xgrad.input_std"));
  } catch (const std::exception&) {
    throw FormatError(fmt::format("{}: xgrad.input_mean / xgrad.input_std are not numbers", path));
  }
  if (!(sd > 0) || !std::isfinite(mu) || !std::isfinite(sd))
    throw FormatError(fmt::format("{}: the input standardization mean {} std {} is not usable", path, mu, sd));
  data::FashionMNISTOptions flat;
  flat.flatten = true;
  data::FashionMNIST test_set(c.data_root, data::Split::Test, flat);
  Data d;
  Tensor x = test_set.features();  // a handle to the dataset's images, standardized in place
  d.test_x = x.sub_(mu).div_(sd);
  d.test_y = test_set.targets();
  d.input_mean = mu, d.input_std = sd;
  for (const char* name : data::FashionMNIST::kClasses) d.class_names.emplace_back(name);
  return evaluate_checkpoint(c, d, path);
}

RunResult sweep(const Config& base, const Data& d) {
  struct Trial {
    Config c;
    double dev_accuracy;
  };
  std::vector<Trial> trials;
  int k = 0;
  for (double lr : base.sweep_lr)
    for (double l2 : base.sweep_l2)
      for (double p : base.sweep_dropout)
        for (std::int64_t b : base.sweep_batch) {
          Config c = base;
          c.lr = lr, c.l2 = l2, c.dropout = p, c.batch_size = b, c.epochs = base.sweep_epochs, c.quiet = true;
          c.out = fmt::format("{}/sweep/{:02d}", base.out, k++);
          const RunResult r = train(c, d, /*evaluate_test=*/false);  // dev only
          trials.push_back({c, r.best_dev_accuracy});
          fmt::print("sweep {:>2}: lr {:<8g} l2 {:<8g} dropout {:<4g} batch {:<5} -> dev acc {:.4f}\n", k - 1, lr, l2, p, b,
                     r.best_dev_accuracy);
        }
  std::stable_sort(trials.begin(), trials.end(), [](const Trial& a, const Trial& b) { return a.dev_accuracy > b.dev_accuracy; });
  std::string table = fmt::format("{:<10} {:<10} {:<8} {:<6} {}\n", "lr", "l2", "dropout", "batch", "dev accuracy");
  for (const auto& t : trials)
    table += fmt::format("{:<10g} {:<10g} {:<8g} {:<6} {:.4f}\n", t.c.lr, t.c.l2, t.c.dropout, t.c.batch_size, t.dev_accuracy);
  fmt::print("\nsweep results, sorted by dev accuracy (the test set was not used):\n{}", table);
  std::ofstream(base.out + "/sweep.txt") << table;
  Config best = trials.front().c;
  best.epochs = base.epochs, best.quiet = base.quiet, best.out = base.out + "/best";
  fmt::print("\nretraining the best configuration for {} epochs, then testing it once\n", best.epochs);
  return train(best, d, /*evaluate_test=*/true);
}

}  // namespace xg::train
