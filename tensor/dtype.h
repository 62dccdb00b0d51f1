#pragma once
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>

namespace xg {

// Runtime element type of a tensor. int64 holds labels and indices and is never differentiable.
// Bool, UInt8 and Int32 are storage dtypes (masks, images, labels): they can be created,
// converted, printed, saved, indexed, compared and masked; arithmetic wants .to(kFloat32) or
// .to(kInt64) first and otherwise raises a DTypeError naming the call.
enum class DType : std::uint8_t { Float32, Float64, Int64, Bool, UInt8, Int32 };

inline constexpr DType kFloat32 = DType::Float32;
inline constexpr DType kFloat64 = DType::Float64;
inline constexpr DType kInt64 = DType::Int64;
inline constexpr DType kBool = DType::Bool;
inline constexpr DType kUInt8 = DType::UInt8;
inline constexpr DType kInt32 = DType::Int32;
// LibTorch's names for the same dtypes.
inline constexpr DType kFloat = kFloat32;
inline constexpr DType kDouble = kFloat64;
inline constexpr DType kLong = kInt64;
inline constexpr DType kInt = kInt32;
inline constexpr DType kByte = kUInt8;
inline constexpr DType kF32 = kFloat32;
inline constexpr DType kF64 = kFloat64;
inline constexpr DType kI64 = kInt64;
inline constexpr DType kI32 = kInt32;
inline constexpr DType kU8 = kUInt8;

constexpr std::string_view dtype_name(DType d) {
  switch (d) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int64: return "int64";
    case DType::Bool: return "bool";
    case DType::UInt8: return "uint8";
    case DType::Int32: return "int32";
  }
  return "?";
}

constexpr std::size_t dtype_size(DType d) {
  switch (d) {
    case DType::Float64: case DType::Int64: return 8;
    case DType::Float32: case DType::Int32: return 4;
    default: return 1;
  }
}
constexpr bool is_floating(DType d) { return d == DType::Float32 || d == DType::Float64; }
// Float32, Float64 and Int64: the dtypes that arithmetic and reductions compute in.
constexpr bool is_compute(DType d) { return d == DType::Float32 || d == DType::Float64 || d == DType::Int64; }

template <class T> struct dtype_of;
template <> struct dtype_of<float> { static constexpr DType value = kFloat32; };
template <> struct dtype_of<double> { static constexpr DType value = kFloat64; };
template <> struct dtype_of<std::int64_t> { static constexpr DType value = kInt64; };
template <> struct dtype_of<bool> { static constexpr DType value = kBool; };
template <> struct dtype_of<std::uint8_t> { static constexpr DType value = kUInt8; };
template <> struct dtype_of<std::int32_t> { static constexpr DType value = kInt32; };
template <class T> inline constexpr DType dtype_v = dtype_of<T>::value;

// Whether v converts to T without undefined behaviour: always, unless T is an integer and v a
// floating value that is NaN, infinite or outside T's range (NaN or 1e19 to int64).
template <class T, class V> constexpr bool fits(V v) {
  if constexpr (std::is_floating_point_v<V> && std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    constexpr V hi = V(2) * static_cast<V>(std::numeric_limits<T>::max() / 2 + 1);  // 2^digits, exact
    return std::is_signed_v<T> ? v >= -hi && v < hi : v > V(-1) && v < hi;
  } else {
    return true;
  }
}

namespace detail {
// DTypeError: the op being run (the outermost autograd::Op on this thread, else "this operation")
// does not compute in dtype d; the message suggests .to(...).
[[noreturn]] void throw_not_computable(DType d);
}  // namespace detail

// Calls f(T{}) with T the C++ type of dtype `d`, for the compute dtypes (float32, float64,
// int64); a storage dtype (bool, uint8, int32) raises a DTypeError naming the op.
template <class F> decltype(auto) dispatch(DType d, F&& f) {
  switch (d) {
    case kFloat32: return f(float{});
    case kFloat64: return f(double{});
    case kInt64: return f(std::int64_t{});
    default: detail::throw_not_computable(d);
  }
}
// Same, for every dtype: for kernels that only move, compare or convert values.
template <class F> decltype(auto) dispatch_all(DType d, F&& f) {
  switch (d) {
    case kFloat32: return f(float{});
    case kFloat64: return f(double{});
    case kInt64: return f(std::int64_t{});
    case kBool: return f(bool{});
    case kUInt8: return f(std::uint8_t{});
    default: return f(std::int32_t{});
  }
}
// Same, for float dtypes only (the caller has already checked; anything else raises).
template <class F> decltype(auto) dispatch_float(DType d, F&& f) {
  if (d == kFloat64) return f(double{});
  if (d != kFloat32) detail::throw_not_computable(d);
  return f(float{});
}

}  // namespace xg
