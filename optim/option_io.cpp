#include "optim/option_io.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace xg::optim::detail {

std::string format_value(double v) { return fmt::format("{}", v); }
std::string format_value(bool v) { return v ? "true" : "false"; }
std::string format_value(std::int64_t v) { return fmt::format("{}", v); }
std::string format_value(const std::vector<double>& v) { return fmt::format("[{}]", fmt::join(v, ", ")); }
std::string format_value(const std::vector<std::int64_t>& v) { return fmt::format("[{}]", fmt::join(v, ", ")); }
std::string format_value(const std::tuple<double, double>& v) {
  return fmt::format("({}, {})", std::get<0>(v), std::get<1>(v));
}

}  // namespace xg::optim::detail
