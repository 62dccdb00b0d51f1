#pragma once
// Internal: how an op records itself. Every op in autodiff/ops_*.cpp calls its tensor/ kernel,
// then record(): when grad mode is on and an input requires grad, a node holding the derivative
// rule `rule(node, grad_out) -> grads per input` becomes the output's grad_fn.
#include <span>

#include "autodiff/grad_mode.h"
#include "autodiff/node.h"

namespace xg::autograd {

inline bool should_record(std::span<const Tensor* const> inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->defined() && t->impl()->requires_grad) return true;
  return false;
}

void attach(const std::shared_ptr<Node>& node, Tensor& out, const char* name, const SourceLocation& loc,
            std::span<const Tensor* const> inputs, std::span<const Tensor* const> saved);

template <class Rule>
Tensor record(Tensor out, const char* name, const SourceLocation& loc, std::initializer_list<const Tensor*> inputs,
              std::initializer_list<const Tensor*> saved, Rule&& rule) {
  std::span<const Tensor* const> in(inputs.begin(), inputs.size());
  if (!should_record(in)) return out;
  attach(std::make_shared<FnNode<std::decay_t<Rule>>>(std::forward<Rule>(rule)), out, name, loc, in,
         std::span<const Tensor* const>(saved.begin(), saved.size()));
  return out;
}

// Variant for ops with a variable number of inputs (cat, stack).
template <class Rule>
Tensor record_many(Tensor out, const char* name, const SourceLocation& loc, const std::vector<Tensor>& inputs, Rule&& rule) {
  std::vector<const Tensor*> ptrs;
  ptrs.reserve(inputs.size());
  for (const auto& t : inputs) ptrs.push_back(&t);
  if (!should_record(ptrs)) return out;
  attach(std::make_shared<FnNode<std::decay_t<Rule>>>(std::forward<Rule>(rule)), out, name, loc, ptrs, {});
  return out;
}

}  // namespace xg::autograd
