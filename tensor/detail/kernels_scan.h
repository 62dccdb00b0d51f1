#pragma once
// Internal kernels for the scans, sorting, scatter and search ops (autodiff/ops_scan_sort.cpp,
// ops_rearrange.cpp, ops_scatter_search.cpp). Callers have validated dims, dtypes and indices.
#include "tensor/detail/tensor_impl.h"

namespace xg::kernel {

// Running sum / product along dim (compute dtypes).
Tensor cumsum(const Tensor& x, std::size_t dim);
Tensor cumprod(const Tensor& x, std::size_t dim);
// int64 positions that sort each line along dim: stable (equal values keep their order), NaN
// counted larger than every number (last ascending, first descending), as PyTorch's stable sort.
Tensor sort_indices(const Tensor& x, std::size_t dim, bool descending);
// A copy of self with self.flat[offsets[i]] = src.flat[i], in order (the last write wins).
Tensor scatter_flat(const Tensor& self, const Tensor& offsets, const Tensor& src);
// [n, ndim] int64 coordinates of the nonzero elements, in row-major order.
Tensor nonzero(const Tensor& x);

}  // namespace xg::kernel
