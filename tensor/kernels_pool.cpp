// Max pooling over arbitrary per-dim windows (max_pool2d, adaptive_max_pool2d and their 1-d forms).
#include <cmath>
#include <limits>

#include "tensor/detail/conv.h"
#include "tensor/detail/parallel.h"

namespace xg::kernel {

std::pair<Tensor, Tensor> window_max(const Tensor& x, const std::vector<Window>& rows, const std::vector<Window>& cols) {
  using i64 = std::int64_t;
  const i64 P = x.shape()[0], H = x.shape()[1], W = x.shape()[2];
  const i64 Ho = static_cast<i64>(rows.size()), Wo = static_cast<i64>(cols.size());
  Tensor vals = make_tensor({P, Ho, Wo}, x.dtype()), idx = make_tensor({P, Ho, Wo}, kInt64);
  dispatch_float(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* px = data_of<T>(x);
    T* pv = data_of<T>(vals);
    i64* pi = data_of<i64>(idx);
    const i64 per_window = rows.empty() || cols.empty() ? 1 : rows[0].count * cols[0].count;
    parallel_for(P, Ho * Wo * per_window, [&](i64 p0, i64 p1) {
      for (i64 p = p0; p < p1; ++p) {
        const T* plane = px + p * H * W;
        for (i64 oh = 0; oh < Ho; ++oh)
          for (i64 ow = 0; ow < Wo; ++ow) {
            const Window r = rows[static_cast<std::size_t>(oh)], c = cols[static_cast<std::size_t>(ow)];
            T best = -std::numeric_limits<T>::infinity();
            i64 at = -1;
            for (i64 a = 0; a < r.count; ++a) {
              const i64 ih = r.start + a * r.step;
              if (ih < 0 || ih >= H) continue;
              for (i64 b = 0; b < c.count; ++b) {
                const i64 iw = c.start + b * c.step;
                if (iw < 0 || iw >= W) continue;
                const T v = plane[ih * W + iw];
                if (at < 0 || v > best || std::isnan(v)) {
                  best = v;
                  at = ih * W + iw;
                }
              }
            }
            const i64 o = (p * Ho + oh) * Wo + ow;
            pv[o] = best;
            pi[o] = at;  // callers make sure no window is empty
          }
      }
    });
  });
  return {vals, idx};
}

}  // namespace xg::kernel
