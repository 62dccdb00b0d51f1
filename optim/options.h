#pragma once
// The base of an optimizer's options type. The type writes each option once, as a line of its
// option list (optim/option_list.h); this base derives from that list what every
// OptimizerOptions must do: validate, save, load and print.
//   #define MY_OPTIONS(option) option(double, lr, 0, rule::nonneg) option(bool, fancy, false)
//   struct MyOptions : OptimizerOptionsFor<MyOptions> {
//     static constexpr const char* kOptimizerName = "My";
//     MyOptions(double lr) { this->lr(lr); }
//     XG_OPTIONS(MyOptions, MY_OPTIONS)
//   };
#include <string>

#include "optim/option_io.h"
#include "optim/option_list.h"
#include "optim/option_rules.h"
#include "optim/optimizer.h"

namespace xg::optim {

template <class Derived> class OptimizerOptionsFor : public OptimizerCloneableOptions<Derived> {
 public:
  const char* optimizer_name() const override { return Derived::kOptimizerName; }
  double get_lr() const override { return self().lr(); }
  void set_lr(double lr) override { static_cast<Derived&>(*this).lr(lr); }
  void validate() const override { detail::validate_options(self(), Derived::kOptimizerName); }
  void save(StateDict& dict, const std::string& prefix) const override { detail::save_options(self(), dict, prefix); }
  void load(const StateDict& dict, const std::string& prefix) override {
    const std::string who = std::string(Derived::kOptimizerName) + ".load_state_dict";
    detail::load_options(static_cast<Derived&>(*this), dict, prefix, who.c_str());
  }
  std::string to_string() const override {
    return std::string(Derived::kOptimizerName) + "(" + detail::format_options(self()) + ")";
  }

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }
};

}  // namespace xg::optim
