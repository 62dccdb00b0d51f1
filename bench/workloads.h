#pragma once
// The benchmark protocol shared by bench/xgrad_bench.cpp and bench/torch/torch_bench.cpp:
//   <program> <workload> [--size N] [--reps R] [--threads T]
// prints one line per measurement: "<workload> <metric> <value> <unit>". The driver
// (bench/run.sh) runs the two programs alternately and takes medians.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace bench {

struct Args {
  std::string workload;
  long size = 0;
  int reps = 5;
  int threads = 1;
};

inline Args parse(int argc, char** argv) {
  Args a;
  if (argc > 1) a.workload = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--size")) a.size = std::atol(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--reps")) a.reps = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads")) a.threads = std::atoi(argv[i + 1]);
  }
  return a;
}

using Clock = std::chrono::steady_clock;
inline double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : (v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]));
}

inline void report(const std::string& workload, const std::string& metric, double value, const char* unit) {
  std::printf("%s %s %.6g %s\n", workload.c_str(), metric.c_str(), value, unit);
  std::fflush(stdout);
}

// Peak resident set size of this process so far, in bytes (VmHWM).
inline double peak_rss_bytes() {
  std::ifstream f("/proc/self/status");
  std::string key;
  while (f >> key) {
    if (key == "VmHWM:") {
      double kb;
      f >> kb;
      return kb * 1024;
    }
    std::getline(f, key);
  }
  return 0;
}

inline double current_rss_bytes() {
  std::ifstream f("/proc/self/status");
  std::string key;
  while (f >> key) {
    if (key == "VmRSS:") {
      double kb;
      f >> kb;
      return kb * 1024;
    }
    std::getline(f, key);
  }
  return 0;
}

}  // namespace bench
