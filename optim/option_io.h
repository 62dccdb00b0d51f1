#pragma once
// Internal: what an options type's option list is used for. Its for_each_option(self, option)
// calls option(key, field, rules...) once per option; these walk that list to save every option
// into a StateDict under prefix + key (as optim/state_io.h stores values), load them back, check
// them against their rules and print them.
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "optim/state_io.h"

namespace xg::optim::detail {

// How an option appears in to_string().
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
    put(dict, prefix + key, value);
  });
}

// Reads every option; the caller validates afterwards (on a copy, so a failure changes nothing).
template <class Options> void load_options(Options& o, const StateDict& dict, const std::string& prefix, const char* who) {
  Options::for_each_option(o, [&](const char* key, auto& value, const auto&...) {
    read(dict, prefix + key, who, value);
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
