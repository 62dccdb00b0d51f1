#include "optim/state_io.h"

#include <fmt/format.h>

namespace xg::optim::detail {

void put_double(StateDict& dict, const std::string& key, double v) { dict[key] = scalar_tensor(v, kFloat64); }
void put_int(StateDict& dict, const std::string& key, std::int64_t v) {
  dict[key] = full({}, static_cast<double>(v), kInt64);
  // full() goes through double; large counters are written exactly through the pointer.
  *dict[key].data_ptr<std::int64_t>() = v;
}
void put_bool(StateDict& dict, const std::string& key, bool v) { put_int(dict, key, v ? 1 : 0); }
void put_doubles(StateDict& dict, const std::string& key, const std::vector<double>& v) {
  dict[key] = from_vector(v, Shape{static_cast<std::int64_t>(v.size())});
}

const Tensor& get_tensor(const StateDict& dict, const std::string& key, const char* who) {
  const auto it = dict.find(key);
  if (it == dict.end()) throw ValueError(fmt::format("{}: missing key '{}'", who, key));
  if (!it->second.defined()) throw ValueError(fmt::format("{}: key '{}' holds an undefined tensor", who, key));
  return it->second;
}

namespace {
const Tensor& get_scalar(const StateDict& dict, const std::string& key, const char* who) {
  const Tensor& t = get_tensor(dict, key, who);
  if (t.numel() != 1)
    throw ValueError(fmt::format("{}: key '{}' must hold a single value, got shape {}", who, key, to_string(t.shape())));
  return t;
}
}  // namespace

double get_double(const StateDict& dict, const std::string& key, const char* who) {
  return get_scalar(dict, key, who).item<double>();
}

std::int64_t get_int(const StateDict& dict, const std::string& key, const char* who) {
  const Tensor& t = get_scalar(dict, key, who);
  if (t.dtype() != kInt64)
    throw ValueError(fmt::format("{}: key '{}' must be int64, got {}", who, key, dtype_name(t.dtype())));
  return t.item<std::int64_t>();
}

bool get_bool(const StateDict& dict, const std::string& key, const char* who) {
  const std::int64_t v = get_int(dict, key, who);
  if (v != 0 && v != 1) throw ValueError(fmt::format("{}: key '{}' must be 0 or 1, got {}", who, key, v));
  return v == 1;
}

std::vector<double> get_doubles(const StateDict& dict, const std::string& key, const char* who) {
  const Tensor& t = get_tensor(dict, key, who);
  if (t.dim() != 1)
    throw ValueError(fmt::format("{}: key '{}' must be 1-D, got shape {}", who, key, to_string(t.shape())));
  return t.to_vector<double>();
}

}  // namespace xg::optim::detail
