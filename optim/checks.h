#pragma once
// Internal: option checks shared by the optimizers and schedulers. Each throws ValueError
// "<Who>: invalid <option> <value> (<rule>)".
#include <fmt/format.h>

#include <cmath>

#include "tensor/errors.h"

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

}  // namespace xg::optim::detail
