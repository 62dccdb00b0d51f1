#pragma once
// Internal helpers shared by optim/: writing options and counters into a StateDict as 0-d
// tensors and reading them back with errors that name the key. Not part of the public API.
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/state_dict.h"

namespace xg::optim::detail {

void put_double(StateDict& dict, const std::string& key, double v);
void put_int(StateDict& dict, const std::string& key, std::int64_t v);
void put_bool(StateDict& dict, const std::string& key, bool v);
void put_doubles(StateDict& dict, const std::string& key, const std::vector<double>& v);  // 1-D float64

// `who` names the caller in errors ("SGD.load_state_dict").
const Tensor& get_tensor(const StateDict& dict, const std::string& key, const char* who);
double get_double(const StateDict& dict, const std::string& key, const char* who);
std::int64_t get_int(const StateDict& dict, const std::string& key, const char* who);
bool get_bool(const StateDict& dict, const std::string& key, const char* who);
std::vector<double> get_doubles(const StateDict& dict, const std::string& key, const char* who);

}  // namespace xg::optim::detail
