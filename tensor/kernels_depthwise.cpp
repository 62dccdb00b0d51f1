// Depthwise convolutions (one input channel per group, m = Cout / C outputs each): direct loops
// over each plane, which beat im2col + GEMM when every GEMM would be a single row.
#include <algorithm>

#include "tensor/detail/conv.h"
#include "tensor/detail/conv_loops.h"
#include "tensor/detail/parallel.h"

namespace xg::kernel {

namespace {
using i64 = std::int64_t;

// Calls f(i, j, oh, base, rw) for each kernel tap (i, j) and each output row oh whose input row
// is inside the image; the row's valid outputs are rw, output ow reads input base + ow·sw.
template <class F>
void for_each_tap_row(const ConvGeom& g, F&& f) {
  for_each_tap(g, [&](i64 i, i64 j, i64 offh, i64 offw, Range rh, Range rw) {
    for (i64 oh = rh.lo; oh < rh.hi; ++oh) f(i, j, oh, (oh * g.sh + offh) * g.W + offw, rw);
  });
}
// The three row loops, each with its unit-stride case written out so that it vectorizes.
// out[ow] += wv · in[ow·s]
template <class T>
void axpy_row(T* out, T wv, const T* in, i64 s, Range r) {
  if (s == 1)
    for (i64 ow = r.lo; ow < r.hi; ++ow) out[ow] += wv * in[ow];
  else
    for (i64 ow = r.lo; ow < r.hi; ++ow) out[ow] += wv * in[ow * s];
}
// in[ow·s] += wv · g[ow]
template <class T>
void scatter_row(T* in, T wv, const T* g, i64 s, Range r) {
  if (s == 1)
    for (i64 ow = r.lo; ow < r.hi; ++ow) in[ow] += wv * g[ow];
  else
    for (i64 ow = r.lo; ow < r.hi; ++ow) in[ow * s] += wv * g[ow];
}
// Σ g[ow] · in[ow·s], in eight interleaved sums (a single running sum would not vectorize).
template <class T>
T dot_row(const T* g, const T* in, i64 s, Range r) {
  T lane[8] = {};
  i64 ow = r.lo;
  if (s == 1)
    for (; ow + 8 <= r.hi; ow += 8)
      for (int k = 0; k < 8; ++k) lane[k] += g[ow + k] * in[ow + k];
  T acc = 0;
  for (; ow < r.hi; ++ow) acc += g[ow] * in[ow * s];
  for (T v : lane) acc += v;
  return acc;
}
}  // namespace

void depthwise_forward(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvGeom& g, Tensor& y) {
  const i64 N = x.shape()[0], Cout = w.shape()[0], m = Cout / g.C, L = g.L(), HW = g.H * g.W, KK = g.kh * g.kw;
  dispatch_float(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T *px = data_of<T>(x), *pw = data_of<T>(w), *pb = bias.defined() ? data_of<T>(bias) : nullptr;
    T* py = data_of<T>(y);
    parallel_for(N * Cout, KK * L, [&](i64 p0, i64 p1) {
      for (i64 p = p0; p < p1; ++p) {
        const i64 n = p / Cout, co = p % Cout;
        const T* in = px + (n * g.C + co / m) * HW;
        const T* k = pw + co * KK;
        T* out = py + p * L;
        std::fill(out, out + L, pb ? pb[co] : T(0));
        for_each_tap_row(g, [&](i64 i, i64 j, i64 oh, i64 base, Range rw) {
          axpy_row(out + oh * g.Wo, k[i * g.kw + j], in + base, g.sw, rw);
        });
      }
    });
  });
}

void depthwise_input(const Tensor& gy, const Tensor& w, const ConvGeom& g, Tensor& gx) {
  const i64 N = gy.shape()[0], Cout = w.shape()[0], m = Cout / g.C, L = g.L(), HW = g.H * g.W, KK = g.kh * g.kw;
  dispatch_float(gy.dtype(), [&](auto t) {
    using T = decltype(t);
    const T *pg = data_of<T>(gy), *pw = data_of<T>(w);
    T* px = data_of<T>(gx);
    // One task per input plane: the m output planes that read it are summed into it in turn.
    parallel_for(N * g.C, m * KK * L, [&](i64 p0, i64 p1) {
      for (i64 p = p0; p < p1; ++p) {
        const i64 n = p / g.C, c = p % g.C;
        T* in = px + p * HW;
        for (i64 r = 0; r < m; ++r) {
          const i64 co = c * m + r;
          const T* go = pg + (n * Cout + co) * L;
          const T* k = pw + co * KK;
          for_each_tap_row(g, [&](i64 i, i64 j, i64 oh, i64 base, Range rw) {
            scatter_row(in + base, k[i * g.kw + j], go + oh * g.Wo, g.sw, rw);
          });
        }
      }
    });
  });
}

void depthwise_weight(const Tensor& x, const Tensor& gy, const ConvGeom& g, Tensor& gw) {
  const i64 N = x.shape()[0], Cout = gy.shape()[1], m = Cout / g.C, L = g.L(), HW = g.H * g.W, KK = g.kh * g.kw;
  dispatch_float(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T *px = data_of<T>(x), *pg = data_of<T>(gy);
    T* pw = data_of<T>(gw);
    parallel_for(Cout, N * KK * L, [&](i64 c0, i64 c1) {
      for (i64 co = c0; co < c1; ++co) {
        T* k = pw + co * KK;
        for (i64 n = 0; n < N; ++n) {
          const T* in = px + (n * g.C + co / m) * HW;
          const T* go = pg + (n * Cout + co) * L;
          for_each_tap_row(g, [&](i64 i, i64 j, i64 oh, i64 base, Range rw) {
            k[i * g.kw + j] += dot_row(go + oh * g.Wo, in + base, g.sw, rw);
          });
        }
      }
    });
  });
}

}  // namespace xg::kernel
