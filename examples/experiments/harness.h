#pragma once
// The harness of the lecture's experiments: run options and the programs' main, output folders,
// CSV files, gnuplot charts and the printed conclusion table. Each experiment is a library
// function (so tests can run its fast mode and check its conclusion) plus a small main.
#include <functional>
#include <string>
#include <vector>

namespace xg::experiments {

struct RunOptions {
  bool fast = false;                         // tiny sizes: what the test suite runs
  std::string out = "runs/experiments";      // each experiment writes into out/<name>/
  bool quiet = false;
  bool conv = false;                         // --conv: the conv-net variant (experiments that have one)
};

// Creates out/<name> and returns its path.
std::string output_dir(const RunOptions& o, const std::string& name);

// A CSV table: header once, then rows of numbers (or strings).
class Csv {
 public:
  Csv(const std::string& path, const std::vector<std::string>& columns);
  void row(const std::vector<double>& values);
  void row(const std::vector<std::string>& values);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::size_t columns_;
};

struct Series {
  std::string csv;       // file to read
  int x_column = 1;      // 1-based CSV columns
  int y_column = 2;
  std::string title;
  std::string filter;    // optional gnuplot condition on columns, e.g. "$3 == 0.1" (rows kept when true)
};

struct Chart {
  std::string title, xlabel, ylabel;
  bool logx = false, logy = false;
  std::vector<Series> series;
};

// Draws one or more charts side by side into png with gnuplot. Returns false (and prints why
// unless quiet) when gnuplot is missing or fails; the CSV files stay either way.
bool plot(const std::string& png, const std::vector<Chart>& charts, bool quiet = false);

// A fixed-width table for the conclusion printed at the end of each experiment.
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
std::string fmt_num(double v, int precision = 4);

// The programs' main: parses [--fast] [--out DIR] (and [--conv] when has_conv), runs `run`, reports
// errors; returns the exit code.
int experiment_main(int argc, char** argv, const std::function<void(const RunOptions&)>& run, bool has_conv = false);

}  // namespace xg::experiments
