#pragma once
// Internal: what an options type's option list is used for. Its for_each_option(self, option)
// calls option(key, field, rules...) once per option; these walk that list to save every option
// into a StateDict under prefix + key, load them back, check them against their rules and print
// them. The value types: double, bool, int64, enums, a pair of doubles, lists of doubles or int64.
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "optim/state_io.h"

namespace xg::optim::detail {

inline void save_value(StateDict& d, const std::string& key, double v) { put_double(d, key, v); }
inline void save_value(StateDict& d, const std::string& key, bool v) { put_bool(d, key, v); }
inline void save_value(StateDict& d, const std::string& key, std::int64_t v) { put_int(d, key, v); }
inline void save_value(StateDict& d, const std::string& key, const std::vector<double>& v) { put_doubles(d, key, v); }
inline void save_value(StateDict& d, const std::string& key, const std::tuple<double, double>& v) {
  put_doubles(d, key, {std::get<0>(v), std::get<1>(v)});
}
void save_value(StateDict& d, const std::string& key, const std::vector<std::int64_t>& v);  // 1-D int64
template <class E>
  requires std::is_enum_v<E>
void save_value(StateDict& d, const std::string& key, E v) {  // as its number
  put_int(d, key, static_cast<std::int64_t>(v));
}

// ValueError naming `who` and the key when the key is missing or holds the wrong kind of value.
template <class I> I int_in_range(const StateDict& d, const std::string& key, const char* who) {
  const std::int64_t i = get_int(d, key, who);
  if (i != static_cast<I>(i)) throw ValueError(fmt::format("{}: key '{}' holds {}, out of range", who, key, i));
  return static_cast<I>(i);
}
inline void load_value(const StateDict& d, const std::string& key, const char* who, double& v) {
  v = get_double(d, key, who);
}
inline void load_value(const StateDict& d, const std::string& key, const char* who, bool& v) { v = get_bool(d, key, who); }
inline void load_value(const StateDict& d, const std::string& key, const char* who, std::int64_t& v) {
  v = get_int(d, key, who);
}
inline void load_value(const StateDict& d, const std::string& key, const char* who, std::vector<double>& v) {
  v = get_doubles(d, key, who);
}
void load_value(const StateDict& d, const std::string& key, const char* who, std::tuple<double, double>& v);
void load_value(const StateDict& d, const std::string& key, const char* who, std::vector<std::int64_t>& v);
template <class E>
  requires std::is_enum_v<E>
void load_value(const StateDict& d, const std::string& key, const char* who, E& v) {  // its rule checks the range
  v = static_cast<E>(int_in_range<std::underlying_type_t<E>>(d, key, who));
}

std::string format_value(double v);
std::string format_value(bool v);
std::string format_value(std::int64_t v);
std::string format_value(const std::vector<double>& v);
std::string format_value(const std::tuple<double, double>& v);
std::string format_value(const std::vector<std::int64_t>& v);
template <class E>
  requires std::is_enum_v<E>
std::string format_value(E v) {
  return format_value(static_cast<std::int64_t>(v));
}

template <class Options> void save_options(const Options& o, StateDict& dict, const std::string& prefix) {
  Options::for_each_option(o, [&](const char* key, const auto& value, const auto&...) {
    save_value(dict, prefix + key, value);
  });
}

// Reads every option; the caller validates afterwards (on a copy, so a failure changes nothing).
template <class Options> void load_options(Options& o, const StateDict& dict, const std::string& prefix, const char* who) {
  Options::for_each_option(o, [&](const char* key, auto& value, const auto&...) {
    load_value(dict, prefix + key, who, value);
  });
}

// Throws the first rule violation, in the list's order.
template <class Options> void validate_options(const Options& o, const char* who) {
  Options::for_each_option(o, [&]([[maybe_unused]] const char* key, [[maybe_unused]] const auto& value, const auto&... rules) {
    (rules.check(who, key, value), ...);
  });
}

// A copy of `options` with every option read from dict and checked, so nothing changes on error.
template <class Options>
Options loaded_options(Options options, const StateDict& dict, const std::string& prefix, const char* who) {
  load_options(options, dict, prefix, who);
  validate_options(options, who);
  return options;
}

// "lr=0.001, betas=(0.9, 0.999), amsgrad=false"
template <class Options> std::string format_options(const Options& o) {
  std::string out;
  Options::for_each_option(o, [&](const char* key, const auto& value, const auto&...) {
    out += (out.empty() ? "" : ", ") + std::string(key) + "=" + format_value(value);
  });
  return out;
}

}  // namespace xg::optim::detail
