#include "nn/module.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"
#include "tensor/detail/excerpt.h"

namespace xg::nn {

struct HookLists {
  std::int64_t next_id = 0;
  std::vector<std::pair<std::int64_t, ForwardPreHook>> pre;
  std::vector<std::pair<std::int64_t, ForwardHook>> forward;
  std::vector<std::pair<std::int64_t, BackwardHook>> backward;
};

void HookHandle::remove() {
  if (auto lists = lists_.lock()) {
    auto drop = [this](auto& v) { std::erase_if(v, [this](const auto& h) { return h.first == id_; }); };
    drop(lists->pre);
    drop(lists->forward);
    drop(lists->backward);
  }
}

Module::Module() : hooks_(std::make_shared<HookLists>()) {}
Module::~Module() = default;

Tensor Module::forward(const Tensor& x) {
  if (own_forward_) return own_forward_(x);
  throw ValueError(fmt::format(
      "{}: this module has no forward taking one tensor here; call it through its holder (XG_MODULE) or override "
      "forward(const Tensor&)",
      type_name()));
}

bool Module::has_hooks() const { return !(hooks_->pre.empty() && hooks_->forward.empty() && hooks_->backward.empty()); }

Tensor Module::operator()(const Tensor& input) {
  if (!has_hooks()) return forward(input);
  return call_with_hooks(input, [this](const Tensor& x) { return forward(x); });
}

Tensor Module::call_with_hooks(const Tensor& input, const std::function<Tensor(const Tensor&)>& fwd) {
  if (!has_hooks()) return fwd(input);
  Tensor x = input;
  for (const auto& [id, h] : hooks_->pre)
    if (auto r = h(*this, x)) x = *r;
  Tensor y = fwd(x);
  for (const auto& [id, h] : hooks_->forward)
    if (auto r = h(*this, x, y)) y = *r;
  if (!hooks_->backward.empty() && y.requires_grad()) {
    // A tensor hook on the output calls the module's backward hooks with d(loss)/d(output).
    std::weak_ptr<HookLists> lists = hooks_;
    Module* self = this;
    y = xg::clone(y);  // a node of our own, so the hook sees only this module's output
    y.register_hook([lists, self](const Tensor& g) {
      if (auto l = lists.lock())
        for (const auto& [id, h] : l->backward) h(*self, g);
      return Tensor{};
    });
  }
  return y;
}

HookHandle Module::register_forward_pre_hook(ForwardPreHook hook) {
  hooks_->pre.emplace_back(++hooks_->next_id, std::move(hook));
  return {hooks_, hooks_->next_id};
}
HookHandle Module::register_forward_hook(ForwardHook hook) {
  hooks_->forward.emplace_back(++hooks_->next_id, std::move(hook));
  return {hooks_, hooks_->next_id};
}
HookHandle Module::register_full_backward_hook(BackwardHook hook) {
  hooks_->backward.emplace_back(++hooks_->next_id, std::move(hook));
  return {hooks_, hooks_->next_id};
}

void Module::check_new_name(const std::string& name) const {
  if (name.empty() || name.find('.') != std::string::npos)
    throw ValueError(fmt::format("{}: invalid name '{}' (must be non-empty and contain no '.')", type_name(), name));
  auto taken = [&name](const auto& v) { return std::any_of(v.begin(), v.end(), [&](const auto& e) { return e.first == name; }); };
  if (taken(params_) || taken(buffers_) ||
      std::any_of(children_.begin(), children_.end(), [&](const Child& c) { return c.name == name; }))
    throw ValueError(fmt::format("{}: the name '{}' is already registered", type_name(), name));
}

Tensor Module::register_parameter(const std::string& name, Tensor t, bool requires_grad) {
  check_new_name(name);
  if (!t.defined()) throw ValueError(fmt::format("register_parameter: parameter '{}' is undefined", name));
  if (requires_grad) t.requires_grad_(true);
  params_.emplace_back(name, std::move(t));
  return params_.back().second;
}

Tensor Module::register_buffer(const std::string& name, Tensor t) {
  check_new_name(name);
  buffers_.emplace_back(name, std::move(t));
  return buffers_.back().second;
}

void Module::add_child(const std::string& name, Module* child, std::shared_ptr<Module> owned) {
  check_new_name(name);
  if (!child) throw ValueError(fmt::format("register_module: module '{}' is null", name));
  children_.push_back({name, child, std::move(owned)});
}

namespace {
void collect(const Module& m, const std::string& prefix, bool recurse, bool params, NamedTensors& out,
             const NamedTensors& own, const NamedModules& children) {
  for (const auto& [n, t] : own) out.emplace_back(prefix + n, t);
  if (!recurse) return;
  for (const auto& [cn, c] : children) {
    const NamedTensors sub = params ? c->named_parameters(true) : c->named_buffers(true);
    for (const auto& [n, t] : sub) out.emplace_back(prefix + cn + "." + n, t);
  }
  (void)m;
}
}  // namespace

NamedTensors Module::named_parameters(bool recurse) const {
  NamedTensors out;
  collect(*this, "", recurse, true, out, params_, named_children());
  return out;
}
std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_parameters(recurse)) out.push_back(t);
  return out;
}
NamedTensors Module::named_buffers(bool recurse) const {
  NamedTensors out;
  collect(*this, "", recurse, false, out, buffers_, named_children());
  return out;
}
std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_buffers(recurse)) out.push_back(t);
  return out;
}
NamedModules Module::named_children() const {
  NamedModules out;
  for (const auto& c : children_) out.emplace_back(c.name, c.module);
  return out;
}
NamedModules Module::named_modules() {
  NamedModules out{{"", this}};
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto [prefix, m] = out[i];
    for (const auto& [cn, c] : m->named_children()) out.emplace_back(prefix.empty() ? cn : prefix + "." + cn, c);
  }
  return out;
}

Module* Module::get_submodule(const std::string& dotted) {
  for (const auto& [n, m] : named_modules())
    if (n == dotted) return m;
  throw ValueError(fmt::format("{}: no submodule named '{}'", type_name(), dotted));
}

Tensor Module::parameter(const std::string& dotted) const {
  for (const auto& [n, t] : named_parameters())
    if (n == dotted) return t;
  throw ValueError(fmt::format("{}: no parameter named '{}'", type_name(), dotted));
}

std::shared_ptr<Module> Module::clone() const {
  if (!factory_)
    throw ValueError(fmt::format("clone: this {} was not constructed through a module holder with copyable arguments "
                                 "(nn::Linear(2, 3), or Net(...) for XG_MODULE(Net)), so it cannot be built again",
                                 type_name()));
  std::shared_ptr<Module> copy = factory_();
  copy_state_into(*copy);
  return copy;
}

void Module::copy_state_into(Module& copy) const {
  auto& self = const_cast<Module&>(*this);  // named_modules() hands out mutable pointers; nothing is changed here
  const NamedModules mine = self.named_modules(), theirs = copy.named_modules();
  const NamedTensors my_params = named_parameters(), my_buffers = named_buffers();
  const NamedTensors their_params = copy.named_parameters(), their_buffers = copy.named_buffers();
  // Check everything before changing anything.
  auto same_names = [](const auto& a, const auto& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const auto& x, const auto& y) { return x.first == y.first; });
  };
  if (!same_names(mine, theirs) || !same_names(my_params, their_params) || !same_names(my_buffers, their_buffers))
    throw ValueError(fmt::format("clone: the {} built again has other submodules, parameters or buffers than the original "
                                 "({} parameters and {} buffers against {} and {})",
                                 type_name(), their_params.size(), their_buffers.size(), my_params.size(), my_buffers.size()));
  for (const auto* list : {&their_params, &their_buffers})
    for (const auto& [name, t] : *list)
      for (const auto* originals : {&my_params, &my_buffers})
        for (const auto& [n, o] : *originals)
          if (t.is_same(o))
            throw ValueError(fmt::format("clone: '{}' of the {} built again is the original's tensor '{}' itself (the module "
                                         "was built from a tensor argument), so it cannot be copied apart",
                                         name, type_name(), n));
  const NoGradGuard no_grad;
  for (std::size_t i = 0; i < my_params.size(); ++i) {
    Tensor t = their_params[i].second;
    t.set_data(my_params[i].second.detach().clone());
    t.requires_grad_(my_params[i].second.requires_grad());
  }
  for (std::size_t i = 0; i < my_buffers.size(); ++i) {
    Tensor t = their_buffers[i].second;
    t.set_data(my_buffers[i].second.detach().clone());
  }
  for (std::size_t i = 0; i < mine.size(); ++i) theirs[i].second->training_ = mine[i].second->training_;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& c : children_) c.module->train(on);
}

void Module::requires_grad_(bool on) {
  for (auto& [n, p] : named_parameters()) {
    p.requires_grad_(on);
    if (!on) p.set_grad({});
  }
}

void Module::zero_grad(bool set_to_none) {
  for (auto& p : parameters()) {
    if (!p.grad().defined()) continue;
    if (set_to_none) p.set_grad({});
    else {
      Tensor g = p.grad();
      NoGradGuard ng;
      g.zero_();
    }
  }
}

void Module::to(DType dtype) {
  if (!is_floating(dtype)) throw DTypeError(fmt::format("{}.to: modules hold float parameters; got {}", type_name(), dtype_name(dtype)));
  auto convert = [dtype](Tensor& t) {
    if (!t.defined() || !t.is_floating_point() || t.dtype() == dtype) return;
    t.set_data(t.detach().to(dtype));  // same handle, new data: every copy of the handle sees it
    t.set_grad({});
  };
  for (auto& [n, p] : named_parameters()) convert(p);
  for (auto& [n, b] : named_buffers()) convert(b);
}

void Module::to(Device device, bool) { ::xg::detail::check_cpu((type_name() + ".to").c_str(), device); }

StateDict Module::state_dict() const {
  StateDict sd;
  for (const auto& [n, t] : named_parameters()) sd[n] = t.detach();
  for (const auto& [n, t] : named_buffers())
    if (t.defined()) sd[n] = t.detach();
  return sd;
}

void Module::load_state_dict(const StateDict& sd, bool strict) {
  NamedTensors mine = named_parameters();
  for (auto& b : named_buffers())
    if (b.second.defined()) mine.push_back(b);
  std::vector<std::string> missing, mismatched, unexpected;
  std::set<std::string> known;
  for (const auto& [n, t] : mine) {
    known.insert(n);
    auto it = sd.find(n);
    if (it == sd.end()) {
      missing.push_back(n);
      continue;
    }
    const Tensor& v = it->second;
    if (!v.defined() || !(v.shape() == t.shape()) || v.dtype() != t.dtype())
      mismatched.push_back(fmt::format("'{}': expected {} {}, got {}", n, to_string(t.shape()), dtype_name(t.dtype()),
                                       v.defined() ? to_string(v.shape()) + " " + std::string(dtype_name(v.dtype())) : "undefined"));
  }
  for (const auto& [n, t] : sd)
    if (!known.count(n)) unexpected.push_back(n);
  // Keys may come from a file: the message quotes a few, each cut short and sanitized.
  auto some = [](const std::vector<std::string>& keys) {
    std::string out;
    for (std::size_t i = 0; i < keys.size() && i < 8; ++i) out += (i ? ", " : "") + xg::detail::excerpt(keys[i], 64);
    return keys.size() > 8 ? fmt::format("{} and {} more", out, keys.size() - 8) : out;
  };
  std::string err;
  if (strict && !missing.empty()) err += fmt::format(" missing keys: {};", some(missing));
  if (strict && !unexpected.empty()) err += fmt::format(" unexpected keys: {};", some(unexpected));
  if (!mismatched.empty()) err += fmt::format(" shape/dtype mismatches: {};", fmt::join(mismatched, "; "));
  if (!err.empty()) {
    err.pop_back();
    throw ValueError(fmt::format("{}.load_state_dict: nothing was loaded;{}", type_name(), err));
  }
  NoGradGuard ng;
  for (auto& [n, t] : mine) {
    auto it = sd.find(n);
    if (it != sd.end()) t.copy_(it->second);
  }
}

std::int64_t Module::num_parameters(bool trainable_only) const {
  std::int64_t n = 0;
  for (const auto& p : parameters())
    if (!trainable_only || p.requires_grad()) n += p.numel();
  return n;
}

namespace {
void repr(const Module& m, std::string& out, int indent) {
  out += m.type_name() + "(";
  const auto children = m.named_children();
  if (children.empty()) {
    out += m.extra_repr() + ")";
    return;
  }
  out += m.extra_repr().empty() ? "\n" : m.extra_repr() + "\n";
  for (const auto& [n, c] : children) {
    out += fmt::format("{:{}}({}): ", "", indent + 2, n);
    repr(*c, out, indent + 2);
    out += "\n";
  }
  out += fmt::format("{:{}})", "", indent);
}
}  // namespace

std::string to_string(const Module& m) {
  std::string out;
  repr(m, out, 0);
  return out;
}
std::ostream& operator<<(std::ostream& os, const Module& m) { return os << to_string(m); }

std::string summary(const Module& m) {
  std::string out = fmt::format("{:<32} {:<16} {:>12}  {}\n", "parameter", "shape", "count", "trainable");
  std::int64_t total = 0, trainable = 0;
  for (const auto& [n, p] : m.named_parameters()) {
    out += fmt::format("{:<32} {:<16} {:>12}  {}\n", n, to_string(p.shape()), p.numel(), p.requires_grad() ? "yes" : "frozen");
    total += p.numel();
    if (p.requires_grad()) trainable += p.numel();
  }
  out += fmt::format("total {} parameters: {} trainable, {} frozen\n", total, trainable, total - trainable);
  return out;
}

}  // namespace xg::nn
