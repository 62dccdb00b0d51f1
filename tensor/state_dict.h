#pragma once
// A named collection of tensors: what Module::state_dict(), Optimizer::state_dict() and the
// schedulers return, and what xg::save / xg::load read and write. Scalars (step counts,
// learning rates, options) are stored as 0-d float64 or int64 tensors so one format holds all.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace xg {

using StateDict = std::map<std::string, Tensor>;

// Tensors with their dotted names, in order ("fc1.weight", ...): what Module::named_parameters()
// returns and what the optimizers' helpers take.
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

}  // namespace xg
