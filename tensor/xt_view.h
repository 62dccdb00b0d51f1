#pragma once
// Zero-copy xtensor views of a tensor's storage, for writing kernels as xtensor expressions
// (typically inside a custom autograd function, autodiff/function.h):
//   xg::Tensor y = xg::empty_like(x);
//   auto xv = xg::xt_view<float>(x);       // read-only view (const tensor)
//   auto yv = xg::xt_view<float>(y);       // writable view
//   yv = xv / (1.0f + xt::exp(-xv));       // runs on x's and y's memory, no copies
// The view has the tensor's shape and row-major strides and shares its storage: keep the tensor
// alive while the view is used. Writing through a view is not recorded by autograd; if another op
// may have saved the tensor for backward, call t.bump_version() after writing. Kept out of
// xgrad.h: including xtensor costs seconds of compile time (tensor/xtensor_interop.h copies instead).
#include <xtensor/xadapt.hpp>

#include <fmt/format.h>

#include <cstddef>
#include <vector>

#include "tensor/tensor.h"

namespace xg {

namespace detail {
void note_raw_view();  // counted, so a custom function can tell its backward used raw kernels

template <class T> std::vector<std::size_t> checked_view_shape(const Tensor& t) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::int64_t>,
                "xt_view: the element type must be float, double or std::int64_t");
  if (!t.defined()) throw ValueError("xt_view: the tensor is undefined");
  if (t.dtype() != dtype_v<T>)
    throw DTypeError(fmt::format("xt_view: the tensor is {}, the view asked for {}", dtype_name(t.dtype()),
                                 dtype_name(dtype_v<T>)));
  note_raw_view();
  return {t.shape().begin(), t.shape().end()};
}
}  // namespace detail

// A writable view of t's storage.
template <class T> auto xt_view(Tensor& t) {
  auto shape = detail::checked_view_shape<T>(t);
  return xt::adapt(t.data_ptr<T>(), static_cast<std::size_t>(t.numel()), xt::no_ownership(), shape);
}

// A read-only view of t's storage.
template <class T> auto xt_view(const Tensor& t) {
  auto shape = detail::checked_view_shape<T>(t);
  return xt::adapt(t.data_ptr<T>(), static_cast<std::size_t>(t.numel()), xt::no_ownership(), shape);
}

}  // namespace xg
