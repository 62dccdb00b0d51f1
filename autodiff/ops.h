#pragma once
// Every differentiable op. Each is defined once (autodiff/ops_*.cpp): a tensor/ kernel for the
// forward and a derivative rule written with these same ops, so create_graph=true gives higher
// derivatives. The trailing `loc` parameter records the caller's line for DetectAnomalyGuard and
// to_dot; never pass it yourself.
#include <optional>
#include <tuple>
#include <vector>

#include "tensor/indexing.h"
#include "tensor/tensor.h"

namespace xg {

// ----- element-wise, broadcasting like NumPy/PyTorch -----
Tensor neg(const Tensor& x, XG_HERE);
Tensor add(const Tensor& a, const Tensor& b, XG_HERE);
Tensor sub(const Tensor& a, const Tensor& b, XG_HERE);
Tensor mul(const Tensor& a, const Tensor& b, XG_HERE);
Tensor div(const Tensor& a, const Tensor& b, XG_HERE);
Tensor add(const Tensor& a, double b, XG_HERE);
Tensor sub(const Tensor& a, double b, XG_HERE);
Tensor sub(double a, const Tensor& b, XG_HERE);
Tensor mul(const Tensor& a, double b, XG_HERE);
Tensor div(const Tensor& a, double b, XG_HERE);
Tensor div(double a, const Tensor& b, XG_HERE);
Tensor pow(const Tensor& x, double exponent, XG_HERE);
Tensor pow(const Tensor& x, const Tensor& exponent, XG_HERE);
Tensor pow(double base, const Tensor& exponent, XG_HERE);
Tensor square(const Tensor& x, XG_HERE);
// exp log log1p sqrt rsqrt reciprocal sin cos erf tanh sigmoid relu gelu silu: one line each in
// autodiff/unary_ops.def (kernel and derivative), declared here as Tensor name(const Tensor& x).
#define XG_UNARY(name, ...) Tensor name(const Tensor& x, XG_HERE);
#include "autodiff/unary_ops.def"
#undef XG_UNARY
Tensor abs(const Tensor& x, XG_HERE);
Tensor sign(const Tensor& x, XG_HERE);  // gradient is zero
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01, XG_HERE);
Tensor elu(const Tensor& x, double alpha = 1.0, XG_HERE);
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0, XG_HERE);
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max, XG_HERE);
Tensor maximum(const Tensor& a, const Tensor& b, XG_HERE);  // ties split the gradient evenly
Tensor minimum(const Tensor& a, const Tensor& b, XG_HERE);
// Elements of a where cond != 0, else of b. cond may have any dtype (kBool as a rule); a and b
// any dtype, the same, or one of them kBool (taken as 0/1).
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, XG_HERE);
Tensor where(const Tensor& cond, const Tensor& a, double b, XG_HERE);
Tensor where(const Tensor& cond, double a, const Tensor& b, XG_HERE);
// Rounding; the gradient is zero, as PyTorch's.
Tensor floor(const Tensor& x, XG_HERE);
Tensor ceil(const Tensor& x, XG_HERE);
Tensor round(const Tensor& x, XG_HERE);  // half to even
// x with `value` where mask (kBool, broadcast to x's shape) is true; value a number or a 0-d
// tensor (differentiable in x and in a tensor value).
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value, XG_HERE);
Tensor masked_fill(const Tensor& x, const Tensor& mask, const Tensor& value, XG_HERE);
// The elements of x where mask (kBool, broadcastable with x) is true, as a 1-D tensor.
Tensor masked_select(const Tensor& x, const Tensor& mask, XG_HERE);

// Comparisons give kBool masks (any dtypes; one operand may be kBool, compared as 0/1); masks
// carry no gradient. The operators (x > 0, x == y, ...) are the same functions.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, double b);
Tensor ne(const Tensor& a, double b);
Tensor lt(const Tensor& a, double b);
Tensor le(const Tensor& a, double b);
Tensor gt(const Tensor& a, double b);
Tensor ge(const Tensor& a, double b);
// Logic on any dtype (nonzero is true), giving kBool.
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_xor(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& a);
Tensor isnan(const Tensor& x);
Tensor isfinite(const Tensor& x);
// Whether any / all elements are nonzero: a 0-d kBool, or kBool reduced along dim.
Tensor any(const Tensor& x);
Tensor any(const Tensor& x, std::int64_t dim, bool keepdim = false);
Tensor all(const Tensor& x);
Tensor all(const Tensor& x, std::int64_t dim, bool keepdim = false);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, double b);
Tensor operator!=(const Tensor& a, double b);
Tensor operator<(const Tensor& a, double b);
Tensor operator<=(const Tensor& a, double b);
Tensor operator>(const Tensor& a, double b);
Tensor operator>=(const Tensor& a, double b);
Tensor operator==(double a, const Tensor& b);
Tensor operator!=(double a, const Tensor& b);
Tensor operator<(double a, const Tensor& b);
Tensor operator<=(double a, const Tensor& b);
Tensor operator>(double a, const Tensor& b);
Tensor operator>=(double a, const Tensor& b);
Tensor operator&(const Tensor& a, const Tensor& b);  // logical on kBool, as LibTorch's bitwise ops on masks
Tensor operator|(const Tensor& a, const Tensor& b);
Tensor operator^(const Tensor& a, const Tensor& b);
Tensor operator~(const Tensor& a);
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8);
bool equal(const Tensor& a, const Tensor& b);  // same shape, dtype and values

// Arithmetic operators; the right operand carries the user's line (TensorOperand, ScalarOperand
// in tensor/tensor.h).
Tensor operator-(TensorOperand x);  // -x, naming the user's line
Tensor operator+(const Tensor& a, TensorOperand b);
Tensor operator-(const Tensor& a, TensorOperand b);
Tensor operator*(const Tensor& a, TensorOperand b);
Tensor operator/(const Tensor& a, TensorOperand b);
Tensor operator+(const Tensor& a, ScalarOperand b);
Tensor operator-(const Tensor& a, ScalarOperand b);
Tensor operator*(const Tensor& a, ScalarOperand b);
Tensor operator/(const Tensor& a, ScalarOperand b);
Tensor operator+(double a, TensorOperand b);
Tensor operator-(double a, TensorOperand b);
Tensor operator*(double a, TensorOperand b);
Tensor operator/(double a, TensorOperand b);

// ----- reductions (dims may be negative; empty dims = all) -----
Tensor sum(const Tensor& x, XG_HERE);
Tensor sum(const Tensor& x, Dims dims, bool keepdim = false, XG_HERE);
Tensor mean(const Tensor& x, XG_HERE);
Tensor mean(const Tensor& x, Dims dims, bool keepdim = false, XG_HERE);
Tensor var(const Tensor& x, XG_HERE);  // unbiased, over all elements; var(x, {}, false) for biased
Tensor var(const Tensor& x, Dims dims, bool unbiased = true, bool keepdim = false, XG_HERE);
Tensor std(const Tensor& x, XG_HERE);
Tensor std(const Tensor& x, Dims dims, bool unbiased = true, bool keepdim = false, XG_HERE);
Tensor prod(const Tensor& x, XG_HERE);
Tensor prod(const Tensor& x, std::int64_t dim, bool keepdim = false, XG_HERE);
Tensor logsumexp(const Tensor& x, Dims dims, bool keepdim = false, XG_HERE);
// p = 1, 2 or INFINITY.
Tensor norm(const Tensor& x, double p = 2, XG_HERE);
Tensor norm(const Tensor& x, double p, Dims dims, bool keepdim = false, XG_HERE);
Tensor max(const Tensor& x, XG_HERE);  // ties share the gradient evenly
Tensor min(const Tensor& x, XG_HERE);
// Max / min over dims (all when empty); ties share the gradient evenly, as torch.amax.
Tensor amax(const Tensor& x, Dims dims, bool keepdim = false, XG_HERE);
Tensor amin(const Tensor& x, Dims dims, bool keepdim = false, XG_HERE);
// (values, int64 indices of the first extreme element); the gradient goes to that index.
std::tuple<Tensor, Tensor> max(const Tensor& x, std::int64_t dim, bool keepdim = false, XG_HERE);
std::tuple<Tensor, Tensor> min(const Tensor& x, std::int64_t dim, bool keepdim = false, XG_HERE);
Tensor argmax(const Tensor& x, std::int64_t dim, bool keepdim = false);
Tensor argmin(const Tensor& x, std::int64_t dim, bool keepdim = false);

// ----- shape -----
Tensor reshape(const Tensor& x, const Shape& shape, XG_HERE);  // one dim may be -1; shares storage
Tensor view(const Tensor& x, const Shape& shape, XG_HERE);
Tensor flatten(const Tensor& x, std::int64_t start_dim = 0, std::int64_t end_dim = -1, XG_HERE);
Tensor transpose(const Tensor& x, std::int64_t dim0, std::int64_t dim1, XG_HERE);
Tensor t(const Tensor& x, XG_HERE);  // 2-D transpose
Tensor permute(const Tensor& x, std::vector<std::int64_t> dims, XG_HERE);
Tensor squeeze(const Tensor& x, XG_HERE);
Tensor squeeze(const Tensor& x, std::int64_t dim, XG_HERE);
Tensor unsqueeze(const Tensor& x, std::int64_t dim, XG_HERE);
Tensor expand(const Tensor& x, const Shape& shape, XG_HERE);  // -1 keeps a dim
Tensor broadcast_to(const Tensor& x, const Shape& shape, XG_HERE);
// Sums x down to `shape` (the reverse of broadcasting): the gradient of a broadcast.
Tensor sum_to(const Tensor& x, const Shape& shape, XG_HERE);
Tensor cat(const std::vector<Tensor>& xs, std::int64_t dim = 0, XG_HERE);
Tensor stack(const std::vector<Tensor>& xs, std::int64_t dim = 0, XG_HERE);
Tensor narrow(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t length, XG_HERE);
// Pieces along dim: `chunks` nearly equal ones (the last may be smaller), or ones of split_size.
std::vector<Tensor> chunk(const Tensor& x, std::int64_t chunks, std::int64_t dim = 0, XG_HERE);
std::vector<Tensor> split(const Tensor& x, std::int64_t split_size, std::int64_t dim = 0, XG_HERE);
// Elements [start, end) along dim (negative values count from the end; clamped like Python).
Tensor slice(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t end, XG_HERE);
// Zeros of `shape` with `src` at [start, start + src.size(dim)) along dim (narrow's adjoint).
Tensor narrow_scatter(const Shape& shape, const Tensor& src, std::int64_t dim, std::int64_t start, XG_HERE);
// The index ops take int64 indices in [0, size) of dim; a negative index is an IndexError.
Tensor index_select(const Tensor& x, std::int64_t dim, const Tensor& index, XG_HERE);
// A copy of self with src's slices added at index positions along dim (index_select's adjoint).
Tensor index_add(const Tensor& self, std::int64_t dim, const Tensor& index, const Tensor& src, XG_HERE);
Tensor gather(const Tensor& x, std::int64_t dim, const Tensor& index, XG_HERE);
Tensor scatter_add(const Tensor& self, std::int64_t dim, const Tensor& index, const Tensor& src, XG_HERE);
// x[index] along dim, the dim removed (index may be negative).
Tensor select(const Tensor& x, std::int64_t dim, std::int64_t index, XG_HERE);
// Elements start, start + step, ... below end of dim (optional bounds clamped as Python's; step >= 1).
Tensor slice(const Tensor& x, std::int64_t dim, std::optional<std::int64_t> start, std::optional<std::int64_t> end,
             std::int64_t step, XG_HERE);
// x.index({...}) and the out-of-place form of x.index_put_({...}, v) (see tensor/indexing.h).
Tensor index(const Tensor& x, const std::vector<indexing::TensorIndex>& indices, XG_HERE);
Tensor index_put(const Tensor& x, const std::vector<indexing::TensorIndex>& indices, const Tensor& v, XG_HERE);
Tensor one_hot(const Tensor& index, std::int64_t num_classes = -1, DType dtype = kInt64);

// ----- linear algebra -----
// 1-D·1-D, 2-D, 1-D with 2-D, and batched N-D with broadcast batch dims, as torch.matmul.
Tensor matmul(const Tensor& a, const Tensor& b, XG_HERE);
Tensor mm(const Tensor& a, const Tensor& b, XG_HERE);
Tensor dot(const Tensor& a, const Tensor& b, XG_HERE);  // 1-D · 1-D
// op(a) @ op(b) where op transposes the last two dims when its flag is set (no copy is made).
Tensor gemm(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b, XG_HERE);
// x @ weight^T + bias with weight [out, in], as torch.nn.functional.linear.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, XG_HERE);

// ----- neural-network primitives -----
Tensor softmax(const Tensor& x, std::int64_t dim, XG_HERE);
Tensor log_softmax(const Tensor& x, std::int64_t dim, XG_HERE);

// ----- conversion -----
Tensor to_dtype(const Tensor& x, DType dtype, XG_HERE);  // differentiable between float dtypes
Tensor clone(const Tensor& x, XG_HERE);

}  // namespace xg
#include "autodiff/ops_conv.h"  // convolution, pooling, unfold/fold, pad
#include "autodiff/ops_reorder.h"  // scans, sort/topk, flip/roll/repeat, tril/triu, scatter, nonzero
