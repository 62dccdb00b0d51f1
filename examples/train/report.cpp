#include "report.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace xg::train {

void append_metrics(const std::string& path, const EpochMetrics& m) {
  const bool fresh = !std::filesystem::exists(path) || std::filesystem::file_size(path) == 0;
  std::ofstream f(path, std::ios::app);
  if (!f) throw IOError(fmt::format("cannot write metrics to '{}'", path));
  if (fresh) f << "epoch,train_loss,dev_loss,dev_accuracy,lr,seconds\n";
  f << fmt::format("{},{:.6f},{:.6f},{:.6f},{:.6g},{:.3f}\n", m.epoch, m.train_loss, m.dev_loss, m.dev_accuracy, m.lr, m.seconds);
}

std::vector<EpochMetrics> read_metrics(const std::string& path) {
  std::ifstream f(path);
  std::vector<EpochMetrics> rows;
  std::string line;
  std::getline(f, line);
  while (std::getline(f, line)) {
    EpochMetrics m;
    char comma;
    std::istringstream s(line);
    s >> m.epoch >> comma >> m.train_loss >> comma >> m.dev_loss >> comma >> m.dev_accuracy >> comma >> m.lr >> comma >> m.seconds;
    if (s) rows.push_back(m);
  }
  return rows;
}

std::vector<std::vector<std::int64_t>> confusion_matrix(const Tensor& labels, const Tensor& predicted, std::int64_t classes) {
  std::vector<std::vector<std::int64_t>> cm(static_cast<std::size_t>(classes), std::vector<std::int64_t>(static_cast<std::size_t>(classes)));
  const auto y = labels.to_vector<std::int64_t>(), p = predicted.to_vector<std::int64_t>();
  for (std::size_t i = 0; i < y.size(); ++i) ++cm[static_cast<std::size_t>(y[i])][static_cast<std::size_t>(p[i])];
  return cm;
}

std::string format_confusion(const std::vector<std::vector<std::int64_t>>& cm, const std::vector<std::string>& names) {
  std::string out = fmt::format("{:>12} |", "true \\ pred");
  for (std::size_t j = 0; j < cm.size(); ++j) out += fmt::format(" {:>5}", j);
  out += '\n';
  out.append(14 + 6 * cm.size(), '-');
  out += '\n';
  for (std::size_t i = 0; i < cm.size(); ++i) {
    out += fmt::format("{:>9} {:>2} |", i < names.size() ? names[i].substr(0, 9) : "", i);
    for (auto v : cm[i]) out += fmt::format(" {:>5}", v);
    out += "\n";
  }
  return out;
}

bool plot_curves(const std::string& csv, const std::string& png, std::string& why) {
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    why = "gnuplot is not installed (Debian package gnuplot-nox); the curves are in " + csv;
    return false;
  }
  const std::string script = png + ".gp";
  {
    std::ofstream gp(script);
    gp << "set terminal pngcairo size 1000,420 font 'sans,10' noenhanced\n"
       << "set output '" << png << "'\n"
       << "set datafile separator ','\nset key autotitle columnhead\nset multiplot layout 1,2\n"
       << "set title 'loss'\nset xlabel 'epoch'\nset grid\n"
       << "plot '" << csv << "' using 1:2 with linespoints title 'train', '' using 1:3 with linespoints title 'dev'\n"
       << "set title 'dev accuracy'\nset key bottom right\n"
       << "plot '" << csv << "' using 1:4 with linespoints title 'dev accuracy'\n"
       << "unset multiplot\n";
  }
  const int rc = std::system(fmt::format("gnuplot '{}' 2> '{}.log'", script, png).c_str());
  if (rc != 0) {
    why = fmt::format("gnuplot failed (see {}.log); the curves are in {}", png, csv);
    return false;
  }
  std::filesystem::remove(script);
  std::filesystem::remove(png + ".log");
  return true;
}

}  // namespace xg::train
