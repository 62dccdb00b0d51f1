#pragma once
// Internal: the update loops take their loop-invariant choices at compile time, so each one is a
// straight vectorizable stream.
#include <type_traits>

namespace xg::optim::detail {

// Calls f(std::bool_constant<a>{}, std::bool_constant<b>{}, std::bool_constant<c>{}).
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
