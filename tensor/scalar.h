#pragma once
// A number of any dtype, as LibTorch's c10::Scalar: what the untemplated Tensor::item() returns.
#include <cstdint>
#include <iosfwd>
#include <type_traits>

#include "tensor/dtype.h"
#include "tensor/errors.h"

namespace xg {

class Scalar {
 public:
  Scalar() = default;
  template <class T>
    requires std::is_arithmetic_v<T>
  Scalar(T v) {  // NOLINT: implicit, as c10::Scalar
    if constexpr (std::is_same_v<T, bool>) {
      kind_ = Kind::Bool;
      i_ = v ? 1 : 0;
    } else if constexpr (std::is_integral_v<T>) {
      kind_ = Kind::Int;
      i_ = static_cast<std::int64_t>(v);
    } else {
      kind_ = Kind::Float;
      d_ = static_cast<double>(v);
    }
  }

  bool isFloatingPoint() const { return kind_ == Kind::Float; }
  bool isIntegral(bool include_bool) const { return kind_ == Kind::Int || (include_bool && kind_ == Kind::Bool); }
  bool isBoolean() const { return kind_ == Kind::Bool; }
  // The dtype the value came from in its widest form: float64, int64 or bool.
  DType type() const { return kind_ == Kind::Float ? kFloat64 : kind_ == Kind::Int ? kInt64 : kBool; }

  // Integer conversions raise ValueError for NaN, infinite or out-of-range values.
  template <class T> T to() const;
  double toDouble() const { return to<double>(); }
  float toFloat() const { return to<float>(); }
  std::int64_t toLong() const { return to<std::int64_t>(); }
  std::int32_t toInt() const { return to<std::int32_t>(); }
  std::uint8_t toByte() const { return to<std::uint8_t>(); }
  bool toBool() const { return to<bool>(); }

 private:
  enum class Kind : std::uint8_t { Float, Int, Bool };
  Kind kind_ = Kind::Int;
  double d_ = 0;
  std::int64_t i_ = 0;
};

namespace detail {
[[noreturn]] void throw_unconvertible(const char* op, double v, int bits);  // tensor/tensor.cpp
}  // namespace detail

template <class T> T Scalar::to() const {
  static_assert(std::is_arithmetic_v<T>, "Scalar::to<T>: T must be a number type");
  if constexpr (std::is_same_v<T, bool>) {
    return kind_ == Kind::Float ? d_ != 0 : i_ != 0;
  } else {
    if (kind_ == Kind::Float) {
      if (!fits<T>(d_)) detail::throw_unconvertible("Scalar::to", d_, static_cast<int>(8 * sizeof(T)));
      return static_cast<T>(d_);
    }
    return static_cast<T>(i_);
  }
}

std::ostream& operator<<(std::ostream& os, const Scalar& s);

}  // namespace xg
