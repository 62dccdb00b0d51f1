#pragma once
// Escape hatch to xtensor, kept out of xgrad.h so that users who do not need it do not pay for
// its compile time. Both directions copy the data.
//   xt::xarray<double> a = xg::to_xarray<double>(t);
//   xg::Tensor t2 = xg::from_xarray(a);
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>

#include "tensor/tensor.h"

namespace xg {

template <class T>
xt::xarray<T> to_xarray(const Tensor& t) {
  const std::vector<T> data = t.to_vector<T>();
  std::vector<std::size_t> shape(t.shape().begin(), t.shape().end());
  xt::xarray<T> out = xt::adapt(data, shape);
  return out;
}

template <class E>
Tensor from_xarray(const xt::xexpression<E>& e) {
  using T = typename E::value_type;
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::int64_t>,
                "from_xarray: element type must be float, double or int64_t");
  const xt::xarray<T> a = e.derived_cast();  // evaluates and makes it row-major contiguous
  std::vector<T> data(a.begin(), a.end());
  Shape s;
  for (auto d : a.shape()) s.push_back(static_cast<std::int64_t>(d));
  if constexpr (std::is_same_v<T, std::int64_t>) return from_vector(data, s);
  else return from_vector(data, s);
}

}  // namespace xg
