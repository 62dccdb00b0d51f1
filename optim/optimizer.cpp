#include "optim/optimizer.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <ostream>
#include <typeinfo>
#include <unordered_set>

#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"
#include "optim/state_io.h"
#include "tensor/detail/excerpt.h"

namespace xg::optim {

std::vector<Tensor> tensors_of(const NamedTensors& named) {
  std::vector<Tensor> out;
  out.reserve(named.size());
  for (const auto& [name, t] : named) out.push_back(t);
  return out;
}

std::string OptimizerOptions::to_string() const { return fmt::format("{}(lr={})", optimizer_name(), get_lr()); }
std::ostream& operator<<(std::ostream& out, const OptimizerOptions& options) { return out << options.to_string(); }

// ----- OptimizerParamGroup -----
OptimizerParamGroup::OptimizerParamGroup(std::vector<Tensor> params) : params_(std::move(params)) {}
OptimizerParamGroup::OptimizerParamGroup(std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options)
    : params_(std::move(params)), options_(std::move(options)) {}
OptimizerParamGroup::OptimizerParamGroup(const OptimizerParamGroup& other)
    : params_(other.params_), options_(other.options_ ? other.options_->clone() : nullptr) {}
OptimizerParamGroup& OptimizerParamGroup::operator=(const OptimizerParamGroup& other) {
  if (this != &other) {
    params_ = other.params_;
    options_ = other.options_ ? other.options_->clone() : nullptr;
  }
  return *this;
}
OptimizerOptions& OptimizerParamGroup::options() {
  if (!options_) throw ValueError("OptimizerParamGroup: the group has no options (add it to an optimizer first)");
  return *options_;
}
const OptimizerOptions& OptimizerParamGroup::options() const {
  if (!options_) throw ValueError("OptimizerParamGroup: the group has no options (add it to an optimizer first)");
  return *options_;
}

// ----- Optimizer -----
Optimizer::Optimizer(std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults)
    : defaults_(std::move(defaults)) {
  defaults_->validate();
  std::size_t n = 0;
  for (const auto& g : groups) n += g.params().size();
  if (n == 0) throw ValueError(fmt::format("{}: got an empty parameter list", defaults_->optimizer_name()));
  for (const auto& g : groups) add_param_group(g);
}

void Optimizer::check_options(const OptimizerOptions& options) const {
  const OptimizerOptions& defaults = *defaults_;
  if (typeid(options) != typeid(defaults))
    throw ValueError(fmt::format("{}: a param group has options of another optimizer ({})", name(),
                                 options.to_string()));
  options.validate();
}

void Optimizer::add_param_group(const OptimizerParamGroup& group) {
  // Check everything before changing anything.
  std::unordered_set<const TensorImpl*> seen;
  for (const auto& g : groups_)
    for (const auto& p : g.params()) seen.insert(p.impl().get());
  for (std::size_t i = 0; i < group.params().size(); ++i) {
    const Tensor& p = group.params()[i];
    if (!p.defined()) throw ValueError(fmt::format("{}: parameter {} of the new group is undefined", name(), i));
    if (!p.is_floating_point())
      throw ValueError(fmt::format("{}: parameter {} of the new group has dtype {}; only float tensors can be optimized",
                                   name(), i, dtype_name(p.dtype())));
    if (!p.is_leaf())
      throw ValueError(fmt::format("{}: parameter {} of the new group is not a leaf (computed by '{}'); optimize the "
                                   "leaf or a detach()ed copy",
                                   name(), i, p.grad_fn_name()));
    if (!seen.insert(p.impl().get()).second)
      throw ValueError(fmt::format("{}: parameter {} of the new group (shape {}) already is in a param group", name(),
                                   i, to_string(p.shape())));
  }
  OptimizerParamGroup copy(group);
  if (copy.has_options()) check_options(copy.options());
  else copy.set_options(defaults_->clone());
  groups_.push_back(std::move(copy));
}

void Optimizer::zero_grad(bool set_to_none) {
  NoGradGuard guard;
  for (auto& g : groups_)
    for (auto& p : g.params()) {
      Tensor grad = p.grad();
      if (!grad.defined()) continue;
      if (set_to_none) p.set_grad({});
      else if (grad.requires_grad() || !grad.is_leaf()) p.set_grad(zeros_like(grad));  // a graph: drop it
      else grad.zero_();
    }
}

Tensor Optimizer::step(LossClosure closure) {
  Tensor loss;
  if (closure) {
    AutoGradMode enable(true);
    loss = closure();
  }
  NoGradGuard guard;
  for (const auto& g : groups_) {
    check_options(g.options());
    for (const auto& p : g.params()) {
      const Tensor grad = p.grad();
      if (grad.defined() && (!(grad.shape() == p.shape()) || grad.dtype() != p.dtype()))
        throw ValueError(fmt::format("{}.step: gradient of shape {} ({}) does not match its parameter's {} ({})", name(),
                                     to_string(grad.shape()), dtype_name(grad.dtype()), to_string(p.shape()),
                                     dtype_name(p.dtype())));
    }
  }
  for (auto& g : groups_)
    for (auto& p : g.params()) {
      const Tensor grad = p.grad();
      if (!grad.defined()) continue;
      update(p, grad, state_[p.impl().get()], g.options());
    }
  return loss;
}

std::vector<Tensor> Optimizer::parameters() const {
  std::vector<Tensor> out;
  for (const auto& g : groups_) out.insert(out.end(), g.params().begin(), g.params().end());
  return out;
}

std::size_t Optimizer::size() const {
  std::size_t n = 0;
  for (const auto& g : groups_) n += g.params().size();
  return n;
}

const ParamState* Optimizer::state(const Tensor& param) const {
  if (!param.defined()) return nullptr;
  const auto it = state_.find(param.impl().get());
  return it == state_.end() ? nullptr : &it->second;
}

// The state dict records the optimizer's type as the key "type.<name>" (a 0-d int64 1), so a state
// is never loaded into another optimizer with the same keys (Adam into AdamW).
namespace {
constexpr const char* kTypePrefix = "type.";
}

StateDict Optimizer::state_dict() const {
  StateDict dict;
  dict[kTypePrefix + std::string(name())] = full({}, 1, kInt64);
  std::int64_t id = 0;
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const std::string prefix = fmt::format("param_groups.{}.", g);
    std::vector<std::int64_t> ids;
    for (const auto& p : groups_[g].params()) {
      if (const ParamState* st = state(p)) {
        const std::string sp = fmt::format("state.{}.", id);
        detail::put(dict, sp + "step", st->step);
        for (const auto& [name, buf] : st->buffers) dict[sp + name] = buf.detach().clone();
      }
      ids.push_back(id++);
    }
    dict[prefix + "params"] = from_vector(ids, Shape{static_cast<std::int64_t>(ids.size())});
    groups_[g].options().save(dict, prefix);
  }
  return dict;
}

void Optimizer::load_state_dict(const StateDict& dict) {
  const std::string who_s = std::string(name()) + ".load_state_dict";
  const char* who = who_s.c_str();
  // The type first (a state saved before types were recorded has none and is accepted).
  for (const auto& [key, value] : dict)
    if (key.rfind(kTypePrefix, 0) == 0 && key != kTypePrefix + std::string(name()))
      throw ValueError(fmt::format("{}: the state is of optimizer '{}', not {}", who,
                                   xg::detail::excerpt(key.substr(std::string(kTypePrefix).size()), 64), name()));
  std::size_t n_groups = 0;
  while (dict.count(fmt::format("param_groups.{}.params", n_groups))) ++n_groups;
  if (n_groups != groups_.size())
    throw ValueError(fmt::format("{}: the state has {} param groups, the optimizer has {}", who, n_groups, groups_.size()));

  // Options and the id -> parameter map.
  std::vector<std::unique_ptr<OptimizerOptions>> options;
  std::map<std::int64_t, Tensor> by_id;
  for (std::size_t g = 0; g < n_groups; ++g) {
    const std::string prefix = fmt::format("param_groups.{}.", g);
    const Tensor& ids = detail::get_tensor(dict, prefix + "params", who);
    if (ids.dtype() != kInt64 || ids.dim() != 1)
      throw ValueError(fmt::format("{}: '{}params' must be a 1-D int64 tensor", who, prefix));
    const auto& params = groups_[g].params();
    if (static_cast<std::size_t>(ids.numel()) != params.size())
      throw ValueError(fmt::format("{}: param group {} has {} parameters in the state, {} in the optimizer", who, g,
                                   ids.numel(), params.size()));
    const auto v = ids.to_vector<std::int64_t>();
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!by_id.emplace(v[i], params[i]).second)
        throw ValueError(fmt::format("{}: parameter id {} appears twice", who, v[i]));
    auto o = defaults_->clone();
    o->load(dict, prefix);
    try {
      o->validate();
    } catch (const ValueError& e) {
      throw ValueError(fmt::format("{}: param group {}: {}", who, g, e.what()));
    }
    options.push_back(std::move(o));
  }

  // Per-parameter state.
  const auto names = buffer_names();
  std::unordered_map<const TensorImpl*, ParamState> state;
  for (const auto& [key, value] : dict) {
    if (key.rfind(kTypePrefix, 0) == 0) continue;
    if (key.rfind("param_groups.", 0) == 0) {
      std::size_t g = 0;
      const char* first = key.data() + 13;
      const char* last = key.data() + key.size();
      const auto [ptr, ec] = std::from_chars(first, last, g);
      if (ec != std::errc() || ptr == last || *ptr != '.' || g >= n_groups)
        throw ValueError(fmt::format("{}: unexpected key '{}' (the optimizer has {} param groups)", who,
                                     xg::detail::excerpt(key, 64), n_groups));
      continue;
    }
    if (key.rfind("state.", 0) != 0) throw ValueError(fmt::format("{}: unexpected key '{}'", who, xg::detail::excerpt(key, 64)));
    const auto dot = key.find('.', 6);
    std::int64_t id = -1;
    const char* first = key.data() + 6;
    const char* last = key.data() + (dot == std::string::npos ? key.size() : dot);
    const auto [ptr, ec] = std::from_chars(first, last, id);
    if (dot == std::string::npos || ec != std::errc() || ptr != last)
      throw ValueError(fmt::format("{}: malformed key '{}' (expected state.<id>.<name>)", who, xg::detail::excerpt(key, 64)));
    const auto it = by_id.find(id);
    if (it == by_id.end()) throw ValueError(fmt::format("{}: key '{}' names no parameter", who, xg::detail::excerpt(key, 64)));
    const Tensor& p = it->second;
    ParamState& st = state[p.impl().get()];
    const std::string bname = key.substr(dot + 1);
    if (bname == "step") {
      st.step = detail::get<std::int64_t>(dict, key, who);
      if (st.step < 0) throw ValueError(fmt::format("{}: '{}' is negative ({})", who, key, st.step));
      continue;
    }
    if (std::find(names.begin(), names.end(), bname) == names.end())
      throw ValueError(fmt::format("{}: '{}' is not a buffer of {}", who, xg::detail::excerpt(key, 64), name()));
    if (!value.defined() || !(value.shape() == p.shape()) || value.dtype() != p.dtype())
      throw ValueError(fmt::format("{}: '{}' has shape {} ({}), its parameter has {} ({})", who, key,
                                   value.defined() ? to_string(value.shape()) : "undefined",
                                   value.defined() ? dtype_name(value.dtype()) : "-", to_string(p.shape()),
                                   dtype_name(p.dtype())));
    st.buffers[bname] = value.detach().clone();
  }

  // Commit.
  for (std::size_t g = 0; g < n_groups; ++g) groups_[g].set_options(std::move(options[g]));
  state_ = std::move(state);
}

namespace detail {
Tensor& buffer(ParamState& state, const std::string& name, const Tensor& p, double init) {
  auto it = state.buffers.find(name);
  if (it == state.buffers.end()) it = state.buffers.emplace(name, full(p.shape(), init, p.dtype())).first;
  return it->second;
}
void mark_updated(Tensor& p) {
  p.bump_version("optimizer.step");
}
}  // namespace detail

}  // namespace xg::optim
