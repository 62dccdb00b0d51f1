#pragma once
// The rules an option's value must follow, declared beside the option in its options type's
// option list. Each throws ValueError "<Who>: invalid <option> <value> (<rule>)", so the message
// names the optimizer (or scheduler), the option and the user's value.
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <tuple>

#include "tensor/errors.h"

namespace xg::optim {

namespace detail {
[[noreturn]] inline void invalid(const char* who, const char* option, double value, const char* rule) {
  throw ValueError(fmt::format("{}: invalid {} {} ({})", who, option, value, rule));
}
}  // namespace detail

namespace rule {

struct NonNegative {
  void check(const char* who, const char* option, double v) const {
    if (!(v >= 0) || std::isinf(v)) detail::invalid(who, option, v, "must be finite and >= 0");
  }
};
struct Positive {
  void check(const char* who, const char* option, double v) const {
    if (!(v > 0) || std::isinf(v)) detail::invalid(who, option, v, "must be finite and > 0");
  }
};
struct Finite {
  void check(const char* who, const char* option, double v) const {
    if (!std::isfinite(v)) detail::invalid(who, option, v, "must be finite");
  }
};
struct InUnitInterval {  // [0, 1)
  void check(const char* who, const char* option, double v) const {
    if (!(v >= 0 && v < 1)) detail::invalid(who, option, v, "must be in [0, 1)");
  }
};
// Both values of a pair in [0, 1), each named in errors (Adam's betas: "beta1", "beta2").
struct PairInUnitInterval {
  const char* first;
  const char* second;
  void check(const char* who, const char*, const std::tuple<double, double>& v) const {
    InUnitInterval{}.check(who, first, std::get<0>(v));
    InUnitInterval{}.check(who, second, std::get<1>(v));
  }
};
struct AtLeast {  // a count (epochs, steps) >= min
  std::int64_t min;
  void check(const char* who, const char* option, std::int64_t v) const {
    if (v < min) detail::invalid(who, option, static_cast<double>(v), fmt::format("must be >= {}", min).c_str());
  }
};
// An enum's value among its first `count` enumerators; `names` says which ("must be min or max").
struct Enumerator {
  int count;
  const char* names;
  template <class E> void check(const char* who, const char* option, E v) const {
    const auto i = static_cast<std::int64_t>(v);
    if (i < 0 || i >= count) throw ValueError(fmt::format("{}: invalid {} {} ({})", who, option, i, names));
  }
};

inline constexpr NonNegative nonneg{};
inline constexpr Positive positive{};
inline constexpr Finite finite{};
inline constexpr InUnitInterval unit{};
inline constexpr AtLeast at_least_0{0};
inline constexpr AtLeast at_least_1{1};

}  // namespace rule
}  // namespace xg::optim
