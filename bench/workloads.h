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
#include <malloc.h>
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

// A "<key>: <n> kB" line of /proc/self/status, in bytes.
inline double proc_status_bytes(const std::string& wanted) {
  std::ifstream f("/proc/self/status");
  std::string key;
  while (f >> key) {
    if (key == wanted) {
      double kb;
      f >> kb;
      return kb * 1024;
    }
    std::getline(f, key);
  }
  return 0;
}
inline double peak_rss_bytes() { return proc_status_bytes("VmHWM:"); }  // the peak so far
inline double current_rss_bytes() { return proc_status_bytes("VmRSS:"); }

// Matmuls per timed repetition: about 50 ms of work at 100 GFLOP/s, so thread wake-ups and timer
// resolution do not decide a small size's median.
inline int matmul_inner_loops(long n) { return std::max(3, static_cast<int>(5e9 / (2.0 * n * n * n))); }

// Bytes the program holds from malloc (small chunks in use plus mmapped blocks): what is live,
// whatever the fragmentation around it.
inline double heap_in_use_bytes() {
  const struct mallinfo2 m = mallinfo2();
  return static_cast<double>(m.uordblks + m.hblkhd);
}

// 6. A long chain in a fresh process (its peak RSS is the chain's): forward + backward time, the
// live graph after the forward pass (heap bytes in use), and the peak RSS it costs.
template <class Forward, class Backward>
void chain_long(const Args& a, const std::string& name, Forward&& forward, Backward&& backward) {
  const double rss0 = current_rss_bytes(), heap0 = heap_in_use_bytes();
  const auto t0 = Clock::now();
  forward();
  const double forward_seconds = seconds_since(t0);
  const double live = heap_in_use_bytes() - heap0;
  backward();
  const double seconds = seconds_since(t0);
  const double peak = peak_rss_bytes() - rss0;
  report(name, "time_fwd", forward_seconds, "s");
  report(name, "time_fwd_bwd", seconds, "s");
  report(name, "live_graph", live / 1e6, "MB");
  report(name, "peak_rss_growth", peak / 1e6, "MB");
  report(name, "peak_rss_over_live_graph", peak / live, "x");
  (void)a;
}

// 9. Convolutional layers at the trainer's CNN shapes (issue #18). Each case: forward, and forward
// + backward with a fixed output gradient; convolutions also as GFLOP/s (2·N·Cout·Ho·Wo·Cin/g·kh·kw
// per forward, 3× that for forward + backward when the input needs a gradient, 2× when not).
struct ConvCase {
  const char* name;
  long cin, cout, hw, k, pad, groups;
  bool input_grad;
};
inline const ConvCase kConvCases[] = {
    {"conv_1to32_28", 1, 32, 28, 3, 1, 1, false},  {"conv_32to64_14", 32, 64, 14, 3, 1, 1, true},
    {"conv1x1_64_14", 64, 64, 14, 1, 0, 1, true}, {"conv_depthwise_64_14", 64, 64, 14, 3, 1, 64, true},
};
inline double conv_gflop(const ConvCase& c, long batch) {
  return 2.0 * batch * c.cout * c.hw * c.hw * (c.cin / c.groups) * c.k * c.k / 1e9;
}

// Times f (median of reps, each the mean of `inner` calls) in ms.
template <class F>
double time_ms(int reps, int inner, F&& f) {
  f();  // warm-up
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    for (int i = 0; i < inner; ++i) f();
    t.push_back(seconds_since(t0) / inner);
  }
  return median(t) * 1e3;
}

}  // namespace bench
