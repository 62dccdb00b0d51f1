#pragma once
// Internal: how many raw views (xg::xt_view) this thread has made, so a custom autograd function
// can tell that its backward computed with raw kernels (autodiff/function.cpp).
#include <cstdint>

namespace xg {
std::uint64_t raw_view_count();
}  // namespace xg
