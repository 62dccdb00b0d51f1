// flip, roll, repeat, tril, triu and unbind: compositions of index_select, where and select, so
// they are differentiable to any order without rules of their own.
#include <algorithm>

#include "autodiff/detail/checks.h"
#include "autodiff/detail/record.h"
#include "autodiff/ops.h"

namespace xg {

using autograd::Op;

namespace {

Tensor positions(const std::vector<std::int64_t>& v) { return from_vector(v, Shape{static_cast<std::int64_t>(v.size())}); }

// Wrapped dims, each at most once.
std::vector<std::size_t> unique_dims(const char* op, const Tensor& x, const std::vector<std::int64_t>& dims) {
  std::vector<std::size_t> out;
  for (auto d : dims) {
    const std::size_t w = wrap_dim(op, d, x.shape().size());
    if (std::find(out.begin(), out.end(), w) != out.end())
      throw ValueError(fmt::format("{}: dim {} appears more than once in dims", op, d));
    out.push_back(w);
  }
  return out;
}

// x with the lower (keep_lower) or upper triangle of its last two dims kept, relative to diagonal k.
Tensor triangle(const char* name, bool keep_lower, const Tensor& x, std::int64_t k, SourceLocation loc) {
  const Op op{name, loc};
  autograd::check_defined(op.name, x);
  if (x.dim() < 2)
    throw ShapeError(fmt::format("{}: expects a tensor with at least 2 dims, got shape {}", op.name, to_string(x.shape())));
  const std::int64_t rows = x.size(-2), cols = x.size(-1);
  Tensor mask = zeros({rows, cols}, kBool);
  bool* pm = static_cast<bool*>(mask.raw_data());
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j) pm[i * cols + j] = keep_lower ? j - i <= k : j - i >= k;
  return where(mask, x, autograd::scalar_like(x, 0), loc);
}

}  // namespace

Tensor flip(const Tensor& x, Dims dims_in, SourceLocation loc) {
  const Op op{"flip", loc};
  autograd::check_defined(op.name, x);
  const auto dims = unique_dims(op.name, x, dims_in);
  if (x.dim() == 0) return clone(x, loc);
  Tensor r = x;
  for (auto d : dims) {
    const std::int64_t n = x.shape()[d];
    std::vector<std::int64_t> idx(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) idx[static_cast<std::size_t>(i)] = n - 1 - i;
    r = index_select(r, static_cast<std::int64_t>(d), positions(idx), loc);
  }
  return dims.empty() ? clone(x, loc) : r;
}

Tensor roll(const Tensor& x, Dims shifts_in, Dims dims_in, SourceLocation loc) {
  const Op op{"roll", loc};
  autograd::check_defined(op.name, x);
  const std::vector<std::int64_t>& shifts = shifts_in;
  const std::vector<std::int64_t>& dims = dims_in;
  if (dims.empty()) {
    if (shifts.size() != 1)
      throw ValueError(fmt::format("{}: without dims, shifts must hold one value, got {} values", op.name, shifts.size()));
    return reshape(roll(reshape(x, {-1}, loc), shifts, {0}, loc), x.shape(), loc);
  }
  if (shifts.size() != dims.size())
    throw ValueError(fmt::format("{}: shifts and dims must have the same length, got {} shifts and {} dims", op.name,
                                 shifts.size(), dims.size()));
  std::vector<std::size_t> wrapped;
  for (auto d : dims) wrapped.push_back(wrap_dim(op.name, d, x.shape().size()));
  if (x.dim() == 0) return clone(x, loc);
  Tensor r = x;
  for (std::size_t j = 0; j < wrapped.size(); ++j) {
    const std::int64_t n = x.shape()[wrapped[j]];
    if (n == 0) continue;
    const std::int64_t s = ((shifts[j] % n) + n) % n;  // in [0, n); no overflow for any shift
    std::vector<std::int64_t> idx(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) idx[static_cast<std::size_t>(i)] = i >= s ? i - s : i - s + n;
    r = index_select(r, static_cast<std::int64_t>(wrapped[j]), positions(idx), loc);
  }
  return r.is_same(x) ? clone(x, loc) : r;
}

Tensor repeat(const Tensor& x, Dims sizes_in, SourceLocation loc) {
  const Op op{"repeat", loc};
  autograd::check_defined(op.name, x);
  const std::vector<std::int64_t>& sizes = sizes_in;
  const auto sz = [&] {
    std::string s;
    for (std::size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + std::to_string(sizes[i]);
    return "[" + s + "]";
  };
  if (sizes.size() < x.shape().size())
    throw ShapeError(fmt::format("{}: sizes {} have fewer entries than the tensor has dims (shape {})", op.name, sz(),
                                 to_string(x.shape())));
  if (sizes.size() > Shape::kMaxDims)
    throw ShapeError(fmt::format("{}: sizes {} have more than {} entries, the most dims a tensor can have", op.name, sz(),
                                 Shape::kMaxDims));
  Shape lead, out;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] < 0) throw ValueError(fmt::format("{}: sizes {} hold the negative size {}", op.name, sz(), sizes[i]));
    const std::size_t off = sizes.size() - x.shape().size();
    const std::int64_t have = i < off ? 1 : x.shape()[i - off];
    lead.push_back(have);
    std::int64_t total = 0;
    if (__builtin_mul_overflow(have, sizes[i], &total))
      throw ShapeError(fmt::format("{}: sizes {} of shape {} overflow int64 in dim {}", op.name, sz(), to_string(x.shape()), i));
    out.push_back(total);
  }
  checked_numel(out, x.dtype(), op.name);
  Tensor r = reshape(x, lead, loc);
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == 1) continue;
    std::vector<std::int64_t> idx(static_cast<std::size_t>(out[i]));
    for (std::int64_t j = 0; j < out[i]; ++j) idx[static_cast<std::size_t>(j)] = j % lead[i];
    r = index_select(r, static_cast<std::int64_t>(i), positions(idx), loc);
  }
  return r.is_same(x) ? clone(x, loc) : r;
}

Tensor tril(const Tensor& x, std::int64_t k, SourceLocation loc) { return triangle("tril", true, x, k, loc); }
Tensor triu(const Tensor& x, std::int64_t k, SourceLocation loc) { return triangle("triu", false, x, k, loc); }

std::vector<Tensor> unbind(const Tensor& x, std::int64_t dim, SourceLocation loc) {
  const Op op{"unbind", loc};
  autograd::check_defined(op.name, x);
  if (x.dim() == 0) throw IndexError(fmt::format("{}: cannot unbind a zero-dimensional tensor", op.name));
  const std::size_t d = wrap_dim(op.name, dim, x.shape().size());
  std::vector<Tensor> parts;
  for (std::int64_t i = 0; i < x.shape()[d]; ++i) parts.push_back(select(x, static_cast<std::int64_t>(d), i, loc));
  return parts;
}

// ----- Tensor methods -----
Tensor Tensor::flip(Dims dims, SourceLocation loc) const { return xg::flip(*this, std::move(dims), loc); }
Tensor Tensor::roll(Dims shifts, Dims dims, SourceLocation loc) const { return xg::roll(*this, std::move(shifts), std::move(dims), loc); }
Tensor Tensor::repeat(Dims sizes, SourceLocation loc) const { return xg::repeat(*this, std::move(sizes), loc); }
Tensor Tensor::tril(std::int64_t k, SourceLocation loc) const { return xg::tril(*this, k, loc); }
Tensor Tensor::triu(std::int64_t k, SourceLocation loc) const { return xg::triu(*this, k, loc); }
std::vector<Tensor> Tensor::unbind(std::int64_t dim, SourceLocation loc) const { return xg::unbind(*this, dim, loc); }

}  // namespace xg
