#include <fmt/format.h>

#include <cstring>
#include <new>
#include <ostream>

#include "tensor/allocator.h"
#include "tensor/detail/tensor_impl.h"

namespace xg {

Storage::Storage(std::size_t bytes) : nbytes(bytes) {
  if (bytes <= kInlineBytes) {
    data = inline_buf;
    return;
  }
  data = detail::allocate_buffer(bytes);
}

Storage::Storage(void* borrowed_data, std::size_t bytes, std::function<void(void*)> release_fn)
    : data(borrowed_data), nbytes(bytes), release(std::move(release_fn)), borrowed(true) {}

Storage::~Storage() {
  if (borrowed) {
    if (release) release(data);
    return;
  }
  if (data != inline_buf) detail::free_buffer(data, nbytes);
}

std::int64_t checked_numel(const Shape& shape, DType dtype, const char* op) {
  for (auto d : shape)
    if (d < 0) throw ValueError(fmt::format("{}: cannot create a tensor with negative size in shape {}", op, to_string(shape)));
  const std::int64_t n = shape.numel();
  if (n > PTRDIFF_MAX / static_cast<std::int64_t>(dtype_size(dtype)))
    throw ValueError(fmt::format("{}: shape {} has more {} elements than memory can address", op, to_string(shape),
                                 dtype_name(dtype)));
  return n;
}

void check_representable(const char* op, DType dtype, double v) {
  const bool ok = dtype == kInt64 ? fits<std::int64_t>(v)
                  : dtype == kInt32 ? fits<std::int32_t>(v)
                  : dtype == kUInt8 ? fits<std::uint8_t>(v)
                                    : true;
  if (!ok)
    throw ValueError(fmt::format("{}: value {} cannot be stored as {} (it is NaN, infinite or out of range)", op, v,
                                 dtype_name(dtype)));
}

namespace {
thread_local const char* running_op = nullptr;
}

const char* current_op() { return running_op; }

CurrentOpScope::CurrentOpScope(const char* name) : outermost_(running_op == nullptr) {
  if (outermost_) running_op = name;
}
CurrentOpScope::~CurrentOpScope() {
  if (outermost_) running_op = nullptr;
}

Tensor make_tensor(const Shape& shape, DType dtype, const char* op) {
  if (!op) op = running_op ? running_op : "tensor";
  auto impl = std::make_shared<TensorImpl>();
  impl->numel = checked_numel(shape, dtype, op);
  const std::size_t bytes = static_cast<std::size_t>(impl->numel) * dtype_size(dtype);
  try {
    impl->storage = std::make_shared<Storage>(bytes);
  } catch (const std::bad_alloc&) {
    throw OutOfMemoryError(fmt::format("{}: out of memory allocating a {} tensor of shape {} ({} bytes)", op,
                                       dtype_name(dtype), to_string(shape), bytes));
  }
  impl->shape = shape;
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor alias_with_shape(const Tensor& t, const Shape& shape) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = t.impl()->storage;
  impl->shape = shape;
  impl->numel = shape.numel();
  impl->dtype = t.dtype();
  return Tensor(std::move(impl));
}

namespace detail {
void throw_not_computable(DType d) {
  const char* op = ::xg::current_op();
  throw DTypeError(fmt::format("{}: not supported for dtype {} (a storage dtype); convert first with .to(xg::kFloat32) "
                               "or .to(xg::kInt64)", op ? op : "this operation", dtype_name(d)));
}
void throw_dtype(const char* op, DType want, DType got) {
  throw DTypeError(fmt::format("{}: expected dtype {}, but the tensor has dtype {}", op, dtype_name(want), dtype_name(got)));
}
void throw_unconvertible(const char* op, double v, int bits) {
  throw ValueError(fmt::format("{}: value {} cannot be converted to a {}-bit integer (it is NaN, infinite or out of range)",
                               op, v, bits));
}
void throw_undefined(const char* op) {
  throw ValueError(fmt::format("{}: the tensor is undefined (default-constructed)", op));
}
std::int64_t flat_index(const char* op, const Shape& s, std::initializer_list<std::int64_t> index) {
  if (index.size() != s.size())
    throw IndexError(fmt::format("{}: got {} indices for a tensor of shape {}", op, index.size(), to_string(s)));
  std::int64_t flat = 0, d = 0;
  for (std::int64_t i : index) {
    const std::int64_t n = s[static_cast<std::size_t>(d)];
    if (i < -n || i >= n)
      throw IndexError(fmt::format("{}: index {} is out of range for dim {} of size {} (shape {})", op, i, d, n, to_string(s)));
    flat = flat * n + (i < 0 ? i + n : i);
    ++d;
  }
  return flat;
}
}  // namespace detail

void Tensor::check_type(DType want, const char* what) const {
  if (!impl_) detail::throw_undefined(what);
  if (impl_->dtype != want) detail::throw_dtype(what, want, impl_->dtype);
}

Scalar Tensor::item() const {
  if (!impl_) detail::throw_undefined("item");
  if (impl_->numel != 1)
    throw ValueError("item: expected a tensor with one element, got shape " + to_string(impl_->shape));
  return dispatch_all(impl_->dtype, [&](auto tag) { return Scalar(*static_cast<const decltype(tag)*>(raw_data())); });
}

std::ostream& operator<<(std::ostream& os, const Scalar& s) {
  if (s.isFloatingPoint()) return os << s.toDouble();
  if (s.isBoolean()) return os << (s.toBool() ? "true" : "false");
  return os << s.toLong();
}

const Shape& Tensor::shape() const {
  if (!impl_) detail::throw_undefined("shape");
  return impl_->shape;
}
std::int64_t Tensor::numel() const {
  if (!impl_) detail::throw_undefined("numel");
  return impl_->numel;
}
DType Tensor::dtype() const {
  if (!impl_) detail::throw_undefined("dtype");
  return impl_->dtype;
}
std::int64_t Tensor::size(std::int64_t d) const { return shape()[wrap_dim("size", d, shape().size())]; }
void* Tensor::raw_data() const {
  if (!impl_) detail::throw_undefined("data_ptr");
  return impl_->storage->data;
}
std::uint32_t Tensor::version() const {
  if (!impl_) detail::throw_undefined("version");
  return impl_->storage->version;
}

void Tensor::bump_version(const char* op) {
  if (!impl_) detail::throw_undefined("bump_version");
  ++impl_->storage->version;
  impl_->storage->last_inplace_op = op;
}

void Tensor::set_data(const Tensor& new_data) {
  if (!impl_) detail::throw_undefined("set_data");
  if (!new_data.defined()) throw ValueError("set_data: the new data is an undefined tensor");
  if (impl_->requires_grad && !is_floating(new_data.dtype()))
    throw DTypeError(fmt::format("set_data: a tensor that requires grad cannot take {} data", dtype_name(new_data.dtype())));
  impl_->storage = new_data.impl_->storage;
  impl_->shape = new_data.impl_->shape;
  impl_->numel = new_data.impl_->numel;
  impl_->dtype = new_data.impl_->dtype;
}

Tensor Tensor::detach() const {
  if (!impl_) detail::throw_undefined("detach");
  return alias_with_shape(*this, impl_->shape);
}

}  // namespace xg
