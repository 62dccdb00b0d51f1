#pragma once
// Internal: how an op records itself. An op entry names itself once in an Op, computes its
// output with a tensor/ kernel, then calls op.record(): when grad mode is on and an input
// requires grad, a node holding one derivative rule per input becomes the output's grad_fn.
//
//   Tensor mul(const Tensor& a, const Tensor& b, SourceLocation loc) {
//     const autograd::Op op{"mul", loc};
//     ...checks naming op.name...
//     return op.record(out, {&a, &b}, {&a, &b},
//                      [](Node& n, const Tensor& g) { return mul(g, n.saved_value(1)); },
//                      [](Node& n, const Tensor& g) { return mul(g, n.saved_value(0)); });
//   }
//
// A rule returns its input's gradient in the output's shape (the engine sums broadcast
// dimensions back) or in the input's own shape; it runs only when that input needs a gradient.
#include <initializer_list>
#include <span>

#include "autodiff/detail/node.h"
#include "autodiff/grad_mode.h"

namespace xg::autograd {

inline bool should_record(std::span<const Tensor* const> inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->defined() && t->impl()->requires_grad) return true;
  return false;
}

// Records that `view` shares `base`'s storage (reshape), for in-place ops (autodiff/inplace.cpp).
void note_alias(const Tensor& base, const Tensor& view);

// Links `node` into the graph as out's grad_fn, with edges to `inputs` and the `saved` values
// (a null pointer saves nothing in that slot).
void attach(const std::shared_ptr<Node>& node, Tensor& out, const char* name, const SourceLocation& loc,
            std::span<const Tensor* const> inputs, std::span<const Tensor* const> saved);

struct Op {
  const char* name;
  SourceLocation loc;
  CurrentOpScope scope;

  // The outermost Op on this thread (scope) names the user's call in errors raised deep inside
  // kernels: an allocation the system refuses, a storage dtype reaching dispatch().
  Op(const char* n, SourceLocation l) : name(n), loc(l), scope(n) {}
  Op(const Op&) = delete;
  Op& operator=(const Op&) = delete;

  template <std::size_t N, class... Rules>
  Tensor record(Tensor out, const Tensor* const (&inputs)[N], std::initializer_list<const Tensor*> saved,
                Rules&&... rules) const {
    static_assert(N == sizeof...(Rules), "one derivative rule per input");
    const std::span<const Tensor* const> in(inputs, N);
    if (!should_record(in)) return out;
    attach(std::make_shared<FnNode<std::decay_t<Rules>...>>(std::forward<Rules>(rules)...), out, name, loc, in,
           std::span<const Tensor* const>(saved.begin(), saved.size()));
    return out;
  }

  // For ops with a variable number of inputs (cat): rule(node, grad, i).
  template <class Rule>
  Tensor record_many(Tensor out, const std::vector<Tensor>& inputs, Rule&& rule) const {
    std::vector<const Tensor*> ptrs;
    ptrs.reserve(inputs.size());
    for (const auto& t : inputs) ptrs.push_back(&t);
    if (!should_record(ptrs)) return out;
    attach(std::make_shared<FnNodeMany<std::decay_t<Rule>>>(std::forward<Rule>(rule)), out, name, loc, ptrs, {});
    return out;
  }

 private:
};

}  // namespace xg::autograd
