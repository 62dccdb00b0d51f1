// Convolutions as im2col + OpenBLAS GEMM, chunked over the batch so the column buffer stays
// bounded while the GEMMs stay wide; 1×1 convolutions are plain GEMMs and depthwise ones have
// their own loops (kernels_depthwise.cpp).
#include <cblas.h>

#include <algorithm>
#include <cstring>

#include "tensor/detail/conv.h"
#include "tensor/detail/conv_loops.h"
#include "tensor/detail/parallel.h"

namespace xg::kernel {

namespace {

using i64 = std::int64_t;

void gemm(bool ta, bool tb, i64 m, i64 n, i64 k, const float* a, i64 lda, const float* b, i64 ldb, float beta, float* c,
          i64 ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(m),
              static_cast<int>(n), static_cast<int>(k), 1.0f, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta, c,
              static_cast<int>(ldc));
}
void gemm(bool ta, bool tb, i64 m, i64 n, i64 k, const double* a, i64 lda, const double* b, i64 ldb, double beta,
          double* c, i64 ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(m),
              static_cast<int>(n), static_cast<int>(k), 1.0, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta, c,
              static_cast<int>(ldc));
}

// One image [C, H, W] into its column matrix: row (c·kh + i)·kw + j, column oh·Wo + ow, rows
// `ld` apart (several images of a chunk sit side by side).
template <class T>
void im2col(const T* x, const ConvGeom& g, T* col, i64 ld) {
  const i64 L = g.L();
  for (i64 c = 0; c < g.C; ++c)
    for_each_tap(g, [&](i64 i, i64 j, i64 offh, i64 offw, Range rh, Range rw) {
      const T* plane = x + c * g.H * g.W;
      T* row = col + ((c * g.kh + i) * g.kw + j) * ld;
      std::fill(row, row + rh.lo * g.Wo, T(0));
      for (i64 oh = rh.lo; oh < rh.hi; ++oh) {
        T* r = row + oh * g.Wo;
        const i64 base = (oh * g.sh + offh) * g.W + offw;
        std::fill(r, r + rw.lo, T(0));
        if (g.sw == 1)
          std::memcpy(r + rw.lo, plane + base + rw.lo, static_cast<std::size_t>(rw.hi - rw.lo) * sizeof(T));
        else
          for (i64 ow = rw.lo; ow < rw.hi; ++ow) r[ow] = plane[base + ow * g.sw];
        std::fill(r + rw.hi, r + g.Wo, T(0));
      }
      std::fill(row + rh.hi * g.Wo, row + L, T(0));
    });
}

// The adjoint: adds each column entry back to its pixel of x [C, H, W].
template <class T>
void col2im(const T* col, i64 ld, const ConvGeom& g, T* x) {
  for (i64 c = 0; c < g.C; ++c)
    for_each_tap(g, [&](i64 i, i64 j, i64 offh, i64 offw, Range rh, Range rw) {
      T* plane = x + c * g.H * g.W;
      const T* row = col + ((c * g.kh + i) * g.kw + j) * ld;
      for (i64 oh = rh.lo; oh < rh.hi; ++oh) {
        const T* r = row + oh * g.Wo;
        const i64 base = (oh * g.sh + offh) * g.W + offw;
        for (i64 ow = rw.lo; ow < rw.hi; ++ow) plane[base + ow * g.sw] += r[ow];
      }
    });
}

bool pointwise(const ConvGeom& g) { return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0; }
// One input channel per group and few outputs per channel: the direct loop beats im2col.
bool depthwise(const ConvGeom& g, i64 groups, i64 Cout) { return g.C == groups && Cout / groups <= 4; }

// Images per chunk: enough columns for a wide GEMM, within a bounded column buffer.
i64 chunk_size(const ConvGeom& g, i64 N) {
  constexpr i64 kTargetColumns = 4096, kMaxBufferElems = i64{1} << 22;
  const i64 L = std::max<i64>(g.L(), 1), per_image = std::max<i64>(g.K() * L, 1);
  return std::clamp<i64>(std::min((kTargetColumns + L - 1) / L, kMaxBufferElems / per_image), 1, std::max<i64>(N, 1));
}

// dst [rows, nb·L] <- images n0..n0+nb of src [N, rows, L], side by side.
template <class T>
void gather_chunk(const T* src, i64 rows, i64 L, i64 nb, T* dst) {
  for (i64 b = 0; b < nb; ++b)
    for (i64 r = 0; r < rows; ++r) std::memcpy(dst + r * nb * L + b * L, src + (b * rows + r) * L, static_cast<std::size_t>(L) * sizeof(T));
}

template <class T>
void add_bias(T* y, const T* bias, i64 N, i64 C, i64 L) {
  if (!bias) return;
  for (i64 n = 0; n < N; ++n)
    for (i64 c = 0; c < C; ++c) {
      T* p = y + (n * C + c) * L;
      const T b = bias[c];
      for (i64 i = 0; i < L; ++i) p[i] += b;
    }
}

// A scratch buffer from the library's caching allocator: a std::vector this large would be fresh
// pages from the kernel, and page faults, on every call.
template <class T>
class Scratch {
 public:
  explicit Scratch(i64 n) : t_(make_tensor({std::max<i64>(n, 1)}, dtype_v<T>)) {}
  T* data() { return data_of<T>(t_); }

 private:
  Tensor t_;
};

template <class T> const T* ptr_or_null(const Tensor& t) { return t.defined() ? data_of<T>(t) : nullptr; }

}  // namespace

Tensor unfold(const Tensor& x, const ConvGeom& g) {
  const i64 N = x.shape()[0], K = g.K(), L = g.L();
  Tensor out = make_tensor({N, K, L}, x.dtype());
  if (out.numel() == 0) return out;
  dispatch_float(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* px = data_of<T>(x);
    T* po = data_of<T>(out);
    parallel_for(N, K * L, [&](i64 n0, i64 n1) {
      for (i64 n = n0; n < n1; ++n) im2col(px + n * g.C * g.H * g.W, g, po + n * K * L, L);
    });
  });
  return out;
}

Tensor fold(const Tensor& cols, const ConvGeom& g, i64 N) {
  Tensor out = make_tensor({N, g.C, g.H, g.W}, cols.dtype());
  if (out.numel() == 0) return out;
  const i64 K = g.K(), L = g.L(), img = g.C * g.H * g.W;
  dispatch_float(cols.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* pc = data_of<T>(cols);
    T* po = data_of<T>(out);
    parallel_for(N, K * L, [&](i64 n0, i64 n1) {
      for (i64 n = n0; n < n1; ++n) {
        std::fill(po + n * img, po + (n + 1) * img, T(0));
        col2im(pc + n * K * L, L, g, po + n * img);
      }
    });
  });
  return out;
}

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvGeom& g, i64 groups) {
  const i64 N = x.shape()[0], Cout = w.shape()[0], Cg = g.C / groups, Og = Cout / groups;
  const i64 L = g.L(), Kg = Cg * g.kh * g.kw, img = g.C * g.H * g.W;
  Tensor y = make_tensor({N, Cout, g.Ho, g.Wo}, x.dtype());
  if (y.numel() == 0) return y;
  if (depthwise(g, groups, Cout)) {
    depthwise_forward(x, w, bias, g, y);
    return y;
  }
  dispatch_float(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T *px = data_of<T>(x), *pw = data_of<T>(w);
    T* py = data_of<T>(y);
    if (pointwise(g)) {
      for (i64 n = 0; n < N; ++n)
        for (i64 q = 0; q < groups; ++q)
          gemm(false, false, Og, L, Cg, pw + q * Og * Cg, Cg, px + (n * g.C + q * Cg) * L, L, T(0), py + (n * Cout + q * Og) * L, L);
    } else {
      const i64 B = chunk_size(g, N);
      Scratch<T> col(g.K() * B * L), tmp(B > 1 ? Cout * B * L : 0);
      for (i64 n0 = 0; n0 < N; n0 += B) {
        const i64 nb = std::min(B, N - n0), ld = nb * L;
        parallel_for(nb, g.K() * L, [&](i64 b0, i64 b1) {
          for (i64 b = b0; b < b1; ++b) im2col(px + (n0 + b) * img, g, col.data() + b * L, ld);
        });
        T* dst = nb == 1 ? py + n0 * Cout * L : tmp.data();
        for (i64 q = 0; q < groups; ++q)
          gemm(false, false, Og, ld, Kg, pw + q * Og * Kg, Kg, col.data() + q * Kg * ld, ld, T(0), dst + q * Og * ld, ld);
        if (nb > 1)
          for (i64 b = 0; b < nb; ++b)
            for (i64 co = 0; co < Cout; ++co)
              std::memcpy(py + ((n0 + b) * Cout + co) * L, tmp.data() + co * ld + b * L, static_cast<std::size_t>(L) * sizeof(T));
      }
    }
    add_bias(py, ptr_or_null<T>(bias), N, Cout, L);
  });
  return y;
}

Tensor conv_transpose2d(const Tensor& gy, const Tensor& w, const Tensor& bias, const ConvGeom& g, i64 groups) {
  const i64 N = gy.shape()[0], Cout = w.shape()[0], Cg = g.C / groups, Og = Cout / groups;
  const i64 L = g.L(), Kg = Cg * g.kh * g.kw, img = g.C * g.H * g.W;
  Tensor gx = make_tensor({N, g.C, g.H, g.W}, gy.dtype());
  if (gx.numel() == 0) return gx;
  dispatch_float(gy.dtype(), [&](auto t) {
    using T = decltype(t);
    const T *pg = data_of<T>(gy), *pw = data_of<T>(w);
    T* px = data_of<T>(gx);
    if (depthwise(g, groups, Cout)) {
      std::fill(px, px + gx.numel(), T(0));
      depthwise_input(gy, w, g, gx);
    } else if (pointwise(g)) {
      for (i64 n = 0; n < N; ++n)
        for (i64 q = 0; q < groups; ++q)
          gemm(true, false, Cg, L, Og, pw + q * Og * Cg, Cg, pg + (n * Cout + q * Og) * L, L, T(0), px + (n * g.C + q * Cg) * L, L);
    } else {
      const i64 B = chunk_size(g, N);
      Scratch<T> col(g.K() * B * L), buf(B > 1 ? Cout * B * L : 0);
      for (i64 n0 = 0; n0 < N; n0 += B) {
        const i64 nb = std::min(B, N - n0), ld = nb * L;
        const T* src = pg + n0 * Cout * L;
        if (nb > 1) {
          gather_chunk(src, Cout, L, nb, buf.data());
          src = buf.data();
        }
        for (i64 q = 0; q < groups; ++q)
          gemm(true, false, Kg, ld, Og, pw + q * Og * Kg, Kg, src + q * Og * ld, ld, T(0), col.data() + q * Kg * ld, ld);
        parallel_for(nb, g.K() * L, [&](i64 b0, i64 b1) {
          for (i64 b = b0; b < b1; ++b) {
            T* dst = px + (n0 + b) * img;
            std::fill(dst, dst + img, T(0));
            col2im(col.data() + b * L, ld, g, dst);
          }
        });
      }
    }
    add_bias(px, ptr_or_null<T>(bias), N, g.C, g.H * g.W);
  });
  return gx;
}

Tensor conv2d_weight(const Tensor& x, const Tensor& gy, const ConvGeom& g, i64 groups) {
  const i64 N = x.shape()[0], Cout = gy.shape()[1], Cg = g.C / groups, Og = Cout / groups;
  const i64 L = g.L(), Kg = Cg * g.kh * g.kw, img = g.C * g.H * g.W;
  Tensor gw = make_tensor({Cout, Cg, g.kh, g.kw}, x.dtype());
  dispatch_float(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T *px = data_of<T>(x), *pg = data_of<T>(gy);
    T* pw = data_of<T>(gw);
    std::fill(pw, pw + gw.numel(), T(0));
    if (N == 0 || L == 0) return;
    if (depthwise(g, groups, Cout)) {
      depthwise_weight(x, gy, g, gw);
    } else if (pointwise(g)) {
      for (i64 n = 0; n < N; ++n)
        for (i64 q = 0; q < groups; ++q)
          gemm(false, true, Og, Cg, L, pg + (n * Cout + q * Og) * L, L, px + (n * g.C + q * Cg) * L, L, T(1), pw + q * Og * Cg, Cg);
    } else {
      const i64 B = chunk_size(g, N);
      Scratch<T> col(g.K() * B * L), buf(B > 1 ? Cout * B * L : 0);
      for (i64 n0 = 0; n0 < N; n0 += B) {
        const i64 nb = std::min(B, N - n0), ld = nb * L;
        parallel_for(nb, g.K() * L, [&](i64 b0, i64 b1) {
          for (i64 b = b0; b < b1; ++b) im2col(px + (n0 + b) * img, g, col.data() + b * L, ld);
        });
        const T* src = pg + n0 * Cout * L;
        if (nb > 1) {
          gather_chunk(src, Cout, L, nb, buf.data());
          src = buf.data();
        }
        for (i64 q = 0; q < groups; ++q)
          gemm(false, true, Og, Kg, ld, src + q * Og * ld, ld, col.data() + q * Kg * ld, ld, T(1), pw + q * Og * Kg, Kg);
      }
    }
  });
  return gw;
}

}  // namespace xg::kernel
