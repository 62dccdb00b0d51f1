#pragma once
// Module holders, as LibTorch's: nn::Linear is a copyable handle sharing one nn::LinearImpl
// (std::shared_ptr semantics). XG_MODULE(Net) makes a user's NetImpl into the holder Net.
//
//   nn::Linear fc(784, 64);          // constructs a LinearImpl
//   nn::Linear later{nullptr};       // empty; assign later: later = nn::Linear(3, 4)
//   fc->weight; fc(x); fc->forward(x); *fc (the LinearImpl&); fc.ptr() (the shared_ptr)
//
// Calling a holder calls its module's own forward with the arguments given, so a forward that is
// not virtual (forward(Tensor) by value, or with several inputs) works as in LibTorch; with one
// tensor in and one out, the module's hooks run around it.
#include <functional>
#include <memory>
#include <ostream>
#include <type_traits>
#include <utility>

#include "nn/module.h"
#include "tensor/errors.h"

namespace xg::nn {

template <class Contained>
class ModuleHolder {
  template <class T> static constexpr bool is_holder_v = std::is_base_of_v<ModuleHolder, std::remove_cvref_t<T>>;

 public:
  using ContainedType = Contained;

  // Constructs the module with its default arguments; `Name x{nullptr}` makes an empty holder.
  ModuleHolder() : impl_(std::make_shared<Contained>()) {
    static_assert(std::is_default_constructible_v<Contained>,
                  "this module has no default constructor: give its arguments, or write `= nullptr` for an empty holder");
    detail::bind_forward(*impl_);
    impl_->factory_ = [] { return std::shared_ptr<Module>(std::make_shared<Contained>()); };
  }
  ModuleHolder(std::nullptr_t) {}
  ModuleHolder(std::shared_ptr<Contained> module) : impl_(std::move(module)) {
    if (impl_) detail::bind_forward(*impl_);
  }
  // Forwards the arguments to the module's constructor: nn::Linear(784, 64), nn::Linear(LinearOptions(...)).
  template <class Head, class... Tail>
    requires(!(sizeof...(Tail) == 0 &&
               (std::is_same_v<std::remove_cvref_t<Head>, std::nullptr_t> || is_holder_v<Head> ||
                std::is_convertible_v<Head, std::shared_ptr<Contained>>)))
  explicit ModuleHolder(Head&& head, Tail&&... tail)
  {
    // clone() builds the module again from copies of the same arguments (taken before they are forwarded).
    std::function<std::shared_ptr<Module>()> factory;
    if constexpr (std::is_constructible_v<Contained, const std::decay_t<Head>&, const std::decay_t<Tail>&...> &&
                  std::is_copy_constructible_v<std::decay_t<Head>> && (std::is_copy_constructible_v<std::decay_t<Tail>> && ...))
      factory = [h = std::decay_t<Head>(head), ... t = std::decay_t<Tail>(tail)] {
        return std::shared_ptr<Module>(std::make_shared<Contained>(h, t...));
      };
    impl_ = std::make_shared<Contained>(std::forward<Head>(head), std::forward<Tail>(tail)...);
    detail::bind_forward(*impl_);
    impl_->factory_ = std::move(factory);
  }

  Contained* operator->() const { return &**this; }
  Contained& operator*() const {
    if (!impl_) throw ValueError("nn::ModuleHolder: accessing an empty module holder (constructed with nullptr)");
    return *impl_;
  }
  // A holder stands for its module wherever a Module& (or Impl&) is expected: gradcheck(model, ...).
  operator Contained&() const { return **this; }
  const std::shared_ptr<Contained>& ptr() const noexcept { return impl_; }
  Contained* get() const noexcept { return impl_.get(); }
  bool is_empty() const noexcept { return impl_ == nullptr; }
  explicit operator bool() const noexcept { return impl_ != nullptr; }

  // seq[i] and the like: the module's own operator[].
  template <class Arg> decltype(auto) operator[](Arg&& arg) const { return (**this)[std::forward<Arg>(arg)]; }

  // model(x): the module's forward with these arguments (and its hooks around a one-tensor forward).
  template <class... Args>
    requires requires(Contained& m, Args&&... a) { m.forward(std::forward<Args>(a)...); }
  decltype(auto) operator()(Args&&... args) const {
    Contained& m = **this;
    using Result = decltype(m.forward(std::forward<Args>(args)...));
    if constexpr (sizeof...(Args) == 1 && (std::is_convertible_v<Args, const Tensor&> && ...) &&
                  std::is_same_v<std::remove_cvref_t<Result>, Tensor>) {
      if (!m.has_hooks()) return Tensor(m.forward(std::forward<Args>(args)...));
      return m.call_with_hooks(args..., [&m](const Tensor& x) { return Tensor(m.forward(x)); });
    } else {
      if (m.has_hooks())
        throw ValueError(m.type_name() + ": hooks need a forward taking one tensor and returning one; this call has " +
                         std::to_string(sizeof...(Args)) + " arguments");
      return m.forward(std::forward<Args>(args)...);
    }
  }

 protected:
  std::shared_ptr<Contained> impl_;
};

template <class C> std::ostream& operator<<(std::ostream& os, const ModuleHolder<C>& h) {
  if (h.is_empty()) return os << "(empty module holder)";
  return os << static_cast<const Module&>(*h);
}

}  // namespace xg::nn

// Makes NameImpl (a Module) into the holder Name, as LibTorch's TORCH_MODULE.
#define XG_MODULE(Name)                                            \
  class Name : public ::xg::nn::ModuleHolder<Name##Impl> {         \
   public:                                                         \
    using ::xg::nn::ModuleHolder<Name##Impl>::ModuleHolder;        \
  }
