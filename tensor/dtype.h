#pragma once
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>

namespace xg {

// Runtime element type of a tensor. int64 holds labels and indices and is never differentiable.
enum class DType : std::uint8_t { Float32, Float64, Int64 };

inline constexpr DType kFloat32 = DType::Float32;
inline constexpr DType kFloat64 = DType::Float64;
inline constexpr DType kInt64 = DType::Int64;

constexpr std::string_view dtype_name(DType d) {
  switch (d) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int64: return "int64";
  }
  return "?";
}

constexpr std::size_t dtype_size(DType d) { return d == DType::Float32 ? 4 : 8; }
constexpr bool is_floating(DType d) { return d != DType::Int64; }

template <class T> struct dtype_of;
template <> struct dtype_of<float> { static constexpr DType value = kFloat32; };
template <> struct dtype_of<double> { static constexpr DType value = kFloat64; };
template <> struct dtype_of<std::int64_t> { static constexpr DType value = kInt64; };
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

// Calls f(T{}) with T the C++ type of dtype `d`.
template <class F> decltype(auto) dispatch(DType d, F&& f) {
  switch (d) {
    case kFloat32: return f(float{});
    case kFloat64: return f(double{});
    default: return f(std::int64_t{});
  }
}
// Same, for float dtypes only (the caller has already checked).
template <class F> decltype(auto) dispatch_float(DType d, F&& f) {
  if (d == kFloat64) return f(double{});
  return f(float{});
}

}  // namespace xg
