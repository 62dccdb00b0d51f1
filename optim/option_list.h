#pragma once
// An options type writes each option once, as one line of a list macro (optim/sgd.h):
//   #define XG_SGD_OPTIONS(option) option(double, lr, 0, rule::nonneg) option(bool, nesterov, false)
//   struct SGDOptions : ... { XG_OPTIONS(SGDOptions, XG_SGD_OPTIONS) };
// (the real lists put one option per line, continued with backslashes).
// A line is: type (an alias if it holds a comma), name (also the state_dict key), default (in
// parentheses if it holds a comma), then the rules of optim/option_rules.h its value must follow.
// XG_OPTIONS expands the list twice: into chainable options (field lr_, setter lr(v) returning
// Self&, getter lr()), and into for_each_option(self, option), which calls
// option("lr", self.lr_, rule::nonneg) for each line in order; validation, saving, loading and
// printing (optim/option_io.h) are all driven by that one visitor. XG_SETTINGS does the same for
// an internal aggregate with plain public fields (a scheduler's settings).
#include "optim/optimizer.h"

#define XG_OPTION_FIELD_(T, name, init, ...) XG_CHAINED_OPTION(XgOptionsSelf_, name, T) = init;
#define XG_OPTION_VISIT_(T, name, init, ...) option(#name, self.name##_ __VA_OPT__(, ) __VA_ARGS__);
#define XG_SETTING_FIELD_(T, name, init, ...) T name = init;
#define XG_SETTING_VISIT_(T, name, init, ...) option(#name, self.name __VA_OPT__(, ) __VA_ARGS__);

#define XG_OPTIONS(Self, LIST) \
 public:                       \
  using XgOptionsSelf_ = Self; \
  LIST(XG_OPTION_FIELD_)       \
 public:                       \
  static void for_each_option(auto& self, auto&& option) { LIST(XG_OPTION_VISIT_) }

#define XG_SETTINGS(LIST)    \
  LIST(XG_SETTING_FIELD_)    \
  static void for_each_option(auto& self, auto&& option) { LIST(XG_SETTING_VISIT_) }
