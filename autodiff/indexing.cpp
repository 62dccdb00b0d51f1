// Indexing as LibTorch's Tensor::index / index_put_: a composition of select, slice, unsqueeze,
// reshape and index_select, so it is differentiable (and twice) without a rule of its own.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "autodiff/detail/checks.h"
#include "autodiff/detail/record.h"
#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"
#include "tensor/detail/kernels.h"

namespace xg {

using autograd::Op;
using indexing::TensorIndex;

Tensor select(const Tensor& x, std::int64_t dim, std::int64_t index, SourceLocation loc) {
  const Op op{"select", loc};
  autograd::check_defined(op.name, x);
  if (x.dim() == 0) throw IndexError(fmt::format("{}: cannot select from a zero-dimensional tensor", op.name));
  const std::size_t d = wrap_dim(op.name, dim, x.shape().size());
  const std::int64_t n = x.shape()[d];
  if (index < -n || index >= n)
    throw IndexError(fmt::format("{}: index {} is out of range for dim {} of size {} (shape {})", op.name, index, d, n,
                                 to_string(x.shape())));
  const std::int64_t i = index < 0 ? index + n : index;
  return squeeze(narrow(x, static_cast<std::int64_t>(d), i, 1, loc), static_cast<std::int64_t>(d), loc);
}

Tensor slice(const Tensor& x, std::int64_t dim, std::optional<std::int64_t> start, std::optional<std::int64_t> end,
             std::int64_t step, SourceLocation loc) {
  const Op op{"slice", loc};
  autograd::check_defined(op.name, x);
  if (x.dim() == 0) throw IndexError(fmt::format("{}: cannot slice a zero-dimensional tensor", op.name));
  if (step < 1) throw ValueError(fmt::format("{}: step must be at least 1, got {}", op.name, step));
  const std::size_t d = wrap_dim(op.name, dim, x.shape().size());
  const std::int64_t n = x.shape()[d];
  auto clampi = [n](std::int64_t v) { return std::clamp<std::int64_t>(v < 0 ? (v < -n ? 0 : v + n) : v, 0, n); };
  const std::int64_t s = clampi(start.value_or(0)), e = std::max(s, clampi(end.value_or(n)));
  if (step == 1) return narrow(x, static_cast<std::int64_t>(d), s, e - s, loc);
  std::vector<std::int64_t> picks;
  for (std::int64_t i = s; i < e; i += step) {
    picks.push_back(i);
    if (step > e - i) break;  // i + step would pass e (and might overflow)
  }
  return index_select(x, static_cast<std::int64_t>(d), from_vector(picks, Shape{static_cast<std::int64_t>(picks.size())}), loc);
}

namespace {

// dims of x that an index consumes (None: 0, a bool mask: its dims).
std::int64_t consumed_dims(const char* name, const TensorIndex& ix) {
  switch (ix.kind()) {
    case TensorIndex::Kind::Integer:
    case TensorIndex::Kind::Slice: return 1;
    case TensorIndex::Kind::Tensor:
      autograd::check_defined(name, ix.tensor());
      return ix.tensor().dtype() == kBool ? std::max<std::int64_t>(ix.tensor().dim(), 1) : 1;
    default: return 0;
  }
}

std::string describe(const std::vector<TensorIndex>& indices) {
  std::string s = "{";
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const auto& ix = indices[i];
    if (i) s += ", ";
    switch (ix.kind()) {
      case TensorIndex::Kind::None: s += "None"; break;
      case TensorIndex::Kind::Ellipsis: s += "..."; break;
      case TensorIndex::Kind::Integer: s += std::to_string(ix.integer()); break;
      case TensorIndex::Kind::Slice: s += "Slice"; break;
      case TensorIndex::Kind::Tensor:
        s += ix.tensor().defined() ? fmt::format("tensor {} {}", dtype_name(ix.tensor().dtype()), to_string(ix.tensor().shape()))
                                   : "undefined tensor";
        break;
    }
  }
  return s + "}";
}

Tensor index_impl(const char* name, const Tensor& x, const std::vector<TensorIndex>& indices, SourceLocation loc) {
  autograd::check_defined(name, x);
  std::int64_t consumed = 0, ellipses = 0, tensors = 0;
  for (const auto& ix : indices) {
    if (ix.bad_string()) throw ValueError(fmt::format("{}: the only string index is \"...\" (Ellipsis)", name));
    consumed += consumed_dims(name, ix);
    ellipses += ix.kind() == TensorIndex::Kind::Ellipsis;
    tensors += ix.kind() == TensorIndex::Kind::Tensor;
  }
  if (ellipses > 1) throw IndexError(fmt::format("{}: at most one Ellipsis per index, got {}", name, describe(indices)));
  if (consumed > x.dim())
    throw IndexError(fmt::format("{}: too many indices {} for a tensor of shape {}", name, describe(indices),
                                 to_string(x.shape())));
  // Several tensor indices pair up (broadcast together) as PyTorch's; xgrad takes them only side
  // by side and as int64, where PyTorch's result keeps them in place.
  std::size_t first_tensor = indices.size();
  for (std::size_t j = 0; j < indices.size(); ++j)
    if (indices[j].kind() == TensorIndex::Kind::Tensor) {
      first_tensor = std::min(first_tensor, j);
      const bool adjacent = j == first_tensor || indices[j - 1].kind() == TensorIndex::Kind::Tensor;
      if (tensors > 1 && (!adjacent || indices[j].tensor().dtype() == kBool))
        throw ValueError(fmt::format("{}: several tensor indices must be int64 and side by side, got {}", name,
                                     describe(indices)));
    }
  Tensor r = x;
  std::int64_t d = 0;
  for (std::size_t j = 0; j < indices.size(); ++j) {
    const auto& ix = indices[j];
    switch (ix.kind()) {
      case TensorIndex::Kind::None: r = unsqueeze(r, d++, loc); break;
      case TensorIndex::Kind::Ellipsis: d += x.dim() - consumed; break;
      case TensorIndex::Kind::Integer: {
        const std::int64_t n = r.size(d);
        if (ix.integer() < -n || ix.integer() >= n)
          throw IndexError(fmt::format("{}: index {} is out of range for dim {} of size {} (shape {})", name, ix.integer(),
                                       d, n, to_string(x.shape())));
        r = select(r, d, ix.integer(), loc);
        break;
      }
      case TensorIndex::Kind::Slice: {
        const auto& s = ix.slice();
        if (s.step() < 1) throw ValueError(fmt::format("{}: a Slice step must be at least 1, got {}", name, s.step()));
        r = slice(r, d++, s.start(), s.stop(), s.step(), loc);
        break;
      }
      case TensorIndex::Kind::Tensor: {
        const Tensor& t = ix.tensor();
        if (t.dtype() == kBool) {
          // A mask over dims d .. d+k-1 (a 0-d mask adds a dim of size 1 or 0, as PyTorch).
          const Tensor mask = t.dim() == 0 ? reshape(t, Shape{1}) : t;
          if (t.dim() == 0) r = unsqueeze(r, d, loc);
          const auto k = static_cast<std::size_t>(mask.dim());
          const Shape& rs = r.shape();
          bool fits = true;
          for (std::size_t j = 0; j < k; ++j) fits = fits && rs[static_cast<std::size_t>(d) + j] == mask.shape()[j];
          if (!fits)
            throw IndexError(fmt::format("{}: mask of shape {} does not match the indexed dims of shape {} from dim {}",
                                         name, to_string(mask.shape()), to_string(rs), d));
          Shape merged;
          for (std::size_t j = 0; j < rs.size(); ++j) {
            if (j == static_cast<std::size_t>(d)) merged.push_back(mask.numel());
            else if (j < static_cast<std::size_t>(d) || j >= static_cast<std::size_t>(d) + k) merged.push_back(rs[j]);
          }
          std::vector<std::int64_t> picks;
          const bool* pm = static_cast<const bool*>(mask.raw_data());
          for (std::int64_t i = 0, n = mask.numel(); i < n; ++i)
            if (pm[i]) picks.push_back(i);
          r = index_select(reshape(r, merged, loc), d++, from_vector(picks, Shape{static_cast<std::int64_t>(picks.size())}), loc);
        } else {
          // The group of int64 index tensors starting here, over dims d .. d+k-1: their broadcast
          // positions become flat offsets into those dims merged into one.
          std::vector<const Tensor*> group;
          for (std::size_t g = j; g < indices.size() && indices[g].kind() == TensorIndex::Kind::Tensor; ++g) {
            const Tensor& gt = indices[g].tensor();
            if (gt.dtype() != kInt64)
              throw DTypeError(fmt::format("{}: a tensor index must have dtype int64 or bool, got {}", name,
                                           dtype_name(gt.dtype())));
            group.push_back(&gt);
          }
          Shape bshape = group[0]->shape();
          for (const Tensor* g : group) bshape = broadcast_shapes(name, bshape, g->shape());
          const std::size_t k = group.size();
          const Shape& rs = r.shape();
          std::vector<std::int64_t> flat(static_cast<std::size_t>(bshape.numel()), 0);
          std::int64_t block = 1;
          for (std::size_t g = k; g-- > 0;) {
            const std::size_t dim = static_cast<std::size_t>(d) + g;
            const std::int64_t n = rs[dim];
            const Tensor e = group[g]->shape() == bshape ? *group[g] : kernel::expand(*group[g], bshape);
            const auto* pe = static_cast<const std::int64_t*>(e.raw_data());
            for (std::size_t i = 0; i < flat.size(); ++i) {
              std::int64_t p = pe[i];
              if (p < -n || p >= n)
                throw IndexError(fmt::format("{}: index {} is out of range for dim {} of size {} (shape {})", name, p, dim,
                                             n, to_string(x.shape())));
              flat[i] += (p < 0 ? p + n : p) * block;
            }
            block *= n;
          }
          Shape merged, out;
          for (std::size_t q = 0; q < rs.size(); ++q) {
            const bool inside = q >= static_cast<std::size_t>(d) && q < static_cast<std::size_t>(d) + k;
            if (q == static_cast<std::size_t>(d)) merged.push_back(block);
            if (q == static_cast<std::size_t>(d))
              for (auto e : bshape) out.push_back(e);
            if (!inside) {
              merged.push_back(rs[q]);
              out.push_back(rs[q]);
            }
          }
          const Tensor src = k == 1 ? r : reshape(r, merged, loc);
          r = reshape(index_select(src, d, from_vector(flat, Shape{static_cast<std::int64_t>(flat.size())}), loc), out, loc);
          d += static_cast<std::int64_t>(bshape.size());
          j += k - 1;
        }
        break;
      }
    }
  }
  return r;
}

}  // namespace

Tensor index(const Tensor& x, const std::vector<TensorIndex>& indices, SourceLocation loc) {
  const Op op{"index", loc};
  return index_impl(op.name, x, indices, loc);
}

namespace detail {
// x with the indexed elements set to v (broadcast); the last of repeated positions wins.
Tensor index_put_named(const char* name, const Tensor& x, const std::vector<TensorIndex>& indices, const Tensor& v0,
                       SourceLocation loc) {
  autograd::check_defined(name, x);
  autograd::check_defined(name, v0);
  Tensor pos;
  {
    NoGradGuard ng;
    pos = index_impl(name, arange(0, static_cast<double>(x.numel()), 1, kInt64).reshape(x.shape()), indices, loc);
  }
  if (!(broadcast_shapes(name, v0.shape(), pos.shape()) == pos.shape()))
    throw ShapeError(fmt::format("{}: values of shape {} cannot be broadcast to the indexed shape {}", name,
                                 to_string(v0.shape()), to_string(pos.shape())));
  const Tensor v = v0.dtype() == x.dtype() ? v0 : to_dtype(v0, x.dtype(), loc);
  const Tensor vb = v.shape() == pos.shape() ? v : expand(v, pos.shape(), loc);
  // Unique positions, each with the flat index of the value that wins it.
  const auto positions = pos.to_vector<std::int64_t>();
  std::unordered_map<std::int64_t, std::int64_t> winner;
  for (std::size_t j = 0; j < positions.size(); ++j) winner[positions[j]] = static_cast<std::int64_t>(j);
  std::vector<std::int64_t> upos, from;
  for (std::size_t j = 0; j < positions.size(); ++j)
    if (winner[positions[j]] == static_cast<std::int64_t>(j)) {
      upos.push_back(positions[j]);
      from.push_back(static_cast<std::int64_t>(j));
    }
  const bool record = GradMode::is_enabled() && (x.requires_grad() || vb.requires_grad());
  if (!record) {
    Tensor out = kernel::copy(x);
    const std::size_t es = dtype_size(x.dtype());
    auto* po = static_cast<unsigned char*>(out.raw_data());
    const auto* ps = static_cast<const unsigned char*>(vb.raw_data());  // contiguous, pos's shape
    for (std::size_t j = 0; j < upos.size(); ++j)
      std::memcpy(po + static_cast<std::size_t>(upos[j]) * es, ps + static_cast<std::size_t>(from[j]) * es, es);
    return out;
  }
  const auto n = static_cast<std::int64_t>(upos.size());
  const Tensor upos_t = from_vector(upos, Shape{n});
  Tensor values = reshape(vb, Shape{-1}, loc);
  if (n != values.numel()) values = index_select(values, 0, from_vector(from, Shape{n}), loc);
  const Tensor flat = reshape(x, Shape{-1}, loc);
  Tensor mask = zeros(Shape{x.numel()}, kBool);
  for (auto p : upos) static_cast<bool*>(mask.raw_data())[p] = true;
  const Tensor scattered = index_add(zeros_like(flat), 0, upos_t, values, loc);
  return reshape(where(mask, scattered, flat, loc), x.shape(), loc);
}
}  // namespace detail

Tensor index_put(const Tensor& x, const std::vector<TensorIndex>& indices, const Tensor& v, SourceLocation loc) {
  const Op op{"index_put", loc};
  return detail::index_put_named(op.name, x, indices, v, loc);
}

std::vector<Tensor> chunk(const Tensor& x, std::int64_t chunks, std::int64_t dim, SourceLocation loc) {
  const Op op{"chunk", loc};
  autograd::check_defined(op.name, x);
  if (chunks < 1) throw ValueError(fmt::format("{}: chunks must be at least 1, got {}", op.name, chunks));
  if (x.dim() == 0) throw IndexError(fmt::format("{}: cannot chunk a zero-dimensional tensor", op.name));
  const std::int64_t n = x.size(dim);
  const std::int64_t size = n / chunks + (n % chunks != 0);  // ceil without overflow
  return split(x, std::max<std::int64_t>(size, 1), dim, loc);
}

std::vector<Tensor> split(const Tensor& x, std::int64_t split_size, std::int64_t dim, SourceLocation loc) {
  const Op op{"split", loc};
  autograd::check_defined(op.name, x);
  if (split_size < 1) throw ValueError(fmt::format("{}: split_size must be at least 1, got {}", op.name, split_size));
  if (x.dim() == 0) throw IndexError(fmt::format("{}: cannot split a zero-dimensional tensor", op.name));
  const std::size_t d = wrap_dim(op.name, dim, x.shape().size());
  const std::int64_t n = x.shape()[d];
  std::vector<Tensor> parts;
  for (std::int64_t start = 0; start < n; start += std::min(split_size, n - start))
    parts.push_back(narrow(x, static_cast<std::int64_t>(d), start, std::min(split_size, n - start), loc));
  if (parts.empty()) parts.push_back(x);
  return parts;
}

// ----- Tensor methods -----
std::vector<Tensor> Tensor::chunk(std::int64_t chunks, std::int64_t dim) const { return xg::chunk(*this, chunks, dim); }
std::vector<Tensor> Tensor::split(std::int64_t size, std::int64_t dim) const { return xg::split(*this, size, dim); }
Tensor Tensor::operator[](const Tensor& index) const { return xg::index(*this, {indexing::TensorIndex(index)}); }
Tensor Tensor::operator[](std::int64_t i) const { return xg::select(*this, 0, i); }
Tensor Tensor::index(std::initializer_list<TensorIndex> indices, SourceLocation loc) const {
  return xg::index(*this, std::vector<TensorIndex>(indices), loc);
}
Tensor Tensor::index(const std::vector<TensorIndex>& indices, SourceLocation loc) const { return xg::index(*this, indices, loc); }
Tensor Tensor::select(std::int64_t dim, std::int64_t i, SourceLocation loc) const { return xg::select(*this, dim, i, loc); }
Tensor Tensor::slice(std::int64_t dim, std::optional<std::int64_t> start, std::optional<std::int64_t> end, std::int64_t step,
                     SourceLocation loc) const {
  return xg::slice(*this, dim, start, end, step, loc);
}

}  // namespace xg
