#include "harness.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <xgrad.h>

namespace xg::experiments {

std::string output_dir(const RunOptions& o, const std::string& name) {
  const std::string dir = o.out + "/" + name;
  std::filesystem::create_directories(dir);
  return dir;
}

Csv::Csv(const std::string& path, const std::vector<std::string>& columns) : path_(path), columns_(columns.size()) {
  std::ofstream f(path);
  if (!f) throw IOError(fmt::format("cannot write '{}'", path));
  f << fmt::format("{}\n", fmt::join(columns, ","));
}

void Csv::row(const std::vector<double>& values) {
  std::vector<std::string> s;
  for (double v : values) s.push_back(fmt::format("{:.9g}", v));
  row(s);
}

void Csv::row(const std::vector<std::string>& values) {
  if (values.size() != columns_) throw ValueError(fmt::format("Csv '{}': row has {} values for {} columns", path_, values.size(), columns_));
  std::ofstream(path_, std::ios::app) << fmt::format("{}\n", fmt::join(values, ","));
}

bool plot(const std::string& png, const std::vector<Chart>& charts, bool quiet) {
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    if (!quiet) fmt::print("note: gnuplot is not installed (Debian package gnuplot-nox); no {} (the CSV files are written)\n", png);
    return false;
  }
  const std::string script = png + ".gp";
  {
    std::ofstream gp(script);
    gp << fmt::format("set terminal pngcairo size {},440 font 'sans,10' noenhanced\nset output '{}'\n", 520 * charts.size(), png)
       << "set datafile separator ','\nset grid\nset key top right\n"
       << fmt::format("set multiplot layout 1,{}\n", charts.size());
    for (const auto& c : charts) {
      gp << fmt::format("set title '{}'\nset xlabel '{}'\nset ylabel '{}'\n", c.title, c.xlabel, c.ylabel)
         << (c.logx ? "set logscale x\n" : "unset logscale x\n") << (c.logy ? "set logscale y\n" : "unset logscale y\n");
      std::vector<std::string> parts;
      for (const auto& s : c.series) {
        const std::string y = s.filter.empty() ? fmt::format("{}", s.y_column)
                                               : fmt::format("(({}) ? ${} : 1/0)", s.filter, s.y_column);
        parts.push_back(fmt::format("'{}' every ::1 using {}:{} with linespoints pointsize 0.5 title '{}'", s.csv, s.x_column, y, s.title));
      }
      gp << "plot " << fmt::format("{}", fmt::join(parts, ", ")) << "\n";
    }
    gp << "unset multiplot\n";
  }
  const int rc = std::system(fmt::format("gnuplot '{}' 2> '{}.log'", script, png).c_str());
  if (rc != 0) {
    if (!quiet) fmt::print("note: gnuplot failed, see {}.log\n", png);
    return false;
  }
  std::filesystem::remove(script);
  std::filesystem::remove(png + ".log");
  return true;
}

std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> w(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) w[i] = header[i].size();
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], r[i].size());
  auto line = [&](const std::vector<std::string>& r) {
    std::string s;
    for (std::size_t i = 0; i < w.size(); ++i) s += fmt::format("{:<{}}  ", i < r.size() ? r[i] : "", w[i]);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  std::string out = line(header);
  std::size_t total = 0;
  for (auto x : w) total += x + 2;
  out += std::string(total > 2 ? total - 2 : 0, '-') + "\n";
  for (const auto& r : rows) out += line(r);
  return out;
}

std::string fmt_num(double v, int precision) { return fmt::format("{:.{}g}", v, precision); }

int experiment_main(int argc, char** argv, const std::function<void(const RunOptions&)>& run, bool has_conv) {
  RunOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--fast") o.fast = true;
    else if (arg == "--out" && i + 1 < argc) o.out = argv[++i];
    else if (arg == "--conv" && has_conv) o.conv = true;
    else {
      fmt::print(stderr, "usage: {} [--fast] [--out DIR]{}\n", argv[0], has_conv ? " [--conv]" : "");
      return 2;
    }
  }
  try {
    run(o);
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace xg::experiments
