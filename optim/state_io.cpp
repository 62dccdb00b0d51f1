#include "optim/state_io.h"

namespace xg::optim::detail {

void put(StateDict& dict, const std::string& key, double v) { dict[key] = scalar_tensor(v, kFloat64); }
void put(StateDict& dict, const std::string& key, std::int64_t v) {
  dict[key] = full({}, static_cast<double>(v), kInt64);
  // full() goes through double; large counters are written exactly through the pointer.
  *dict[key].data_ptr<std::int64_t>() = v;
}
void put(StateDict& dict, const std::string& key, bool v) { put(dict, key, std::int64_t{v ? 1 : 0}); }
void put(StateDict& dict, const std::string& key, const std::tuple<double, double>& v) {
  put(dict, key, std::vector<double>{std::get<0>(v), std::get<1>(v)});
}
void put(StateDict& dict, const std::string& key, const std::vector<double>& v) {
  dict[key] = from_vector(v, Shape{static_cast<std::int64_t>(v.size())});
}
void put(StateDict& dict, const std::string& key, const std::vector<std::int64_t>& v) {
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
const Tensor& get_list(const StateDict& dict, const std::string& key, const char* who) {
  const Tensor& t = get_tensor(dict, key, who);
  if (t.dim() != 1)
    throw ValueError(fmt::format("{}: key '{}' must be 1-D, got shape {}", who, key, to_string(t.shape())));
  return t;
}
}  // namespace

void read(const StateDict& dict, const std::string& key, const char* who, double& v) {
  v = get_scalar(dict, key, who).item<double>();
}

void read(const StateDict& dict, const std::string& key, const char* who, std::int64_t& v) {
  const Tensor& t = get_scalar(dict, key, who);
  if (t.dtype() != kInt64)
    throw ValueError(fmt::format("{}: key '{}' must be int64, got {}", who, key, dtype_name(t.dtype())));
  v = t.item<std::int64_t>();
}

void read(const StateDict& dict, const std::string& key, const char* who, bool& v) {
  const auto i = get<std::int64_t>(dict, key, who);
  if (i != 0 && i != 1) throw ValueError(fmt::format("{}: key '{}' must be 0 or 1, got {}", who, key, i));
  v = i == 1;
}

void read(const StateDict& dict, const std::string& key, const char* who, std::tuple<double, double>& v) {
  const auto values = get<std::vector<double>>(dict, key, who);
  if (values.size() != 2)
    throw ValueError(fmt::format("{}: '{}' must hold 2 values, got {}", who, key, values.size()));
  v = {values[0], values[1]};
}

void read(const StateDict& dict, const std::string& key, const char* who, std::vector<double>& v) {
  v = get_list(dict, key, who).to_vector<double>();
}

void read(const StateDict& dict, const std::string& key, const char* who, std::vector<std::int64_t>& v) {
  const Tensor& t = get_list(dict, key, who);
  if (t.dtype() != kInt64) throw ValueError(fmt::format("{}: '{}' must be 1-D int64", who, key));
  v = t.to_vector<std::int64_t>();
}

}  // namespace xg::optim::detail
