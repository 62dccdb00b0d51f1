#include "optimizers.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>

#include <xgrad.h>

#include "fashion_mnist_subset.h"
#include "training.h"

namespace xg::experiments {

namespace {

namespace optim = xg::optim;

// ----- (a) 2-D functions -----

struct Problem {
  std::string name, title;
  std::function<Tensor(const Tensor& x, const Tensor& y)> f;  // with xgrad ops
  std::string gnuplot_f;                                      // the same f(x, y) for the contours
  double x0, y0;                                              // start
  double lr;                                                  // one lr for every optimizer
  double target;                                              // steps until f < target
  int max_steps, max_steps_fast;
  double xmin, xmax, ymin, ymax;
  std::string levels;                                         // contour levels
};

std::vector<Problem> problems() {
  return {
      {"ravine", "Ravine f = (x^2 + 20 y^2)/2, lr 0.098",
       [](const Tensor& x, const Tensor& y) { return 0.5 * (square(x) + 20.0 * square(y)); },
       "0.5*(x**2 + 20*y**2)", -4.0, 1.0, 0.098, 1e-4, 2000, 2000, -4.5, 1.5, -1.3, 1.3,
       "0.01,0.05,0.2,0.5,1,2,4,8,12"},
      {"rosenbrock", "Rosenbrock f = (1-x)^2 + 100 (y-x^2)^2, lr 0.001",
       [](const Tensor& x, const Tensor& y) { return square(1.0 - x) + 100.0 * square(y - square(x)); },
       "(1-x)**2 + 100*(y-x**2)**2", -1.2, 1.0, 1e-3, 1e-3, 20000, 2000, -1.6, 1.6, -0.6, 1.8,
       "0.01,0.1,0.5,1,2,4,8,16,32,64,128"},
      {"saddle", "Saddle f = x^2 - y^2 + y^4/4 from (1, 1e-4), lr 0.05",
       [](const Tensor& x, const Tensor& y) { return square(x) - square(y) + 0.25 * square(square(y)); },
       "x**2 - y**2 + 0.25*y**4", 1.0, 1e-4, 0.05, -0.5, 1000, 1000, -1.2, 1.2, -0.4, 2.0,
       "-0.9,-0.6,-0.3,-0.1,0,0.1,0.3,0.6,1"},
  };
}

using Factory = std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>, double lr)>;
const std::vector<std::pair<std::string, Factory>>& rules() {
  static const std::vector<std::pair<std::string, Factory>> r = {
      {"GD", [](auto p, double lr) { return std::make_unique<optim::SGD>(p, optim::SGDOptions(lr)); }},
      {"momentum", [](auto p, double lr) { return std::make_unique<optim::EMAMomentum>(p, optim::MomentumOptions(lr).beta(0.9)); }},
      {"momentum+bc",
       [](auto p, double lr) {
         return std::make_unique<optim::EMAMomentum>(p, optim::MomentumOptions(lr).beta(0.9).bias_correction(true));
       }},
      {"RMSProp", [](auto p, double lr) { return std::make_unique<optim::RMSprop>(p, optim::RMSpropOptions(lr).alpha(0.9)); }},
      {"Adam", [](auto p, double lr) { return std::make_unique<optim::Adam>(p, optim::AdamOptions(lr)); }},
      // PyTorch's momentum sums the gradients (b = 0.9 b + g, step lr b): at the same lr its steps
      // are 1/(1 - 0.9) = 10 times the lecture's, and the lecture's at lr/(1 - 0.9) takes PyTorch's.
      {"PyTorch momentum", [](auto p, double lr) { return std::make_unique<optim::SGD>(p, optim::SGDOptions(lr).momentum(0.9)); }},
      {"momentum lr/(1-beta)",
       [](auto p, double lr) { return std::make_unique<optim::EMAMomentum>(p, optim::MomentumOptions(lr / (1 - 0.9)).beta(0.9)); }},
  };
  return r;
}

PathRun follow(const Problem& pb, std::size_t rule, bool fast, Csv& csv) {
  const auto& [name, make] = rules()[rule];
  Tensor xy = tensor({pb.x0, pb.y0}, TensorOptions(kFloat64).requires_grad());
  auto opt = make({xy}, pb.lr);
  PathRun r{pb.name, name, pb.lr};
  const int budget = fast ? pb.max_steps_fast : pb.max_steps;
  for (int t = 0; t <= budget; ++t) {
    opt->zero_grad();
    const Tensor f = pb.f(narrow(xy, 0, 0, 1), narrow(xy, 0, 1, 1)).sum();
    const double fv = f.item<double>();
    const auto v = xy.to_vector<double>();
    const bool done = fv < pb.target || !std::isfinite(fv) || t == budget;
    // every step at first, then thinner (the Rosenbrock runs are long)
    if (t < 300 || t % 20 == 0 || done) csv.row({static_cast<double>(rule), static_cast<double>(t), v[0], v[1], fv});
    r.final_f = fv;
    r.final_x = v[0];
    r.final_y = v[1];
    if (fv < pb.target) {
      r.steps_to_target = t;
      break;
    }
    if (done) break;
    f.backward();
    opt->step();
  }
  return r;
}

// Contours of f with the paths on top, one panel per problem (gnuplot's own contouring of f).
void plot_paths(const std::string& png, const std::vector<Problem>& pbs, const std::vector<std::string>& csvs, bool quiet) {
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    if (!quiet) fmt::print("note: gnuplot is not installed (Debian package gnuplot-nox); no {} (the CSV files are written)\n", png);
    return;
  }
  const std::string script = png + ".gp";
  {
    std::ofstream gp(script);
    gp << fmt::format("set terminal pngcairo size {},480 font 'sans,10' noenhanced\nset output '{}'\n", 560 * pbs.size(), png)
       << "set datafile separator ','\nset view map\nset contour base\nunset clabel\nset isosamples 120,120\n"
       << "set key top left opaque\nset xlabel 'x'\nset ylabel 'y'\nset size ratio -1\n"
       << fmt::format("set multiplot layout 1,{}\n", pbs.size());
    for (std::size_t i = 0; i < pbs.size(); ++i) {
      const auto& pb = pbs[i];
      gp << fmt::format("set title '{}'\nset xrange [{}:{}]\nset yrange [{}:{}]\nset cntrparam levels discrete {}\n", pb.title,
                        pb.xmin, pb.xmax, pb.ymin, pb.ymax, pb.levels)
         << fmt::format("f(x,y) = {}\n", pb.gnuplot_f)
         << "splot f(x,y) nosurface lc rgb '#b0b0b0' notitle";
      for (std::size_t r = 0; r < rules().size(); ++r)
        gp << fmt::format(", '{}' every ::1 using 3:(($1 == {}) ? $4 : 1/0):(0) with lines lt {} lw 1.5 nocontour title '{}'", csvs[i],
                          r, r + 1, rules()[r].first);  // lt 1..7: a colour of its own for each optimizer
      gp << "\n";
    }
    gp << "unset multiplot\n";
  }
  if (std::system(fmt::format("gnuplot '{}' 2> '{}.log'", script, png).c_str()) != 0) {
    if (!quiet) fmt::print("note: gnuplot failed, see {}.log\n", png);
    return;
  }
  std::filesystem::remove(script);
  std::filesystem::remove(png + ".log");
}

// ----- (b) Fashion-MNIST -----

struct Setup {
  data::TensorDataset train, dev;
  int epochs;
};

TrainCurve train_mlp(const Setup& s, const std::string& name, const std::string& optimizer, double lr, double decay) {
  manual_seed(3);  // the same initial weights for every run
  const auto net = he_relu_mlp({784, 128, 64, 10});
  std::unique_ptr<optim::Optimizer> opt;
  const auto params = net->parameters();
  if (optimizer == "SGD") opt = std::make_unique<optim::SGD>(params, optim::SGDOptions(lr));
  else if (optimizer == "momentum") opt = std::make_unique<optim::EMAMomentum>(params, optim::MomentumOptions(lr).beta(0.9));
  else if (optimizer == "RMSProp") opt = std::make_unique<optim::RMSprop>(params, optim::RMSpropOptions(lr).alpha(0.9));
  else opt = std::make_unique<optim::Adam>(params, optim::AdamOptions(lr));
  std::unique_ptr<optim::InverseTimeLR> sched;
  if (decay > 0) sched = std::make_unique<optim::InverseTimeLR>(*opt, decay);
  data::DataLoader loader(s.train, 64, true, false, Generator(5));  // the same batches for every run
  TrainCurve c;
  c.name = name;
  c.optimizer = optimizer;
  c.lr = lr;
  c.decay = decay;
  for (int e = 0; e < s.epochs; ++e) {
    const double tl = train_epoch(*net, *opt, loader);
    if (!std::isfinite(tl)) c.diverged = true;
    const auto ev = evaluate(*net, s.dev);
    c.train_loss.push_back(tl);
    c.dev_loss.push_back(ev.loss);
    c.dev_accuracy.push_back(ev.accuracy);
    if (sched) sched->step();
  }
  return c;
}

void write_curves(Csv& csv, const std::vector<TrainCurve>& runs) {
  for (std::size_t r = 0; r < runs.size(); ++r)
    for (std::size_t e = 0; e < runs[r].dev_accuracy.size(); ++e)
      csv.row({static_cast<double>(r), static_cast<double>(e + 1), runs[r].train_loss[e], runs[r].dev_loss[e],
               runs[r].dev_accuracy[e]});
}

// ----- (c) learning-rate schedules -----

std::vector<ScheduleCurve> lr_schedules(double lr0, int epochs) {
  using Make = std::function<std::unique_ptr<optim::LRScheduler>(optim::Optimizer&)>;
  const std::vector<std::pair<std::string, Make>> schedules = {
      {"StepLR(3, 0.5)", [](optim::Optimizer& o) { return std::make_unique<optim::StepLR>(o, 3, 0.5); }},
      {"ExponentialLR(0.9)", [](optim::Optimizer& o) { return std::make_unique<optim::ExponentialLR>(o, 0.9); }},
      {fmt::format("CosineAnnealingLR(T={})", epochs),
       [epochs](optim::Optimizer& o) { return std::make_unique<optim::CosineAnnealingLR>(o, epochs); }},
      {"InverseTimeLR(0.5) = lr0/(1 + 0.5 epoch)", [](optim::Optimizer& o) { return std::make_unique<optim::InverseTimeLR>(o, 0.5); }},
  };
  std::vector<ScheduleCurve> curves;
  for (const auto& [name, make] : schedules) {
    optim::SGD opt(std::vector<Tensor>{zeros({1}, TensorOptions().requires_grad())}, optim::SGDOptions(lr0));
    const auto sched = make(opt);
    ScheduleCurve c{name, {}};
    for (int e = 0; e <= epochs; ++e) {
      c.lr.push_back(sched->get_last_lr()[0]);
      sched->step();
    }
    curves.push_back(c);
  }
  return curves;
}

std::string steps_str(const PathRun& r) { return r.reached() ? std::to_string(r.steps_to_target) : "not reached"; }

}  // namespace

const PathRun& OptimizersResult::path(const std::string& problem, const std::string& optimizer) const {
  for (const auto& p : paths)
    if (p.problem == problem && p.optimizer == optimizer) return p;
  throw ValueError(fmt::format("no path {} / {}", problem, optimizer));
}

const TrainCurve& OptimizersResult::rate(const std::string& prefix) const {
  for (const auto& r : rates)
    if (r.name.rfind(prefix, 0) == 0) return r;
  throw ValueError(fmt::format("no learning-rate run '{}'", prefix));
}

OptimizersResult run_optimizers(const RunOptions& o) {
  const std::string dir = output_dir(o, "optimizers");
  OptimizersResult res;

  // (a) paths
  const auto pbs = problems();
  std::vector<std::string> csvs;
  for (const auto& pb : pbs) {
    Csv csv(dir + "/paths_" + pb.name + ".csv", {"optimizer", "step", "x", "y", "f"});
    for (std::size_t r = 0; r < rules().size(); ++r) res.paths.push_back(follow(pb, r, o.fast, csv));
    csvs.push_back(csv.path());
  }
  {
    Csv steps(dir + "/steps_to_target.csv", {"problem", "optimizer", "lr", "target", "steps", "final_f"});
    for (const auto& p : res.paths)
      for (const auto& pb : pbs)
        if (pb.name == p.problem)
          steps.row({p.problem, p.optimizer, fmt_num(p.lr), fmt_num(pb.target), std::to_string(p.steps_to_target), fmt_num(p.final_f, 6)});
  }
  plot_paths(dir + "/paths.png", pbs, csvs, o.quiet);

  // (b) Fashion-MNIST
  const ImagePool pool = fashion_mnist_pool();
  res.synthetic = pool.synthetic;
  const std::vector<std::int64_t> all = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<std::int64_t> used;
  data::TensorDataset train = take_per_class(pool, all, o.fast ? 150 : 1000, 21, {}, &used);
  const Setup s{train, take_per_class(pool, all, o.fast ? 50 : 200, 22, used), o.fast ? 3 : 8};
  res.train_size = static_cast<int>(s.train.size());
  res.dev_size = static_cast<int>(s.dev.size());
  res.epochs = s.epochs;
  res.optimizers = {train_mlp(s, "SGD lr 0.1", "SGD", 0.1, 0), train_mlp(s, "momentum lr 0.1", "momentum", 0.1, 0),
                    train_mlp(s, "RMSProp lr 0.001", "RMSProp", 1e-3, 0), train_mlp(s, "Adam lr 0.001", "Adam", 1e-3, 0)};
  res.rates = {train_mlp(s, "small: SGD lr 0.001", "SGD", 1e-3, 0), train_mlp(s, "good: SGD lr 0.1", "SGD", 0.1, 0),
               train_mlp(s, "large: SGD lr 0.5", "SGD", 0.5, 0), train_mlp(s, "decayed: SGD lr 0.5/(1+epoch)", "SGD", 0.5, 1.0),
               train_mlp(s, "huge: SGD lr 1", "SGD", 1.0, 0)};
  Csv oc(dir + "/fmnist_optimizers.csv", {"run", "epoch", "train_loss", "dev_loss", "dev_accuracy"});
  write_curves(oc, res.optimizers);
  Csv rc(dir + "/fmnist_learning_rates.csv", {"run", "epoch", "train_loss", "dev_loss", "dev_accuracy"});
  write_curves(rc, res.rates);
  const std::string data_note = pool.synthetic ? " (SYNTHETIC data)" : "";
  Chart ca{"Fashion-MNIST: optimizers" + data_note, "epoch", "dev accuracy", false, false, {}};
  for (std::size_t r = 0; r < res.optimizers.size(); ++r)
    ca.series.push_back({oc.path(), 2, 5, res.optimizers[r].name, fmt::format("$1 == {}", r)});
  Chart cr{"Learning rates (SGD)" + data_note, "epoch", "dev accuracy", false, false, {}};
  Chart cl{"Learning rates (SGD): training loss", "epoch", "training loss", false, true, {}};
  for (std::size_t r = 0; r < res.rates.size(); ++r) {
    cr.series.push_back({rc.path(), 2, 5, res.rates[r].name, fmt::format("$1 == {}", r)});
    cl.series.push_back({rc.path(), 2, 3, res.rates[r].name, fmt::format("$1 == {}", r)});
  }
  plot(dir + "/fmnist.png", {ca, cr, cl}, o.quiet);

  // (c) schedules
  res.schedules = lr_schedules(0.1, 8);
  Csv sc(dir + "/schedules.csv", {"schedule", "epoch", "lr"});
  Chart cs{"Learning-rate schedules from 0.1", "epoch", "learning rate", false, false, {}};
  for (std::size_t k = 0; k < res.schedules.size(); ++k) {
    for (std::size_t e = 0; e < res.schedules[k].lr.size(); ++e)
      sc.row({static_cast<double>(k), static_cast<double>(e), res.schedules[k].lr[e]});
    cs.series.push_back({sc.path(), 2, 3, res.schedules[k].name, fmt::format("$1 == {}", k)});
  }
  plot(dir + "/schedules.png", {cs}, o.quiet);

  if (!o.quiet) {
    std::vector<std::string> header = {"steps to target"};
    std::vector<std::vector<std::string>> rows;
    for (const auto& pb : pbs) {
      std::vector<std::string> row = {fmt::format("{} (f < {}, lr {})", pb.name, fmt_num(pb.target), fmt_num(pb.lr))};
      for (const auto& [name, make] : rules()) row.push_back(steps_str(res.path(pb.name, name)));
      rows.push_back(row);
    }
    for (const auto& [name, make] : rules()) header.push_back(name);
    fmt::print("Optimizers on 2-D functions (same lr for all on each function; PyTorch's momentum sums the gradients,\n"
               "so at the same lr it steps 1/(1-beta) = 10x further than the lecture's average)\n{}\n", table(header, rows));
    std::vector<std::vector<std::string>> trows;
    for (const auto* group : {&res.optimizers, &res.rates})
      for (const auto& c : *group)
        trows.push_back({c.name, fmt::format("{:.2f}%", 100 * c.dev_accuracy.front()), fmt::format("{:.2f}%", 100 * c.final_accuracy()),
                         fmt_num(c.train_loss.back(), 3), c.diverged ? "yes" : "no"});
    fmt::print("{}: MLP 784-128-64-10, {} train / {} dev, {} epochs, batch 64\n{}", pool.source, res.train_size, res.dev_size,
               res.epochs, table({"run", "dev acc epoch 1", "final dev acc", "final train loss", "diverged"}, trows));
    std::vector<std::string> sheader = {"epoch"};
    std::vector<std::vector<std::string>> srows(res.schedules.front().lr.size());
    for (std::size_t e = 0; e < srows.size(); ++e) srows[e].push_back(std::to_string(e));
    for (const auto& c : res.schedules) {
      sheader.push_back(c.name);
      for (std::size_t e = 0; e < srows.size(); ++e) srows[e].push_back(fmt::format("{:.5f}", c.lr[e]));
    }
    fmt::print("Learning rate per epoch (schedule.step() once per epoch)\n{}", table(sheader, srows));
    fmt::print("CSV and PNG files in {}\n", dir);
  }
  return res;
}

}  // namespace xg::experiments
