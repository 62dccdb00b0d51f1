#pragma once
// Internal: index arithmetic shared by the convolution and pooling loops.
#include <algorithm>
#include <cstdint>

namespace xg::kernel {

// The outputs o in [lo, hi) of n_out whose input position o·stride + shift lies in [0, size).
struct Range {
  std::int64_t lo, hi;
};
inline Range valid_range(std::int64_t n_out, std::int64_t stride, std::int64_t shift, std::int64_t size) {
  std::int64_t lo = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
  const std::int64_t last = size - 1 - shift;
  std::int64_t hi = last < 0 ? 0 : last / stride + 1;
  lo = std::min(lo, n_out);
  hi = std::clamp(hi, lo, n_out);
  return {lo, hi};
}

}  // namespace xg::kernel
