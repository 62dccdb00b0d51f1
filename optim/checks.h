#pragma once
// Internal: option checks shared by the optimizers and schedulers. Each throws ValueError
// "<Who>: invalid <option> <value> (<rule>)".
#include <fmt/format.h>

#include <cmath>

#include "tensor/errors.h"

#include <type_traits>

namespace xg::optim::detail {

[[noreturn]] inline void invalid(const char* who, const char* option, double value, const char* rule) {
  throw ValueError(fmt::format("{}: invalid {} {} ({})", who, option, value, rule));
}
inline void check_nonneg(const char* who, const char* option, double v) {
  if (!(v >= 0) || std::isinf(v)) invalid(who, option, v, "must be finite and >= 0");
}
inline void check_positive(const char* who, const char* option, double v) {
  if (!(v > 0) || std::isinf(v)) invalid(who, option, v, "must be finite and > 0");
}
inline void check_unit(const char* who, const char* option, double v) {  // [0, 1)
  if (!(v >= 0 && v < 1)) invalid(who, option, v, "must be in [0, 1)");
}

// Calls f(std::bool_constant<a>{}, std::bool_constant<b>{}, std::bool_constant<c>{}): update loops
// take their loop-invariant choices at compile time, so each one is a straight vectorizable stream.
template <class F>
void with_flags(bool a, bool b, bool c, F&& f) {
  auto pick_c = [&](auto ca, auto cb) {
    if (c) f(ca, cb, std::true_type{});
    else f(ca, cb, std::false_type{});
  };
  auto pick_b = [&](auto ca) {
    if (b) pick_c(ca, std::true_type{});
    else pick_c(ca, std::false_type{});
  };
  if (a) pick_b(std::true_type{});
  else pick_b(std::false_type{});
}

}  // namespace xg::optim::detail
