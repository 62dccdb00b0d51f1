#pragma once
// Internal: how optim/ keeps numbers in a StateDict (options, counters, lists of lrs) and reads
// them back. A double is a 0-d float64 tensor; an int64, an enum or a bool (0/1) a 0-d int64; a
// pair or list of doubles a 1-D float64; a list of int64 a 1-D int64.
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "tensor/state_dict.h"

namespace xg::optim::detail {

void put(StateDict& dict, const std::string& key, double v);
void put(StateDict& dict, const std::string& key, std::int64_t v);
void put(StateDict& dict, const std::string& key, bool v);
void put(StateDict& dict, const std::string& key, const std::tuple<double, double>& v);
void put(StateDict& dict, const std::string& key, const std::vector<double>& v);
void put(StateDict& dict, const std::string& key, const std::vector<std::int64_t>& v);
template <class E>
  requires std::is_enum_v<E>
void put(StateDict& dict, const std::string& key, E v) {
  put(dict, key, static_cast<std::int64_t>(v));
}

// ValueError naming `who` ("SGD.load_state_dict") and the key when the key is missing or holds
// another kind of value.
const Tensor& get_tensor(const StateDict& dict, const std::string& key, const char* who);
void read(const StateDict& dict, const std::string& key, const char* who, double& v);
void read(const StateDict& dict, const std::string& key, const char* who, std::int64_t& v);
void read(const StateDict& dict, const std::string& key, const char* who, bool& v);
void read(const StateDict& dict, const std::string& key, const char* who, std::tuple<double, double>& v);
void read(const StateDict& dict, const std::string& key, const char* who, std::vector<double>& v);
void read(const StateDict& dict, const std::string& key, const char* who, std::vector<std::int64_t>& v);
template <class E>
  requires std::is_enum_v<E>
void read(const StateDict& dict, const std::string& key, const char* who, E& v) {  // its rule checks the value
  std::int64_t i = 0;
  read(dict, key, who, i);
  if (i != static_cast<std::underlying_type_t<E>>(i))
    throw ValueError(fmt::format("{}: key '{}' holds {}, out of range", who, key, i));
  v = static_cast<E>(i);
}
template <class T> T get(const StateDict& dict, const std::string& key, const char* who) {
  T v{};
  read(dict, key, who, v);
  return v;
}

}  // namespace xg::optim::detail
