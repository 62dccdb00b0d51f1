#pragma once
// Internal numeric kernels on contiguous tensors. They know nothing of gradients; autodiff/
// wraps each one in a differentiable op. Callers have validated dtypes and shapes. The
// element-wise maps and reductions are templates instantiated with the op's own scalar
// function: tensor/detail/elementwise.h and tensor/detail/reduce.h.
#include <optional>
#include <vector>

#include "tensor/detail/tensor_impl.h"

namespace xg::kernel {

void fill(Tensor& self, double v);
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
// ValueError naming op, before any allocation, when a float value does not fit an int64 result.
Tensor cast(const Tensor& x, DType d, const char* op = "to");
Tensor copy(const Tensor& x);

// log(sum(exp(x))) over `dims` (wrapped, unique), shifted by the max for stability. The other
// reductions are kernel::reduce<SumOp> etc. (tensor/detail/reduce.h).
Tensor logsumexp(const Tensor& x, const std::vector<std::size_t>& dims, bool keepdim);
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
