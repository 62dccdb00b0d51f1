#pragma once
// fmt support: fmt::format("{}", tensor) and fmt::format("{}", shape).
#include <fmt/format.h>

#include "tensor/tensor.h"

template <>
struct fmt::formatter<xg::Tensor> : fmt::formatter<fmt::string_view> {
  auto format(const xg::Tensor& t, fmt::format_context& ctx) const {
    const std::string s = xg::to_string(t);
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(s), ctx);
  }
};

template <>
struct fmt::formatter<xg::Shape> : fmt::formatter<fmt::string_view> {
  auto format(const xg::Shape& sh, fmt::format_context& ctx) const {
    const std::string s = xg::to_string(sh);
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(s), ctx);
  }
};
