#pragma once
// Internal: splitting a loop over both cores. Kernels call parallel_for only for large work; the
// thread count is OpenBLAS's (xgrad-train --threads and openblas_set_num_threads set both).
#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

namespace xg::kernel {

int num_threads();  // OpenBLAS's thread count, at least 1

// Calls f(begin, end) on disjoint ranges covering [0, n); several threads when n * cost (about
// the number of scalar operations) is large enough to pay for starting them. f must not throw.
template <class F>
void parallel_for(std::int64_t n, std::int64_t cost_per_item, F&& f) {
  constexpr std::int64_t kMinWork = 1 << 16;
  const std::int64_t t = std::min<std::int64_t>(num_threads(), n);
  if (t <= 1 || n * cost_per_item < kMinWork) {
    if (n > 0) f(std::int64_t{0}, n);
    return;
  }
  const std::int64_t chunk = (n + t - 1) / t;
  std::vector<std::thread> threads;
  std::int64_t begin = chunk;
  for (; begin < n; begin += chunk) {
    const std::int64_t end = std::min(n, begin + chunk);
    try {
      threads.emplace_back([&f, begin, end] { f(begin, end); });
    } catch (...) {  // no thread to be had: this one does the rest
      break;
    }
  }
  f(std::int64_t{0}, std::min(n, chunk));
  for (auto& th : threads) th.join();
  if (begin < n) f(begin, n);
}

}  // namespace xg::kernel
