#pragma once
// Internal: the reduction kernel template. A reduction is a struct with
//   template <class C> static C init();           the identity (C = the accumulator type)
//   template <class C> static C combine(C acc, C v);
// and kernel::reduce<R>(x, dims, keepdim) runs it over any set of dims. Float32 accumulates in
// double.
#include <limits>
#include <type_traits>
#include <vector>

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

template <class R>
Tensor reduce(const Tensor& x, const std::vector<std::size_t>& dims, bool keepdim) {
  Tensor out = make_tensor(reduced_shape(x.shape(), dims, keepdim), x.dtype());
  if (dims.empty()) return alias_with_shape(copy(x), out.shape());  // 0-d input: nothing to reduce
  const Block blk = as_block(x, dims);
  dispatch(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    using C = Acc<T>;
    const T* px = data_of<T>(blk.x);
    T* po = data_of<T>(out);
    std::vector<C> acc(static_cast<std::size_t>(blk.B));
    for (std::int64_t a = 0; a < blk.A; ++a) {
      std::fill(acc.begin(), acc.end(), R::template init<C>());
      const T* xa = px + a * blk.R * blk.B;
      for (std::int64_t r = 0; r < blk.R; ++r) {
        const T* row = xa + r * blk.B;
        for (std::int64_t b = 0; b < blk.B; ++b) acc[b] = R::combine(acc[b], static_cast<C>(row[b]));
      }
      for (std::int64_t b = 0; b < blk.B; ++b) po[a * blk.B + b] = static_cast<T>(acc[b]);
    }
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
