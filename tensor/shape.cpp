#include "tensor/shape.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tensor/errors.h"

namespace xg {

void Shape::push_back(std::int64_t v) {
  if (n_ == kMaxDims)
    throw ShapeError(fmt::format("Shape: at most {} dimensions are supported", kMaxDims));
  d_[n_++] = v;
}

void Shape::insert(std::size_t pos, std::int64_t v) {
  push_back(0);
  for (std::size_t i = n_ - 1; i > pos; --i) d_[i] = d_[i - 1];
  d_[pos] = v;
}

void Shape::erase(std::size_t pos) {
  for (std::size_t i = pos; i + 1 < n_; ++i) d_[i] = d_[i + 1];
  --n_;
}

std::string to_string(const Shape& s) { return fmt::format("[{}]", fmt::join(s, ", ")); }

std::array<std::int64_t, Shape::kMaxDims> contiguous_strides(const Shape& s) {
  std::array<std::int64_t, Shape::kMaxDims> st{};
  std::int64_t acc = 1;
  for (std::size_t i = s.size(); i-- > 0;) {
    st[i] = acc;
    acc *= s[i];
  }
  return st;
}

Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b) {
  if (a == b) return a;
  std::size_t n = std::max(a.size(), b.size());
  Shape out;
  for (std::size_t i = 0; i < n; ++i) {
    std::int64_t da = i + a.size() >= n ? a[i + a.size() - n] : 1;
    std::int64_t db = i + b.size() >= n ? b[i + b.size() - n] : 1;
    if (da != db && da != 1 && db != 1)
      throw ShapeError(fmt::format("{}: shapes {} and {} cannot be broadcast together (dim {}: {} vs {})",
                                   op, to_string(a), to_string(b), i, da, db));
    out.push_back(da == 1 ? db : da);
  }
  return out;
}

std::size_t wrap_dim(const char* op, std::int64_t dim, std::size_t ndim) {
  auto n = static_cast<std::int64_t>(ndim);
  std::int64_t lo = n == 0 ? -1 : -n, hi = n == 0 ? 0 : n - 1;
  if (dim < lo || dim > hi)
    throw IndexError(fmt::format("{}: dim {} is out of range for a tensor with {} dimension(s) (expected {} to {})",
                                 op, dim, ndim, lo, hi));
  return static_cast<std::size_t>(dim < 0 ? dim + std::max<std::int64_t>(n, 1) : dim);
}

}  // namespace xg
