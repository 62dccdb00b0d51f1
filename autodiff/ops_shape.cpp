// Shape and indexing ops. reshape/view share storage; the others copy.
#include <algorithm>

#include "autodiff/detail/checks.h"
#include "autodiff/ops.h"
#include "autodiff/detail/record.h"
#include "tensor/detail/reduce.h"
#include "tensor/detail/kernels.h"

namespace xg {

using autograd::Node;
using autograd::Op;

namespace autograd {
void check_index_range(const char* op, const Tensor& index, std::int64_t n, std::size_t dim) {
  const auto* p = data_of<std::int64_t>(index);
  for (std::int64_t i = 0; i < index.numel(); ++i)
    if (p[i] < 0 || p[i] >= n)
      throw IndexError(fmt::format("{}: index {} is out of range for dim {} of size {} (indices must be in [0, {}))", op,
                                   p[i], dim, n, n));
}
}  // namespace autograd

namespace {

Shape infer_shape(const char* op, const Tensor& x, const Shape& want) {
  Shape s = want;
  std::int64_t known = 1;
  int infer = -1;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == -1) {
      if (infer >= 0) throw ShapeError(fmt::format("{}: only one dimension can be -1, got {}", op, to_string(want)));
      infer = static_cast<int>(i);
    } else if (s[i] < 0) {
      throw ShapeError(fmt::format("{}: invalid size {} in shape {}", op, s[i], to_string(want)));
    } else if (__builtin_mul_overflow(known, s[i], &known)) {
      known = INT64_MAX;  // no tensor has that many elements (a later 0 still makes it 0)
    }
  }
  if (infer >= 0) {
    if (known == 0 || x.numel() % known != 0)
      throw ShapeError(fmt::format("{}: cannot reshape a tensor of shape {} ({} elements) into {}", op,
                                   to_string(x.shape()), x.numel(), to_string(want)));
    s[static_cast<std::size_t>(infer)] = x.numel() / known;
  } else if (known != x.numel()) {
    throw ShapeError(fmt::format("{}: cannot reshape a tensor of shape {} ({} elements) into {} ({} elements)", op,
                                 to_string(x.shape()), x.numel(), to_string(want), known));
  }
  return s;
}

std::vector<std::size_t> check_perm(const char* op, const Tensor& x, const std::vector<std::int64_t>& dims) {
  const std::size_t nd = x.shape().size();
  if (dims.size() != nd)
    throw ShapeError(fmt::format("{}: got {} dims for a tensor of shape {}", op, dims.size(), to_string(x.shape())));
  std::vector<std::size_t> perm;
  for (auto d : dims) {
    const std::size_t w = wrap_dim(op, d, nd);
    if (std::find(perm.begin(), perm.end(), w) != perm.end())
      throw ValueError(fmt::format("{}: dim {} repeats; dims must be a permutation of 0..{}", op, d, nd - 1));
    perm.push_back(w);
  }
  return perm;
}

}  // namespace

Tensor reshape(const Tensor& x, const Shape& want, SourceLocation loc) {
  const Op op{"reshape", loc};
  autograd::check_defined(op.name, x);
  const Shape s = infer_shape(op.name, x, want);
  if (s == x.shape() && !x.requires_grad()) return x;
  Tensor out = op.record(alias_with_shape(x, s), {&x}, {}, [in = x.shape()](Node&, const Tensor& g) {
    return reshape(g, in);
  });
  autograd::note_alias(x, out);
  return out;
}
Tensor view(const Tensor& x, const Shape& s, SourceLocation loc) { return reshape(x, s, loc); }

Tensor flatten(const Tensor& x, std::int64_t start, std::int64_t end, SourceLocation loc) {
  autograd::check_defined("flatten", x);
  const std::size_t s = wrap_dim("flatten", start, x.shape().size()), e = wrap_dim("flatten", end, x.shape().size());
  if (x.dim() == 0) return reshape(x, {1}, loc);
  if (s > e) throw ValueError(fmt::format("flatten: start_dim {} comes after end_dim {}", start, end));
  Shape out;
  std::int64_t merged = 1;
  for (std::size_t d = 0; d < x.shape().size(); ++d) {
    if (d < s || d > e) out.push_back(x.shape()[d]);
    else {
      merged *= x.shape()[d];
      if (d == e) out.push_back(merged);
    }
  }
  return reshape(x, out, loc);
}

Tensor permute(const Tensor& x, std::vector<std::int64_t> dims, SourceLocation loc) {
  const Op op{"permute", loc};
  autograd::check_defined(op.name, x);
  const auto perm = check_perm(op.name, x, dims);
  std::vector<std::int64_t> inverse(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = static_cast<std::int64_t>(i);
  return op.record(kernel::permute(x, perm), {&x}, {}, [inverse](Node&, const Tensor& g) {
    return permute(g, inverse);
  });
}

Tensor transpose(const Tensor& x, std::int64_t d0, std::int64_t d1, SourceLocation loc) {
  autograd::check_defined("transpose", x);
  const std::size_t nd = x.shape().size();
  const std::size_t a = wrap_dim("transpose", d0, nd), b = wrap_dim("transpose", d1, nd);
  if (nd == 0) return x;
  std::vector<std::int64_t> dims(nd);
  for (std::size_t i = 0; i < nd; ++i) dims[i] = static_cast<std::int64_t>(i);
  std::swap(dims[a], dims[b]);
  return permute(x, dims, loc);
}

Tensor t(const Tensor& x, SourceLocation loc) {
  autograd::check_defined("t", x);
  if (x.dim() > 2) throw ShapeError(fmt::format("t: expects a tensor with at most 2 dims, got shape {}", to_string(x.shape())));
  return x.dim() < 2 ? x : transpose(x, 0, 1, loc);
}

Tensor squeeze(const Tensor& x, SourceLocation loc) {
  autograd::check_defined("squeeze", x);
  Shape s;
  for (auto d : x.shape())
    if (d != 1) s.push_back(d);
  return reshape(x, s, loc);
}

Tensor squeeze(const Tensor& x, std::int64_t dim, SourceLocation loc) {
  autograd::check_defined("squeeze", x);
  const std::size_t d = wrap_dim("squeeze", dim, x.shape().size());
  if (x.dim() == 0) return x;
  if (x.shape()[d] != 1) return x;
  Shape s = x.shape();
  s.erase(d);
  return reshape(x, s, loc);
}

Tensor unsqueeze(const Tensor& x, std::int64_t dim, SourceLocation loc) {
  autograd::check_defined("unsqueeze", x);
  const std::size_t d = wrap_dim("unsqueeze", dim, x.shape().size() + 1);
  Shape s = x.shape();
  s.insert(d, 1);
  return reshape(x, s, loc);
}

namespace {
// expand and broadcast_to, each named as the user called it.
Tensor expand_named(const char* name, const Tensor& x, const Shape& want, SourceLocation loc) {
  const Op op{name, loc};
  autograd::check_defined(op.name, x);
  const Shape& xs = x.shape();
  if (want.size() < xs.size())
    throw ShapeError(fmt::format("{}: target {} has fewer dims than the tensor's shape {}", op.name, to_string(want), to_string(xs)));
  Shape s = want;
  const std::size_t off = want.size() - xs.size();
  for (std::size_t i = 0; i < want.size(); ++i) {
    const std::int64_t have = i >= off ? xs[i - off] : 1;
    if (s[i] == -1 && i >= off) s[i] = have;
    if (s[i] < 0 || (have != 1 && have != s[i]))
      throw ShapeError(fmt::format("{}: cannot expand shape {} to {} (dim {}: {} vs {})", op.name, to_string(xs), to_string(want), i, have, s[i]));
  }
  if (s == xs) return x;
  checked_numel(s, x.dtype(), op.name);
  return op.record(kernel::expand(x, s), {&x}, {}, [](Node&, const Tensor& g) {
    return g;  // the engine sums it back to x's shape
  });
}
}  // namespace

Tensor expand(const Tensor& x, const Shape& want, SourceLocation loc) { return expand_named("expand", x, want, loc); }
Tensor broadcast_to(const Tensor& x, const Shape& s, SourceLocation loc) { return expand_named("broadcast_to", x, s, loc); }

Tensor sum_to(const Tensor& x, const Shape& shape, SourceLocation loc) {
  const Op op{"sum_to", loc};
  autograd::check_defined(op.name, x);
  if (x.shape() == shape) return x;
  const Shape& xs = x.shape();
  if (shape.size() > xs.size())
    throw ShapeError(fmt::format("{}: cannot sum shape {} down to the larger rank {}", op.name, to_string(xs), to_string(shape)));
  const std::size_t lead = xs.size() - shape.size();
  std::vector<std::size_t> dims;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (i < lead) dims.push_back(i);
    else if (shape[i - lead] == 1 && xs[i] != 1) dims.push_back(i);
    else if (shape[i - lead] != xs[i])
      throw ShapeError(fmt::format("{}: shape {} does not broadcast to {}", op.name, to_string(shape), to_string(xs)));
  }
  Tensor out = alias_with_shape(kernel::reduce<kernel::SumOp>(x, dims, true), shape);
  return op.record(out, {&x}, {}, [xs](Node&, const Tensor& g) { return expand(g, xs); });
}

namespace {
// cat, and stack after it unsqueezed its inputs, each named as the user called it.
Tensor cat_named(const char* name, const std::vector<Tensor>& xs, std::int64_t dim, SourceLocation loc) {
  const Op op{name, loc};
  if (xs.empty()) throw ValueError(fmt::format("{}: expected a non-empty list of tensors", op.name));
  for (const auto& x : xs) autograd::check_same_dtype(op.name, xs.front(), x);
  const Shape& s0 = xs.front().shape();
  if (s0.empty()) throw ShapeError(fmt::format("{}: zero-dimensional tensors cannot be concatenated; unsqueeze them or use stack", op.name));
  const std::size_t d = wrap_dim(op.name, dim, s0.size());
  std::vector<std::int64_t> offsets{0};  // where each input starts along d
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const Shape& s = xs[i].shape();
    bool ok = s.size() == s0.size();
    for (std::size_t k = 0; ok && k < s.size(); ++k) ok = k == d || s[k] == s0[k];
    if (!ok)
      throw ShapeError(fmt::format("{}: tensor {} has shape {}, which does not match {} outside dim {}", op.name, i, to_string(s),
                                   to_string(s0), d));
    std::int64_t next = 0;
    if (__builtin_add_overflow(offsets.back(), s[d], &next))
      throw ShapeError(fmt::format("{}: the {} tensors' sizes along dim {} add up to more than int64 can hold", op.name,
                                   xs.size(), d));
    offsets.push_back(next);
  }
  Shape out = s0;
  out[d] = offsets.back();
  checked_numel(out, xs.front().dtype(), op.name);
  return op.record_many(kernel::cat(xs, d), xs, [d, offsets](Node&, const Tensor& g, std::size_t i) {
    return narrow(g, static_cast<std::int64_t>(d), offsets[i], offsets[i + 1] - offsets[i]);
  });
}
}  // namespace

Tensor cat(const std::vector<Tensor>& xs, std::int64_t dim, SourceLocation loc) { return cat_named("cat", xs, dim, loc); }

Tensor stack(const std::vector<Tensor>& xs, std::int64_t dim, SourceLocation loc) {
  if (xs.empty()) throw ValueError("stack: expected a non-empty list of tensors");
  for (std::size_t i = 0; i < xs.size(); ++i) {
    autograd::check_same_dtype("stack", xs.front(), xs[i]);
    if (!(xs[i].shape() == xs.front().shape()))
      throw ShapeError(fmt::format("stack: all tensors need the same shape; tensor 0 is {}, tensor {} is {}",
                                   to_string(xs.front().shape()), i, to_string(xs[i].shape())));
  }
  const std::size_t d = wrap_dim("stack", dim, xs.front().shape().size() + 1);
  std::vector<Tensor> parts;
  parts.reserve(xs.size());
  for (const auto& x : xs) parts.push_back(unsqueeze(x, static_cast<std::int64_t>(d), loc));
  return cat_named("stack", parts, static_cast<std::int64_t>(d), loc);
}

Tensor narrow(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t length, SourceLocation loc) {
  const Op op{"narrow", loc};
  autograd::check_defined(op.name, x);
  if (x.dim() == 0) throw ShapeError(fmt::format("{}: cannot narrow a zero-dimensional tensor", op.name));
  const std::size_t d = wrap_dim(op.name, dim, x.shape().size());
  const std::int64_t n = x.shape()[d];
  // A negative start counts from the end; nothing here computes start + length, which may overflow.
  const std::int64_t from = start < 0 && start >= -n ? start + n : start;
  if (from < 0 || from > n || length < 0 || length > n - from) {
    std::int64_t end = 0;
    const std::string range = __builtin_add_overflow(start, length, &end)
                                  ? fmt::format("start {}, length {}", start, length)
                                  : fmt::format("[{}, {})", start, end);
    throw IndexError(fmt::format("{}: range {} (start {}, length {}) is outside dim {} of size {} (shape {})", op.name, range,
                                 start, length, d, n, to_string(x.shape())));
  }
  start = from;
  return op.record(kernel::narrow(x, d, start, length), {&x}, {}, [s = x.shape(), d, start](Node&, const Tensor& g) {
    return narrow_scatter(s, g, static_cast<std::int64_t>(d), start);
  });
}

Tensor slice(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t end, SourceLocation loc) {
  autograd::check_defined("slice", x);
  if (x.dim() == 0) throw ShapeError("slice: cannot slice a zero-dimensional tensor");
  const std::size_t d = wrap_dim("slice", dim, x.shape().size());
  const std::int64_t n = x.shape()[d];
  auto clampi = [n](std::int64_t v) { return std::clamp<std::int64_t>(v < 0 ? v + n : v, 0, n); };
  const std::int64_t s = clampi(start), e = std::max(s, clampi(end));
  return narrow(x, static_cast<std::int64_t>(d), s, e - s, loc);
}

Tensor narrow_scatter(const Shape& shape, const Tensor& src, std::int64_t dim, std::int64_t start, SourceLocation loc) {
  const Op op{"narrow_scatter", loc};
  autograd::check_defined(op.name, src);
  const std::size_t d = wrap_dim(op.name, dim, shape.size());
  bool ok = src.shape().size() == shape.size() && start >= 0 && start <= shape[d] && src.shape()[d] <= shape[d] - start;
  for (std::size_t k = 0; ok && k < shape.size(); ++k) ok = k == d || src.shape()[k] == shape[k];
  if (!ok)
    throw ShapeError(fmt::format("{}: source of shape {} does not fit into {} at offset {} of dim {}", op.name,
                                 to_string(src.shape()), to_string(shape), start, d));
  return op.record(kernel::narrow_scatter(shape, src, d, start), {&src}, {},
                [d, start, len = src.shape()[d]](Node&, const Tensor& g) {
                  return narrow(g, static_cast<std::int64_t>(d), start, len);
                });
}

Tensor index_select(const Tensor& x, std::int64_t dim, const Tensor& index, SourceLocation loc) {
  const Op op{"index_select", loc};
  autograd::check_defined(op.name, x);
  autograd::check_index(op.name, index);
  if (index.dim() > 1) throw ShapeError(fmt::format("{}: index must be 0-d or 1-d, got shape {}", op.name, to_string(index.shape())));
  if (x.dim() == 0) throw ShapeError(fmt::format("{}: cannot index a zero-dimensional tensor", op.name));
  const std::size_t d = wrap_dim(op.name, dim, x.shape().size());
  autograd::check_index_range(op.name, index, x.shape()[d], d);
  const Tensor idx = index.dim() == 0 ? reshape(index, {1}) : index;
  return op.record(kernel::index_select(x, d, idx), {&x}, {&idx}, [s = x.shape(), d](Node& n, const Tensor& g) {
    return index_add(zeros(s, g.dtype()), static_cast<std::int64_t>(d), n.saved_value(0), g);
  });
}

namespace detail {
// index_add and scatter_add, named as the user called them (also index_add_, scatter_add_).
Tensor index_add_named(const char* name, const Tensor& self, std::int64_t dim, const Tensor& index, const Tensor& src,
                       SourceLocation loc) {
  const Op op{name, loc};
  autograd::check_same_dtype(op.name, self, src);
  autograd::check_index(op.name, index);
  const std::size_t d = wrap_dim(op.name, dim, self.shape().size());
  Shape want = self.shape();
  want[d] = index.numel();
  if (index.dim() > 1 || !(src.shape() == want))
    throw ShapeError(fmt::format("{}: source shape {} must be {} for self {} and {} indices", op.name, to_string(src.shape()),
                                 to_string(want), to_string(self.shape()), index.numel()));
  autograd::check_index_range(op.name, index, self.shape()[d], d);
  return op.record(kernel::index_add(self, d, index, src), {&self, &src}, {&index}, 
                   [](Node&, const Tensor& g) { return g; },
                   [d](Node& n, const Tensor& g) { return index_select(g, static_cast<std::int64_t>(d), n.saved_value(0)); });
}
}  // namespace detail

Tensor index_add(const Tensor& self, std::int64_t dim, const Tensor& index, const Tensor& src, SourceLocation loc) {
  return detail::index_add_named("index_add", self, dim, index, src, loc);
}

namespace {
void check_gather_shapes(const char* op, const Tensor& x, std::size_t d, const Tensor& index) {
  bool ok = index.shape().size() == x.shape().size();
  for (std::size_t k = 0; ok && k < index.shape().size(); ++k) ok = k == d || index.shape()[k] <= x.shape()[k];
  if (!ok)
    throw ShapeError(fmt::format("{}: index shape {} must have the same rank as {} and not exceed it outside dim {}", op,
                                 to_string(index.shape()), to_string(x.shape()), d));
  autograd::check_index_range(op, index, x.shape()[d], d);
}
}  // namespace

Tensor gather(const Tensor& x, std::int64_t dim, const Tensor& index, SourceLocation loc) {
  const Op op{"gather", loc};
  autograd::check_defined(op.name, x);
  autograd::check_index(op.name, index);
  const std::size_t d = wrap_dim(op.name, dim, x.shape().size());
  check_gather_shapes(op.name, x, d, index);
  return op.record(kernel::gather(x, d, index), {&x}, {&index}, [s = x.shape(), d](Node& n, const Tensor& g) {
    return scatter_add(zeros(s, g.dtype()), static_cast<std::int64_t>(d), n.saved_value(0), g);
  });
}

namespace detail {
Tensor scatter_add_named(const char* name, const Tensor& self, std::int64_t dim, const Tensor& index, const Tensor& src,
                         SourceLocation loc) {
  const Op op{name, loc};
  autograd::check_same_dtype(op.name, self, src);
  autograd::check_index(op.name, index);
  const std::size_t d = wrap_dim(op.name, dim, self.shape().size());
  if (!(src.shape() == index.shape()))
    throw ShapeError(fmt::format("{}: src shape {} must equal index shape {}", op.name, to_string(src.shape()), to_string(index.shape())));
  check_gather_shapes(op.name, self, d, index);
  return op.record(kernel::scatter_add(self, d, index, src), {&self, &src}, {&index}, 
                   [](Node&, const Tensor& g) { return g; },
                   [d](Node& n, const Tensor& g) { return gather(g, static_cast<std::int64_t>(d), n.saved_value(0)); });
}
}  // namespace detail

Tensor scatter_add(const Tensor& self, std::int64_t dim, const Tensor& index, const Tensor& src, SourceLocation loc) {
  return detail::scatter_add_named("scatter_add", self, dim, index, src, loc);
}

Tensor one_hot(const Tensor& index, std::int64_t num_classes, DType dtype) {
  autograd::check_index("one_hot", index);
  if (num_classes < -1)
    throw ValueError(fmt::format("one_hot: num_classes must be -1 (infer it) or non-negative, got {}", num_classes));
  const auto* p = data_of<std::int64_t>(index);
  std::int64_t mx = -1;
  for (std::int64_t i = 0; i < index.numel(); ++i) {
    if (p[i] < 0) throw IndexError(fmt::format("one_hot: class index {} is negative", p[i]));
    mx = std::max(mx, p[i]);
  }
  if (index.dim() == static_cast<std::int64_t>(Shape::kMaxDims))
    throw ShapeError(fmt::format("one_hot: index of shape {} already has the most dimensions a tensor can have ({})",
                                 to_string(index.shape()), Shape::kMaxDims));
  if (num_classes < 0 && mx == INT64_MAX)
    throw IndexError(fmt::format("one_hot: class index {} leaves no num_classes to infer", mx));
  if (num_classes < 0) num_classes = mx + 1;
  if (mx >= num_classes)
    throw IndexError(fmt::format("one_hot: class index {} is out of range for num_classes = {}", mx, num_classes));
  Shape out = index.shape();
  out.push_back(num_classes);
  checked_numel(out, dtype, "one_hot");
  return kernel::one_hot(index, num_classes, dtype);
}

Tensor clone(const Tensor& x, SourceLocation loc) {
  const Op op{"clone", loc};
  autograd::check_defined(op.name, x);
  return op.record(kernel::copy(x), {&x}, {}, [](Node&, const Tensor& g) { return g; });
}

Tensor to_dtype(const Tensor& x, DType dtype, SourceLocation loc) {
  const Op op{"to", loc};
  autograd::check_defined(op.name, x);
  if (x.dtype() == dtype) return x;
  Tensor out = kernel::cast(x, dtype);
  if (!is_floating(dtype)) return out;  // int64 results never carry gradients
  return op.record(out, {&x}, {}, [from = x.dtype()](Node&, const Tensor& g) { return to_dtype(g, from); });
}

}  // namespace xg
