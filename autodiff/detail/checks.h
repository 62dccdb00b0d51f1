#pragma once
// Internal: argument checks shared by the ops. They run before any work, so a failed call
// changes nothing; messages name the op and the offending dtypes, shapes or values.
#include <fmt/format.h>

#include "tensor/detail/tensor_impl.h"

namespace xg::autograd {

inline void check_defined(const char* op, const Tensor& t) {
  if (!t.defined()) throw ValueError(fmt::format("{}: got an undefined (default-constructed) tensor", op));
}

inline void check_float(const char* op, const Tensor& t) {
  check_defined(op, t);
  if (!is_floating(t.dtype()))
    throw DTypeError(fmt::format("{}: expected a floating-point tensor (float32 or float64), got {} with shape {}", op,
                                 dtype_name(t.dtype()), to_string(t.shape())));
}

// For derivative rules: 1/0 in the operands' dtype (they multiply gradients by it), where the
// public comparisons give kBool.
Tensor eq_values(const Tensor& a, const Tensor& b);
Tensor gt_values(const Tensor& a, const Tensor& b);
Tensor lt_values(const Tensor& a, const Tensor& b);

inline void check_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  check_defined(op, a);
  check_defined(op, b);
  if (a.dtype() != b.dtype())
    throw DTypeError(fmt::format("{}: dtypes differ: {} (shape {}) and {} (shape {}); convert one with .to(...)", op,
                                 dtype_name(a.dtype()), to_string(a.shape()), dtype_name(b.dtype()), to_string(b.shape())));
}

inline void check_index(const char* op, const Tensor& index) {
  check_defined(op, index);
  if (index.dtype() != kInt64)
    throw DTypeError(fmt::format("{}: index must have dtype int64, got {}", op, dtype_name(index.dtype())));
}

// All index values in [0, n): index_select, index_add, gather and scatter_add take no negative
// index (as PyTorch's gather and scatter_add), so one rule holds for every index op.
void check_index_range(const char* op, const Tensor& index, std::int64_t n, std::size_t dim);

// A 0-d tensor holding v, with t's dtype (ValueError naming op when v does not fit an int64 t).
inline Tensor scalar_like(const Tensor& t, double v, const char* op = "scalar") {
  check_representable(op, t.dtype(), v);
  Tensor s = make_tensor({}, t.dtype());
  dispatch_all(t.dtype(), [&](auto tag) { *data_of<decltype(tag)>(s) = static_cast<decltype(tag)>(v); });
  return s;
}

}  // namespace xg::autograd
