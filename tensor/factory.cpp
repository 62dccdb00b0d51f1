#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <type_traits>

#include "tensor/detail/kernels.h"
#include "tensor/random.h"

namespace xg {

namespace {

// Checked first by every factory that takes options: only float tensors can require grad.
void check_options(const char* op, const TensorOptions& opt) {
  detail::check_cpu(op, opt.device_);
  if (opt.requires_grad_ && !is_floating(opt.dtype_))
    throw DTypeError(fmt::format("{}: requires_grad needs a floating dtype (float32 or float64), got {}", op,
                                 dtype_name(opt.dtype_)));
}

Tensor finish(Tensor t, const TensorOptions& opt) {
  if (opt.requires_grad_) t.requires_grad_(true);
  return t;
}

template <class V>
Tensor from_values(const V& values, const Shape& shape, DType d) {
  if (static_cast<std::int64_t>(values.size()) != checked_numel(shape, d, "tensor"))
    throw ShapeError(fmt::format("tensor: {} values do not fill shape {} ({} elements)", values.size(), to_string(shape),
                                 shape.numel()));
  if constexpr (std::is_floating_point_v<typename V::value_type>)
    for (auto v : values) check_representable("tensor", d, static_cast<double>(v));
  Tensor t = make_tensor(shape, d);
  dispatch_all(d, [&](auto tag) {
    using T = decltype(tag);
    T* p = data_of<T>(t);
    std::size_t i = 0;
    for (auto v : values) p[i++] = static_cast<T>(v);
  });
  return t;
}

Tensor filled(const char* op, const Shape& shape, double value, TensorOptions opt) {
  check_options(op, opt);
  check_representable(op, opt.dtype_, value);
  Tensor t = make_tensor(shape, opt.dtype_, op);
  kernel::fill(t, value);
  return finish(t, opt);
}

Generator& gen_or_default(Generator* g) { return g ? *g : default_generator(); }

void check_float(const char* op, DType d) {
  if (!is_floating(d)) throw DTypeError(fmt::format("{}: needs a floating dtype (float32 or float64), got {}", op, dtype_name(d)));
}

}  // namespace

Tensor detail::tensor_1d(const std::vector<double>& values, TensorOptions opt) {
  check_options("tensor", opt);
  return finish(from_values(values, Shape{static_cast<std::int64_t>(values.size())}, opt.dtype_), opt);
}
Tensor tensor(std::initializer_list<detail::Number> values, TensorOptions opt) {
  std::vector<double> v;
  v.reserve(values.size());
  for (const auto& n : values) v.push_back(n.value);
  return detail::tensor_1d(v, opt);
}

Tensor tensor(std::initializer_list<std::initializer_list<double>> rows, TensorOptions opt) {
  check_options("tensor", opt);
  const std::size_t cols = rows.size() ? rows.begin()->size() : 0;
  std::vector<double> flat;
  for (const auto& r : rows) {
    if (r.size() != cols)
      throw ShapeError(fmt::format("tensor: ragged rows ({} and {} values); every row needs the same length", cols, r.size()));
    flat.insert(flat.end(), r.begin(), r.end());
  }
  return finish(from_values(flat, Shape{static_cast<std::int64_t>(rows.size()), static_cast<std::int64_t>(cols)}, opt.dtype_), opt);
}

Tensor from_vector(const std::vector<float>& data, const Shape& shape, bool rg) {
  return finish(from_values(data, shape, kFloat32), TensorOptions().requires_grad(rg));
}
Tensor from_vector(const std::vector<double>& data, const Shape& shape, bool rg) {
  return finish(from_values(data, shape, kFloat64), TensorOptions().requires_grad(rg));
}
Tensor from_vector(const std::vector<std::int64_t>& data, const Shape& shape) { return from_values(data, shape, kInt64); }
Tensor from_vector(const std::vector<std::int32_t>& data, const Shape& shape) { return from_values(data, shape, kInt32); }
Tensor from_vector(const std::vector<std::uint8_t>& data, const Shape& shape) { return from_values(data, shape, kUInt8); }
Tensor from_vector(const std::vector<bool>& data, const Shape& shape) { return from_values(data, shape, kBool); }

Tensor from_blob(void* data, const Shape& shape, TensorOptions opt) { return from_blob(data, shape, nullptr, opt); }
Tensor from_blob(void* data, const Shape& shape, std::function<void(void*)> deleter, TensorOptions opt) {
  check_options("from_blob", opt);
  const std::int64_t n = checked_numel(shape, opt.dtype_, "from_blob");
  if (data == nullptr && n > 0)
    throw ValueError(fmt::format("from_blob: data is a null pointer for shape {} ({} elements)", to_string(shape), n));
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(data, static_cast<std::size_t>(n) * dtype_size(opt.dtype_), std::move(deleter));
  impl->shape = shape;
  impl->numel = n;
  impl->dtype = opt.dtype_;
  return finish(Tensor(std::move(impl)), opt);
}

Tensor scalar_tensor(double v, TensorOptions opt) { return full({}, v, opt); }
Tensor empty(const Shape& shape, TensorOptions opt) {
  check_options("empty", opt);
  return finish(make_tensor(shape, opt.dtype_, "empty"), opt);
}
Tensor zeros(const Shape& shape, TensorOptions opt) { return filled("zeros", shape, 0, opt); }
Tensor ones(const Shape& shape, TensorOptions opt) { return filled("ones", shape, 1, opt); }
Tensor full(const Shape& shape, double value, TensorOptions opt) { return filled("full", shape, value, opt); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype()); }
Tensor full_like(const Tensor& t, double value) { return full(t.shape(), value, t.dtype()); }
Tensor empty_like(const Tensor& t) { return empty(t.shape(), t.dtype()); }
Tensor zeros_like(const Tensor& t, TensorOptions opt) { return zeros(t.shape(), opt); }
Tensor ones_like(const Tensor& t, TensorOptions opt) { return ones(t.shape(), opt); }
Tensor full_like(const Tensor& t, double value, TensorOptions opt) { return full(t.shape(), value, opt); }

Tensor arange(double start, double end, double step, TensorOptions opt) {
  check_options("arange", opt);
  if (step == 0 || !std::isfinite(start) || !std::isfinite(end) || !std::isfinite(step))
    throw ValueError(fmt::format("arange: start={}, end={}, step={} must be finite with step != 0", start, end, step));
  if ((end - start) / step < 0)
    throw ValueError(fmt::format("arange: step {} moves away from end (start={}, end={})", step, start, end));
  // The count is checked as a double: ceil((end - start) / step) may not fit int64 (or be inf).
  const double count = std::ceil((end - start) / step);
  if (!(count < 0x1p62))
    throw ValueError(fmt::format("arange: start={}, end={}, step={} give {} elements, more than a tensor can hold", start,
                                 end, step, count));
  const auto n = static_cast<std::int64_t>(count);
  if (n > 0) {
    check_representable("arange", opt.dtype_, start);
    check_representable("arange", opt.dtype_, start + static_cast<double>(n - 1) * step);
  }
  Tensor t = make_tensor({n}, opt.dtype_, "arange");
  dispatch_all(opt.dtype_, [&](auto tag) {
    using T = decltype(tag);
    T* p = data_of<T>(t);
    for (std::int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(start + static_cast<double>(i) * step);
  });
  return finish(t, opt);
}
Tensor arange(double end, TensorOptions opt) { return arange(0, end, 1, opt); }

Tensor linspace(double start, double end, std::int64_t steps, TensorOptions opt) {
  check_options("linspace", opt);
  if (steps < 0) throw ValueError(fmt::format("linspace: steps must be non-negative, got {}", steps));
  if (!std::isfinite(start) || !std::isfinite(end))
    throw ValueError(fmt::format("linspace: start={} and end={} must be finite", start, end));
  check_representable("linspace", opt.dtype_, start);
  check_representable("linspace", opt.dtype_, end);
  Tensor t = make_tensor({steps}, opt.dtype_, "linspace");
  const double h = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0;
  dispatch_all(opt.dtype_, [&](auto tag) {
    using T = decltype(tag);
    T* p = data_of<T>(t);
    // Fill from both ends so the last value is exactly `end`, as PyTorch does.
    for (std::int64_t i = 0; i < steps; ++i)
      p[i] = static_cast<T>(i < (steps + 1) / 2 ? start + h * static_cast<double>(i) : end - h * static_cast<double>(steps - 1 - i));
  });
  return finish(t, opt);
}

Tensor eye(std::int64_t n, TensorOptions opt) { return eye(n, n, opt); }
Tensor eye(std::int64_t n, std::int64_t m, TensorOptions opt) {
  check_options("eye", opt);
  if (n < 0 || m < 0) throw ValueError(fmt::format("eye: sizes must be non-negative, got {} x {}", n, m));
  Tensor t = make_tensor({n, m}, opt.dtype_, "eye");
  kernel::fill(t, 0);
  dispatch_all(opt.dtype_, [&](auto tag) {
    using T = decltype(tag);
    T* p = data_of<T>(t);
    for (std::int64_t i = 0; i < std::min(n, m); ++i) p[i * m + i] = T(1);
  });
  return finish(t, opt);
}

namespace {
// A float tensor whose elements are draws of `draw(generator)`, in order.
template <class Draw>
Tensor random_float(const char* op, const Shape& shape, TensorOptions opt, Generator* gen, Draw draw) {
  check_options(op, opt);
  check_float(op, opt.dtype_);
  Tensor t = make_tensor(shape, opt.dtype_, op);
  Generator& g = gen_or_default(gen);
  dispatch_float(opt.dtype_, [&](auto tag) {
    using T = decltype(tag);
    T* p = data_of<T>(t);
    for (std::int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<T>(draw(g));
  });
  return finish(t, opt);
}
}  // namespace

Tensor rand(const Shape& shape, TensorOptions opt, Generator* gen) {
  return random_float("rand", shape, opt, gen, [](Generator& g) { return g.uniform(); });
}

Tensor randn(const Shape& shape, TensorOptions opt, Generator* gen) {
  return random_float("randn", shape, opt, gen, [](Generator& g) { return g.normal(); });
}

Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, Generator* gen) {
  if (high <= low) throw ValueError(fmt::format("randint: need low < high, got low={} high={}", low, high));
  Tensor t = make_tensor(shape, kInt64, "randint");
  Generator& g = gen_or_default(gen);
  auto* p = data_of<std::int64_t>(t);
  // In uint64: high - low may not fit int64 (low = INT64_MIN, high = INT64_MAX), and wraps back.
  const std::uint64_t range = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
  for (std::int64_t i = 0; i < t.numel(); ++i)
    p[i] = static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + g.below(range));
  return t;
}

Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, TensorOptions opt) {
  check_options("randint", opt);
  if (opt.requires_grad_) check_float("randint", opt.dtype_);
  Tensor t = randint(low, high, shape);
  return opt.dtype_ == kInt64 ? t : finish(kernel::cast(t, opt.dtype_, "randint"), opt);
}
Tensor randint(std::int64_t high, const Shape& shape, TensorOptions opt) { return randint(0, high, shape, opt); }

Tensor randperm(std::int64_t n, Generator* gen) {
  if (n < 0) throw ValueError(fmt::format("randperm: n must be non-negative, got {}", n));
  Tensor t = arange(0, static_cast<double>(n), 1, kInt64);
  Generator& g = gen_or_default(gen);
  auto* p = data_of<std::int64_t>(t);
  for (std::int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[static_cast<std::int64_t>(g.below(static_cast<std::uint64_t>(i + 1)))]);
  return t;
}

Tensor bernoulli(const Shape& shape, double p, TensorOptions opt, Generator* gen) {
  check_options("bernoulli", opt);
  if (!(p >= 0 && p <= 1)) throw ValueError(fmt::format("bernoulli: probability must be in [0, 1], got {}", p));
  Tensor t = make_tensor(shape, opt.dtype_, "bernoulli");
  Generator& g = gen_or_default(gen);
  dispatch_all(opt.dtype_, [&](auto tag) {
    using T = decltype(tag);
    T* q = data_of<T>(t);
    for (std::int64_t i = 0; i < t.numel(); ++i) q[i] = g.uniform() < p ? T(1) : T(0);
  });
  return finish(t, opt);
}

Tensor rand_like(const Tensor& t, Generator* gen) { return rand(t.shape(), t.dtype(), gen); }
Tensor randn_like(const Tensor& t, Generator* gen) { return randn(t.shape(), t.dtype(), gen); }

}  // namespace xg
