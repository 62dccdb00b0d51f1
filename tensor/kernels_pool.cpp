// Max pooling over arbitrary per-dim windows (max_pool2d, adaptive_max_pool2d and their 1-d forms).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <limits>

#include "tensor/detail/conv.h"
#include "tensor/detail/parallel.h"

namespace xg::kernel {

namespace {

// A window's taps t in [lo, hi) whose position start + t·step lies in [0, size).
struct Taps {
  std::int64_t lo, hi;
};
Taps taps_inside(const Window& w, std::int64_t size) {
  std::int64_t lo = 0, hi = w.count;
  if (w.start < 0) lo = (-w.start + w.step - 1) / w.step;
  const std::int64_t last = size - 1 - w.start;  // positions start + t·step <= size - 1
  hi = last < 0 ? 0 : std::min(hi, last / w.step + 1);
  return {lo, std::max(lo, hi)};
}

// take ? a : b by bit masks: which tap of a window wins depends on the data, and a branch on it
// mispredicts about every other time (compilers keep the branch for a plain ?:).
template <class T>
T select(bool take, T a, T b) {
  using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  const U mask = U{0} - static_cast<U>(take);
  const U bits = std::bit_cast<U>(b) ^ ((std::bit_cast<U>(a) ^ std::bit_cast<U>(b)) & mask);
  return std::bit_cast<T>(bits);
}

}  // namespace

std::pair<Tensor, Tensor> window_max(const Tensor& x, const std::vector<Window>& rows, const std::vector<Window>& cols) {
  using i64 = std::int64_t;
  const i64 P = x.shape()[0], H = x.shape()[1], W = x.shape()[2];
  const i64 Ho = static_cast<i64>(rows.size()), Wo = static_cast<i64>(cols.size());
  Tensor vals = make_tensor({P, Ho, Wo}, x.dtype()), idx = make_tensor({P, Ho, Wo}, kInt64);
  // Each window's in-bounds taps, found once for all planes: the inner loops need no bounds checks.
  std::vector<Taps> row_taps, col_taps;
  for (const Window& r : rows) row_taps.push_back(taps_inside(r, H));
  for (const Window& c : cols) col_taps.push_back(taps_inside(c, W));
  dispatch_float(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* px = data_of<T>(x);
    T* pv = data_of<T>(vals);
    i64* pi = data_of<i64>(idx);
    const i64 per_window = rows.empty() || cols.empty() ? 1 : rows[0].count * cols[0].count;
    parallel_for(P, Ho * Wo * per_window, [&](i64 p0, i64 p1) {
      for (i64 p = p0; p < p1; ++p) {
        const T* plane = px + p * H * W;
        T* out_v = pv + p * Ho * Wo;
        i64* out_i = pi + p * Ho * Wo;
        for (i64 oh = 0; oh < Ho; ++oh) {
          const Window r = rows[static_cast<std::size_t>(oh)];
          const Taps ra = row_taps[static_cast<std::size_t>(oh)];
          for (i64 ow = 0; ow < Wo; ++ow) {
            const Window c = cols[static_cast<std::size_t>(ow)];
            const Taps cb = col_taps[static_cast<std::size_t>(ow)];
            // Callers make sure no window is empty. NaN wins, as in PyTorch.
            i64 at = (r.start + ra.lo * r.step) * W + c.start + cb.lo * c.step;
            T best = plane[at];
            for (i64 a = ra.lo; a < ra.hi; ++a) {
              const i64 row = (r.start + a * r.step) * W + c.start;
              for (i64 b = cb.lo; b < cb.hi; ++b) {
                const i64 i = row + b * c.step;
                const T v = plane[i];
                const bool take = (v > best) | (v != v);
                best = select(take, v, best);
                at = select(take, i, at);
              }
            }
            out_v[oh * Wo + ow] = best;
            out_i[oh * Wo + ow] = at;
          }
        }
      }
    });
  });
  return {vals, idx};
}

}  // namespace xg::kernel
