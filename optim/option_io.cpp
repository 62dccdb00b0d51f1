#include "optim/option_io.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace xg::optim::detail {

void load_value(const StateDict& d, const std::string& key, const char* who, std::tuple<double, double>& v) {
  const auto values = get_doubles(d, key, who);
  if (values.size() != 2)
    throw ValueError(fmt::format("{}: '{}' must hold 2 values, got {}", who, key, values.size()));
  v = {values[0], values[1]};
}

void save_value(StateDict& d, const std::string& key, const std::vector<std::int64_t>& v) {
  d[key] = from_vector(v, Shape{static_cast<std::int64_t>(v.size())});
}

void load_value(const StateDict& d, const std::string& key, const char* who, std::vector<std::int64_t>& v) {
  const Tensor& t = get_tensor(d, key, who);
  if (t.dtype() != kInt64 || t.dim() != 1) throw ValueError(fmt::format("{}: '{}' must be 1-D int64", who, key));
  v = t.to_vector<std::int64_t>();
}

std::string format_value(double v) { return fmt::format("{}", v); }
std::string format_value(bool v) { return v ? "true" : "false"; }
std::string format_value(std::int64_t v) { return fmt::format("{}", v); }
std::string format_value(const std::vector<double>& v) { return fmt::format("[{}]", fmt::join(v, ", ")); }
std::string format_value(const std::vector<std::int64_t>& v) { return fmt::format("[{}]", fmt::join(v, ", ")); }
std::string format_value(const std::tuple<double, double>& v) {
  return fmt::format("({}, {})", std::get<0>(v), std::get<1>(v));
}

}  // namespace xg::optim::detail
