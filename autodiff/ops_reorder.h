#pragma once
// Scans, sorting, rearranging, scatter and search ops, with LibTorch's names and defaults
// (autodiff/ops_scan_sort.cpp, ops_rearrange.cpp, ops_scatter_search.cpp). Dims may be negative.
#include <optional>
#include <tuple>
#include <vector>

#include "tensor/tensor.h"

namespace xg {

// ----- scans (float32, float64, int64) -----
Tensor cumsum(const Tensor& x, std::int64_t dim, XG_HERE);
// Its gradient is exact where x has zeros, as PyTorch's: a line holding a zero builds an R×R
// block (R = the line's length) of products that leave out one element each.
Tensor cumprod(const Tensor& x, std::int64_t dim, XG_HERE);

// ----- rearranging (any dtype; differentiable; copies) -----
Tensor flip(const Tensor& x, Dims dims, XG_HERE);
// Elements shifted along each of dims by the matching shift, wrapping around; with no dims, along
// the flattened tensor (shifts then holds one value).
Tensor roll(const Tensor& x, Dims shifts, Dims dims = {}, XG_HERE);
// x tiled sizes[i] times along dim i; sizes may have more entries than x has dims (new leading dims).
Tensor repeat(const Tensor& x, Dims sizes, XG_HERE);
// The lower / upper triangle of the last two dims (at and below / above diagonal k), zeros elsewhere.
Tensor tril(const Tensor& x, std::int64_t diagonal = 0, XG_HERE);
Tensor triu(const Tensor& x, std::int64_t diagonal = 0, XG_HERE);
// The slices x.select(dim, i), i = 0 .. size - 1.
std::vector<Tensor> unbind(const Tensor& x, std::int64_t dim = 0, XG_HERE);

// ----- sorting (float32, float64, int64) -----
// (values, int64 indices) along dim. Always stable (LibTorch's stable=true): equal values keep
// their order, in both directions. NaN sorts as the largest value, as PyTorch. The values are
// differentiable: the gradient goes back to where each value came from.
std::tuple<Tensor, Tensor> sort(const Tensor& x, std::int64_t dim = -1, bool descending = false, XG_HERE);
std::tuple<Tensor, Tensor> sort(const Tensor& x, std::optional<bool> stable, std::int64_t dim = -1,
                                bool descending = false, XG_HERE);
Tensor argsort(const Tensor& x, std::int64_t dim = -1, bool descending = false);
// The k largest (or smallest) along dim, in sorted order whatever `sorted` says (ties: the lower
// index first; NaN counts as the largest). 0 <= k <= x.size(dim).
std::tuple<Tensor, Tensor> topk(const Tensor& x, std::int64_t k, std::int64_t dim = -1, bool largest = true,
                                bool sorted = true, XG_HERE);

// ----- scatter (differentiable in self and src) -----
// A copy of self with self[index[i][j]][j] = src[i][j] along dim (0: rows; and so on). index is int64
// with src's shape, at most self's size outside dim; repeated positions: the last one wins, and every
// src element that targets it gets its gradient (as PyTorch's gather).
Tensor scatter(const Tensor& self, std::int64_t dim, const Tensor& index, const Tensor& src, XG_HERE);
Tensor scatter(const Tensor& self, std::int64_t dim, const Tensor& index, double value, XG_HERE);
// A copy of self with the slices at index (int64, 0-d or 1-d) along dim set to value.
Tensor index_fill(const Tensor& self, std::int64_t dim, const Tensor& index, double value, XG_HERE);

// ----- search (any dtype; never differentiable) -----
// [n, x.dim()] int64 coordinates of the nonzero elements, in row-major order (argwhere is the same).
Tensor nonzero(const Tensor& x);
Tensor argwhere(const Tensor& x);
// torch::where(condition): one 1-D int64 tensor of coordinates per dim of condition.
std::vector<Tensor> where(const Tensor& condition);
// kBool: |a - b| <= atol + rtol * |b|, broadcasting; equal infinities are close, NaN only with
// equal_nan. a and b have the same dtype.
Tensor isclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false);

}  // namespace xg
