#pragma once
// Internal: argument checks shared by the convolution and pooling ops. Each names the op, the
// argument and the values it got, and runs before any work.
#include <fmt/format.h>

#include <array>

#include "autodiff/detail/checks.h"
#include "autodiff/detail/record.h"
#include "autodiff/ops_conv.h"

namespace xg::autograd {

// The names the convolution, pooling and fold ops share: `using namespace autograd::conv_names;`.
namespace conv_names {
using i64 = std::int64_t;
using Pair = std::array<i64, 2>;  // height, width
using autograd::Node;
using autograd::Op;
inline std::vector<i64> vec(const Pair& p) { return {p[0], p[1]}; }
}  // namespace conv_names

// "[1, 2]" for a list of sizes.
template <class C>
std::string list_str(const C& v) {
  return to_string(Shape(v.begin(), v.end()));
}

// The D values of a (one per spatial dim), else ValueError.
template <std::size_t D>
std::array<std::int64_t, D> values_of(const char* op, const char* what, const ExpandingArray<D>& a) {
  const auto& v = a.values();
  if (v.size() != D)
    throw ValueError(fmt::format("{}: {} needs one int or {} ints (one per spatial dim), got {} values {}", op, what, D,
                                 v.size(), list_str(v)));
  std::array<std::int64_t, D> out{};
  for (std::size_t i = 0; i < D; ++i) out[i] = v[i];
  return out;
}

// The values, each at least `min`, else ValueError.
template <std::size_t D>
std::array<std::int64_t, D> at_least(const char* op, const char* what, const ExpandingArray<D>& a, std::int64_t min) {
  const auto out = values_of(op, what, a);
  for (auto v : out)
    if (v < min)
      throw ValueError(fmt::format("{}: {} must be {}, got {}", op, what, min > 0 ? "positive" : "non-negative", list_str(out)));
  return out;
}

// The number of windows of k taps d apart, moved by s over `in` padded by p on each side (PyTorch's
// rule, rounding up when ceil_mode, the last window starting inside the input or left padding),
// or 0 when the dilated kernel is wider than the padded input. ValueError if a size overflows.
std::int64_t window_count(const char* op, std::int64_t in, std::int64_t k, std::int64_t s, std::int64_t p, std::int64_t d,
                          bool ceil_mode = false);

// Throws ValueError naming `op` when a tensor of `shape` could not be allocated.
void check_allocatable(const char* op, const Shape& shape, DType dtype);

// A 4-D (or, for the 1-d forms, 3-D) tensor, else ShapeError naming the layout.
void check_rank(const char* op, const Tensor& t, std::int64_t rank, const char* what, const char* layout);

}  // namespace xg::autograd
