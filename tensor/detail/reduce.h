#pragma once
// Internal: the reduction kernel template. A reduction is a struct with
//   template <class C> static C init();           the identity (C = the accumulator type)
//   template <class C> static C combine(C acc, C v);
// and kernel::reduce<R>(x, dims, keepdim) runs it over any set of dims. Float32 accumulates in
// double.
#include <algorithm>
#include <limits>
#include <type_traits>
#include <vector>

#include "tensor/detail/parallel.h"
#include "tensor/detail/tensor_impl.h"

namespace xg::kernel {

// x viewed as [A, R, B]: A = the dims before the reduced block, R = the reduced block, B = the
// dims after it. Non-adjacent reduced dims are first permuted to the end (x is then a copy).
struct Block {
  Tensor x;
  std::int64_t A = 1, R = 1, B = 1;
};
Block as_block(const Tensor& x, std::vector<std::size_t> dims);
Shape reduced_shape(const Shape& s, const std::vector<std::size_t>& dims, bool keepdim);
Tensor copy(const Tensor& x);

template <class T>
using Acc = std::conditional_t<std::is_same_v<T, float>, double, T>;

// x viewed as [A, R1, M, R2, B] for kernel::reduce: the reduced dims are R1 and R2, the kept
// ones A, M and B (so [N, C, H, W] over {0, 2, 3} is R1 = N, M = C, R2 = H·W, with no copy).
// Reductions over more than two separate blocks of dims are first permuted to [kept, reduced].
struct ReduceView {
  Tensor x;
  std::int64_t A = 1, R1 = 1, M = 1, R2 = 1, B = 1;
};
ReduceView as_reduce_view(const Tensor& x, std::vector<std::size_t> dims);

// R over n contiguous values, in eight interleaved accumulators so the loop vectorizes.
template <class R, class C, class T>
C reduce_contiguous(const T* p, std::int64_t n) {
  constexpr int kLanes = 8;
  C lane[kLanes];
  for (auto& l : lane) l = R::template init<C>();
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) lane[j] = R::combine(lane[j], static_cast<C>(p[i + j]));
  C acc = R::template init<C>();
  for (const auto& l : lane) acc = R::combine(acc, l);
  for (; i < n; ++i) acc = R::combine(acc, static_cast<C>(p[i]));
  return acc;
}

template <class R>
Tensor reduce(const Tensor& x, const std::vector<std::size_t>& dims, bool keepdim) {
  Tensor out = make_tensor(reduced_shape(x.shape(), dims, keepdim), x.dtype());
  if (dims.empty()) return alias_with_shape(copy(x), out.shape());  // 0-d input: nothing to reduce
  const ReduceView v = as_reduce_view(x, dims);
  // Work units: one (a, m) output row each, its B columns split in pieces when there are few rows.
  const std::int64_t rows = v.A * v.M;
  const std::int64_t pieces = rows >= 4 ? 1 : std::clamp<std::int64_t>(v.B / 1024, 1, 8);
  const std::int64_t piece = (v.B + pieces - 1) / pieces;
  dispatch(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    using C = Acc<T>;
    const T* px = data_of<T>(v.x);
    T* po = data_of<T>(out);
    parallel_for(rows * pieces, v.R1 * v.R2 * piece, [&](std::int64_t u0, std::int64_t u1) {
      std::vector<C> acc(static_cast<std::size_t>(piece));
      for (std::int64_t u = u0; u < u1; ++u) {
        const std::int64_t row = u / pieces, a = row / v.M, m = row % v.M;
        const std::int64_t b0 = (u % pieces) * piece, nb = std::min(v.B, b0 + piece) - b0;
        if (nb <= 0) continue;
        std::fill(acc.begin(), acc.begin() + nb, R::template init<C>());
        for (std::int64_t r1 = 0; r1 < v.R1; ++r1) {
          const T* base = px + ((a * v.R1 + r1) * v.M + m) * v.R2 * v.B + b0;
          if (v.B == 1) {
            acc[0] = R::combine(acc[0], reduce_contiguous<R, C>(base, v.R2));
            continue;
          }
          for (std::int64_t r2 = 0; r2 < v.R2; ++r2) {
            const T* src = base + r2 * v.B;
            for (std::int64_t b = 0; b < nb; ++b) acc[b] = R::combine(acc[b], static_cast<C>(src[b]));
          }
        }
        for (std::int64_t b = 0; b < nb; ++b) po[row * v.B + b0 + b] = static_cast<T>(acc[b]);
      }
    });
  });
  return out;
}

struct SumOp {
  template <class C> static C init() { return C(0); }
  template <class C> static C combine(C acc, C v) { return acc + v; }
};
struct ProdOp {
  template <class C> static C init() { return C(1); }
  template <class C> static C combine(C acc, C v) { return acc * v; }
};
// NaN wins, as in PyTorch.
struct MaxOp {
  template <class C> static C init() {
    return std::numeric_limits<C>::has_infinity ? -std::numeric_limits<C>::infinity() : std::numeric_limits<C>::lowest();
  }
  template <class C> static C combine(C acc, C v) { return (v > acc || v != v) ? v : acc; }
};
struct MinOp {
  template <class C> static C init() {
    return std::numeric_limits<C>::has_infinity ? std::numeric_limits<C>::infinity() : std::numeric_limits<C>::max();
  }
  template <class C> static C combine(C acc, C v) { return (v < acc || v != v) ? v : acc; }
};

}  // namespace xg::kernel
