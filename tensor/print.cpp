// Printing in PyTorch's style, truncated with "..." beyond 1000 elements.
#include <fmt/format.h>

#include <ostream>

#include "tensor/detail/tensor_impl.h"

namespace xg {

namespace {

constexpr std::int64_t kSummarizeAbove = 1000;
constexpr std::int64_t kEdgeItems = 3;

template <class T>
void print_dim(std::string& out, const T* p, const Shape& s, std::size_t d, std::int64_t offset, bool summarize,
               std::size_t indent) {
  const auto st = contiguous_strides(s);
  if (s.empty()) {
    if constexpr (std::is_same_v<T, std::uint8_t>) out += fmt::format("{}", static_cast<int>(p[0]));
    else if constexpr (std::is_integral_v<T>) out += fmt::format("{}", p[0]);
    else out += fmt::format("{:.4f}", p[0]);
    return;
  }
  out += '[';
  const std::int64_t n = s[d];
  for (std::int64_t i = 0; i < n; ++i) {
    if (summarize && n > 2 * kEdgeItems && i == kEdgeItems) {
      out += d + 1 == s.size() ? "..., " : fmt::format("...,\n{:{}}", "", indent + d + 1);
      i = n - kEdgeItems;
    }
    const std::int64_t off = offset + i * st[d];
    if (d + 1 == s.size()) {
      if constexpr (std::is_same_v<T, std::uint8_t>) out += fmt::format("{}", static_cast<int>(p[off]));
      else if constexpr (std::is_integral_v<T>) out += fmt::format("{}", p[off]);
      else out += fmt::format("{:.4f}", p[off]);
    } else {
      print_dim(out, p, s, d + 1, off, summarize, indent);
    }
    if (i + 1 < n) out += d + 1 == s.size() ? ", " : fmt::format(",\n{:{}}", "", indent + d + 1);
  }
  out += ']';
}

}  // namespace

std::string to_string(const Tensor& t) {
  if (!t.defined()) return "tensor(undefined)";
  std::string out = "tensor(";
  dispatch_all(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    print_dim(out, static_cast<const T*>(t.raw_data()), t.shape(), 0, 0, t.numel() > kSummarizeAbove, 7);
  });
  out += fmt::format(", shape={}, dtype={}", to_string(t.shape()), dtype_name(t.dtype()));
  if (t.impl()->grad_fn) out += fmt::format(", grad_fn=<{}>", t.grad_fn_name());
  else if (t.requires_grad()) out += ", requires_grad=true";
  out += ')';
  return out;
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << to_string(t); }

}  // namespace xg
