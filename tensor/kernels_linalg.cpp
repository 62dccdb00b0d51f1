// Matrix products through OpenBLAS, with transposes passed as flags instead of copies.
#include <cblas.h>

#include "tensor/detail/kernels.h"

namespace xg::kernel {

namespace {
void gemm_call(bool ta, bool tb, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, lda, b,
              ldb, 0.0f, c, n);
}
void gemm_call(bool ta, bool tb, int m, int n, int k, const double* a, int lda, const double* b, int ldb, double* c) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0, a, lda, b,
              ldb, 0.0, c, n);
}

Shape batch_of(const Shape& s) { return Shape(s.begin(), s.end() - 2); }
}  // namespace

// a: [..., m, k] ([..., k, m] if trans_a); b: [..., k, n] ([..., n, k] if trans_b); both >= 2-D.
Tensor gemm(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b) {
  const Shape& sa = a.shape();
  const Shape& sb = b.shape();
  const std::int64_t ra = sa[sa.size() - 2], ca = sa.back(), rb = sb[sb.size() - 2], cb = sb.back();
  const std::int64_t m = trans_a ? ca : ra, k = trans_a ? ra : ca, n = trans_b ? rb : cb;
  const Shape ba = batch_of(sa), bb = batch_of(sb);
  // A plain 2-D b and an untransposed a: fold a's batch into the rows, one call.
  const bool fold = bb.empty() && !trans_a;
  const Shape batch = broadcast_shapes("matmul", ba, bb);
  Shape os = batch;
  os.push_back(m);
  os.push_back(n);
  Tensor out = make_tensor(os, a.dtype());
  if (out.numel() == 0) return out;
  dispatch_float(a.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* pa = data_of<T>(a);
    const T* pb = data_of<T>(b);
    T* po = data_of<T>(out);
    if (k == 0) {
      for (std::int64_t i = 0; i < out.numel(); ++i) po[i] = 0;
      return;
    }
    if (fold) {
      gemm_call(false, trans_b, static_cast<int>(ba.numel() * m), static_cast<int>(n), static_cast<int>(k), pa,
                static_cast<int>(ca), pb, static_cast<int>(cb), po);
      return;
    }
    // Walk the broadcast batch; each operand's batch offset uses stride 0 where it broadcasts.
    const std::size_t nd = batch.size();
    std::array<std::int64_t, Shape::kMaxDims> sta{}, stb{};
    {
      const auto csa = contiguous_strides(ba), csb = contiguous_strides(bb);
      for (std::size_t i = 0; i < ba.size(); ++i) sta[i + nd - ba.size()] = ba[i] == 1 ? 0 : csa[i];
      for (std::size_t i = 0; i < bb.size(); ++i) stb[i + nd - bb.size()] = bb[i] == 1 ? 0 : csb[i];
    }
    const std::int64_t total = batch.numel();
    std::array<std::int64_t, Shape::kMaxDims> idx{};
    for (std::int64_t bi = 0; bi < total; ++bi) {
      std::int64_t oa = 0, ob = 0;
      for (std::size_t d = 0; d < nd; ++d) {
        oa += idx[d] * sta[d];
        ob += idx[d] * stb[d];
      }
      gemm_call(trans_a, trans_b, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), pa + oa * ra * ca,
                static_cast<int>(ca), pb + ob * rb * cb, static_cast<int>(cb), po + bi * m * n);
      for (std::size_t d = nd; d-- > 0;) {
        if (++idx[d] < batch[d]) break;
        idx[d] = 0;
      }
    }
  });
  return out;
}

}  // namespace xg::kernel
