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

// Calls f(i, j, offh, offw, rh, rw) for each kernel tap (i, j) of a convolution geometry g: output
// (oh, ow) of the tap reads input (oh·sh + offh, ow·sw + offw), which is inside the image for oh in
// rh and ow in rw.
template <class Geom, class F>
void for_each_tap(const Geom& g, F&& f) {
  for (std::int64_t i = 0; i < g.kh; ++i) {
    const std::int64_t offh = i * g.dh - g.ph;
    const Range rh = valid_range(g.Ho, g.sh, offh, g.H);
    for (std::int64_t j = 0; j < g.kw; ++j) {
      const std::int64_t offw = j * g.dw - g.pw;
      f(i, j, offh, offw, rh, valid_range(g.Wo, g.sw, offw, g.W));
    }
  }
}

}  // namespace xg::kernel
