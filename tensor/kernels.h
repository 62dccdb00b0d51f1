#pragma once
// Internal numeric kernels on contiguous tensors. They know nothing of gradients; autodiff/
// wraps each one in a differentiable op. Callers have validated dtypes and shapes.
#include <optional>
#include <vector>

#include "tensor/tensor_impl.h"

namespace xg::kernel {

enum class Unary {
  Neg, Exp, Log, Log1p, Sqrt, Rsqrt, Abs, Sign, Sin, Cos, Tanh, Sigmoid, Relu, Erf,
  Reciprocal, Square, Heaviside  // Heaviside: 1 where x > 0 else 0 (relu's mask)
};
Tensor unary(Unary op, const Tensor& x);

// Element-wise maps with scalar parameters a, b.
enum class UnaryParam {
  PowScalar,   // x^a
  LeakyRelu,   // x > 0 ? x : a*x
  LeakySlope,  // x > 0 ? 1 : a
  Elu,         // x > 0 ? x : a*(exp(x)-1)
  Softplus,    // beta = a, threshold = b
  Gelu,        // exact, erf form
  Clamp,       // min = a, max = b (NaN bounds mean "none")
  ClampMask,   // 1 where a <= x <= b else 0
  AffineScalar // a*x + b
};
Tensor unary_param(UnaryParam op, const Tensor& x, double a, double b = 0);

enum class Binary { Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd };
// Broadcasting binary op; both operands have the same dtype. Comparisons give 1/0 in that dtype.
Tensor binary(Binary op, const Tensor& a, const Tensor& b);
// self = self (op) other, other broadcast to self's shape.
void binary_inplace(Binary op, Tensor& self, const Tensor& other);
void fill(Tensor& self, double v);
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor cast(const Tensor& x, DType d);
Tensor copy(const Tensor& x);

enum class Reduce { Sum, Prod, Max, Min, LogSumExp, AbsMax, AbsSum };
// Reduces over `dims` (already wrapped, unique); output keeps size-1 dims iff keepdim.
Tensor reduce(Reduce op, const Tensor& x, const std::vector<std::size_t>& dims, bool keepdim);
// Max/min along one dim with the int64 index of the first extreme value.
std::pair<Tensor, Tensor> reduce_arg(bool is_max, const Tensor& x, std::size_t dim, bool keepdim);
bool has_nonfinite(const Tensor& x);

// Shape kernels.
Tensor permute(const Tensor& x, const std::vector<std::size_t>& perm);
Tensor expand(const Tensor& x, const Shape& shape);
Tensor cat(const std::vector<Tensor>& xs, std::size_t dim);
Tensor narrow(const Tensor& x, std::size_t dim, std::int64_t start, std::int64_t length);
// Zeros of `shape` with `src` written into [start, start+len) along dim.
Tensor narrow_scatter(const Shape& shape, const Tensor& src, std::size_t dim, std::int64_t start);
Tensor index_select(const Tensor& x, std::size_t dim, const Tensor& index);
// Copy of self with src's slices added at index positions along dim.
Tensor index_add(const Tensor& self, std::size_t dim, const Tensor& index, const Tensor& src);
Tensor gather(const Tensor& x, std::size_t dim, const Tensor& index);
Tensor scatter_add(const Tensor& self, std::size_t dim, const Tensor& index, const Tensor& src);
Tensor one_hot(const Tensor& index, std::int64_t num_classes, DType dtype);

// C = op(A) @ op(B) over broadcast batch dims; op = transpose of the last two dims when set.
Tensor gemm(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b);

Tensor softmax(const Tensor& x, std::size_t dim, bool log);

}  // namespace xg::kernel
