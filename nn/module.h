#pragma once
// xg::nn::Module: parameters, buffers, submodules, train/eval, state_dict, freezing and hooks.
// Layers are used through holders as in LibTorch (nn/module_holder.h): nn::Linear is a
// shared_ptr-like handle to an nn::LinearImpl, and XG_MODULE(Net) does the same for a user's NetImpl:
//
//   struct NetImpl : xg::nn::Module {
//     NetImpl() { fc1 = register_module("fc1", xg::nn::Linear(784, 256)); fc2 = register_module("fc2", xg::nn::Linear(256, 10)); }
//     xg::Tensor forward(xg::Tensor x) { return fc2(xg::relu(fc1(x))); }
//     xg::nn::Linear fc1{nullptr}, fc2{nullptr};
//   };
//   XG_MODULE(Net);
//
// forward need not override Module's virtual forward(const Tensor&): holders call the user's own
// forward (any arguments), and also make it the module's forward when reached through a Module&
// (Sequential, gradcheck, ...). Modules themselves are neither copyable nor movable (children may
// be registered by reference as members); holders are copyable and share the module.
#include <functional>
#include <memory>
#include <optional>
#include <concepts>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "tensor/state_dict.h"
#include "tensor/tensor.h"

namespace xg::nn {

class Module;
template <class Contained> class ModuleHolder;
namespace detail {
template <class M> void bind_forward(M& m);
}
using xg::NamedTensors;
using NamedModules = std::vector<std::pair<std::string, Module*>>;

// Hooks LibTorch's C++ frontend does not have. A pre-hook may return a replacement input, a
// forward hook a replacement output; a backward hook sees the gradient w.r.t. the module's output.
using ForwardPreHook = std::function<std::optional<Tensor>(Module&, const Tensor& input)>;
using ForwardHook = std::function<std::optional<Tensor>(Module&, const Tensor& input, const Tensor& output)>;
using BackwardHook = std::function<void(Module&, const Tensor& grad_output)>;

struct HookLists;

// Returned by register_*_hook; remove() unregisters the hook (safe after the module is gone).
class HookHandle {
 public:
  HookHandle() = default;
  HookHandle(std::weak_ptr<HookLists> lists, std::int64_t id) : lists_(std::move(lists)), id_(id) {}
  void remove();

 private:
  std::weak_ptr<HookLists> lists_;
  std::int64_t id_ = 0;
};

class Module {
 public:
  Module();
  virtual ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The computation. Modules with one input override this; call the module with operator().
  virtual Tensor forward(const Tensor& input);
  Tensor operator()(const Tensor& input);
  // Runs the hooks around fwd(input) (what operator() does around forward); holders use it.
  Tensor call_with_hooks(const Tensor& input, const std::function<Tensor(const Tensor&)>& fwd);
  bool has_hooks() const;

  // The module as its concrete type (nullptr if it is not one): m.as<Linear>() or m.as<LinearImpl>().
  template <class T> auto* as() {
    if constexpr (requires { typename T::ContainedType; }) return dynamic_cast<typename T::ContainedType*>(this);
    else return dynamic_cast<T*>(this);
  }

  // Name shown when printing ("Linear"), and its arguments ("in_features=2, out_features=3").
  virtual std::string type_name() const { return "Module"; }
  virtual std::string extra_repr() const { return ""; }

  Tensor register_parameter(const std::string& name, Tensor t, bool requires_grad = true);
  Tensor register_buffer(const std::string& name, Tensor t);
  // By reference: the child is a member of this module (not owned).
  template <class M>
    requires std::derived_from<M, Module>
  M& register_module(const std::string& name, M& child) {
    detail::bind_forward(child);
    add_child(name, &child, nullptr);
    return child;
  }
  // By shared_ptr: this module co-owns the child.
  template <class M> std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> child) {
    if (child) detail::bind_forward(*child);
    add_child(name, child.get(), child);
    return child;
  }
  // By holder, as LibTorch: `fc1 = register_module("fc1", nn::Linear(784, 64));`.
  template <class M> std::shared_ptr<M> register_module(const std::string& name, ModuleHolder<M> child) {
    return register_module(name, child.ptr());
  }

  NamedTensors named_parameters(bool recurse = true) const;
  std::vector<Tensor> parameters(bool recurse = true) const;
  NamedTensors named_buffers(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  NamedModules named_children() const;
  NamedModules named_modules();  // this module first, with name ""
  Module* get_submodule(const std::string& dotted_name);  // throws ValueError if absent
  Tensor parameter(const std::string& dotted_name) const;  // throws ValueError if absent

  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  // Freezing (transfer learning): frozen parameters get no gradient and no update.
  void requires_grad_(bool on);
  void zero_grad(bool set_to_none = true);
  // Converts parameters and buffers in place (same Tensor handles), float dtypes only.
  void to(DType dtype);
  // CPU only: Device(kCPU) leaves the module as it is, a CUDA device raises a ValueError.
  void to(Device device, bool non_blocking = false);

  // Parameters and buffers by dotted name; the tensors share storage with the module's.
  StateDict state_dict() const;
  // Copies values in. Checks everything first: with strict, missing and unexpected keys are
  // errors; shape or dtype mismatches always are. On error nothing is modified.
  void load_state_dict(const StateDict& sd, bool strict = true);

  HookHandle register_forward_pre_hook(ForwardPreHook hook);
  HookHandle register_forward_hook(ForwardHook hook);
  HookHandle register_full_backward_hook(BackwardHook hook);

  std::int64_t num_parameters(bool trainable_only = false) const;

  // A deep copy, as LibTorch's clone(): the module is built again the way its holder built it
  // (nn::Linear(2, 3), Net(args) of XG_MODULE(Net)), then parameters and buffers (values, dtype,
  // requires_grad) and training modes are copied in, not shared. Hooks and gradients are not
  // copied. ValueError for a module built otherwise (a plain member, make_shared): it cannot be
  // built again. Sequential clones its children.
  virtual std::shared_ptr<Module> clone() const;

 protected:
  // Copies parameters, buffers and training modes into `copy`, which must have the same names.
  void copy_state_into(Module& copy) const;

 private:
  template <class C> friend class ModuleHolder;
  std::function<std::shared_ptr<Module>()> factory_;  // set by the holder that constructed this module
  template <class M> friend void detail::bind_forward(M& m);
  void add_child(const std::string& name, Module* child, std::shared_ptr<Module> owned);
  void check_new_name(const std::string& name) const;

  std::function<Tensor(const Tensor&)> own_forward_;  // a subclass's forward that does not override ours

  bool training_ = true;
  NamedTensors params_;
  NamedTensors buffers_;
  struct Child {
    std::string name;
    Module* module;
    std::shared_ptr<Module> owned;
  };
  std::vector<Child> children_;
  std::shared_ptr<HookLists> hooks_;
};

namespace detail {
template <class M> constexpr bool inherits_module_forward() {
  if constexpr (requires { &M::forward; }) return std::is_same_v<decltype(&M::forward), Tensor (Module::*)(const Tensor&)>;
  else return false;
}
// When M's forward takes one Tensor but is not an override (forward(Tensor) by value, as LibTorch
// users write it), Module::forward calls it, so Sequential, gradcheck or the trainer reach it too.
template <class M> void bind_forward(M& m) {
  if constexpr (!inherits_module_forward<M>() &&
                requires(M& mm, const Tensor& x) { { mm.forward(x) } -> std::convertible_to<Tensor>; }) {
    M* self = &m;
    m.own_forward_ = [self](const Tensor& x) -> Tensor { return self->forward(x); };
  }
}
}  // namespace detail

// PyTorch-style nested repr: "Net(\n  (fc1): Linear(in_features=784, out_features=256, bias=true)\n)".
std::string to_string(const Module& m);
std::ostream& operator<<(std::ostream& os, const Module& m);
// A table of every parameter: name, shape, count, trainable or frozen, and the totals.
std::string summary(const Module& m);

}  // namespace xg::nn
