#include "autodiff/function.h"

#include <cxxabi.h>
#include <fmt/format.h>

#include <cstdlib>

#include "autodiff/detail/record.h"
#include "tensor/detail/raw_views.h"

namespace xg::autograd {

// ----- SavedValue -----

namespace {
const char* const kSavedTypes[] = {"none", "double", "int", "bool", "string", "Tensor", "vector<double>"};
}

#define XG_SAVED_GET(Type, method, want)                                                                          \
  Type SavedValue::method() const {                                                                              \
    if (const auto* p = std::get_if<want>(&v_)) return *p;                                                       \
    throw DTypeError(fmt::format("saved_data: " #method "() on a value that holds a {}", kSavedTypes[v_.index()])); \
  }
XG_SAVED_GET(double, toDouble, double)
XG_SAVED_GET(std::int64_t, toInt, std::int64_t)
XG_SAVED_GET(bool, toBool, bool)
XG_SAVED_GET(const std::string&, toStringRef, std::string)
XG_SAVED_GET(const Tensor&, toTensor, Tensor)
XG_SAVED_GET(const std::vector<double>&, toDoubleVector, std::vector<double>)
#undef XG_SAVED_GET

std::string demangle(const char* mangled) {
  int status = 0;
  char* s = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string out = status == 0 && s ? s : mangled;
  std::free(s);
  return out;
}

// ----- the node -----

using BackwardFn = std::function<std::vector<Tensor>(AutogradContext*, std::vector<Tensor>)>;

// Stands for a gradient that a custom backward computed without history: differentiating it
// again is an error naming the function (its edges are the function's, so the error comes only
// when a second derivative actually flows through it).
struct OnceDifferentiableNode final : Node {
  GradList apply(const Tensor&) override {
    throw AutogradError(fmt::format(
        "backward: the custom function '{}' was differentiated twice, but its backward is not differentiable: it "
        "returned gradients without history (computed with raw kernels such as xg::xt_view). Write its backward with "
        "xg ops for double backward (create_graph, gradgradcheck, hessian)",
        name));
  }
};

struct FunctionNode final : Node {
  std::shared_ptr<AutogradContext> ctx;
  std::function<std::vector<Tensor>(AutogradContext*, std::vector<Tensor>)> backward;
  std::vector<std::ptrdiff_t> edge_of_arg;  // -1 for an argument that is not a tensor

  // A function with several outputs records this node on a one-element token, and each
  // differentiable output gets a node of its own whose only edge leads here: it leaves the
  // output's gradient in output_grads (stamped with the sweep) and gives the token a zero. So the
  // engine runs this node once, after all of them, and backward sees which outputs got gradients.
  struct OutputGrad {
    Tensor grad;
    std::uint64_t epoch = 0;
  };
  std::vector<OutputGrad> output_grads;
  std::vector<Shape> output_shapes;
  std::vector<DType> output_dtypes;
  std::vector<std::weak_ptr<Node>> output_nodes;  // weak: they own this node
  std::vector<std::ptrdiff_t> saved_output;       // per saved value: the output it is, or -1

  std::vector<Tensor> output_gradients(const Tensor& grad) {
    if (output_grads.empty()) return {grad};
    std::vector<Tensor> out;
    for (std::size_t k = 0; k < output_grads.size(); ++k) {
      Tensor g = output_grads[k].epoch == epoch ? std::move(output_grads[k].grad) : Tensor{};
      output_grads[k] = OutputGrad{};
      if (!g.defined() && ctx->materialize_grads_) g = zeros(output_shapes[k], TensorOptions(output_dtypes[k]));
      out.push_back(std::move(g));
    }
    return out;
  }

  Tensor once_differentiable(const Tensor& g) {
    auto n = std::make_shared<OnceDifferentiableNode>();
    n->name = name;
    n->loc = loc;
    n->out_shape = g.shape();
    n->out_dtype = g.dtype();
    for (std::size_t i = 0; i < next.size(); ++i) {
      Edge e = next[i];
      e.wanted = false;
      n->next.push_back(std::move(e));
    }
    Tensor h = g.detach();
    h.impl()->requires_grad = true;
    h.impl()->grad_fn = std::move(n);
    return h;
  }

  GradList apply(const Tensor& grad) override {
    const std::uint64_t views_before = raw_view_count();
    std::vector<Tensor> grads = output_gradients(grad);
    bool grads_have_history = false;
    for (const auto& g : grads) grads_have_history = grads_have_history || (g.defined() && g.requires_grad());
    std::vector<Tensor> result = backward(ctx.get(), std::move(grads));
    const bool raw = raw_view_count() != views_before;
    // Extra undefined gradients past the last argument are ignored, as LibTorch does.
    while (result.size() > edge_of_arg.size() && !result.back().defined()) result.pop_back();
    if (result.size() != edge_of_arg.size())
      throw AutogradError(fmt::format("backward: the custom function '{}' returned {} gradients, expected {} (one per "
                                      "forward argument, undefined for those that are not tensors)",
                                      name, result.size(), edge_of_arg.size()));
    std::vector<Tensor> per_edge(next.size());
    for (std::size_t a = 0; a < result.size(); ++a) {
      if (edge_of_arg[a] < 0) {
        if (result[a].defined())
          throw AutogradError(fmt::format("backward: the custom function '{}' returned a gradient for argument {}, "
                                          "which is not a tensor; return an undefined xg::Tensor{{}} there",
                                          name, a));
        continue;
      }
      per_edge[static_cast<std::size_t>(edge_of_arg[a])] = std::move(result[a]);
    }
    // Under create_graph, a gradient without history from a backward that used raw kernels (or
    // that dropped the history of a gradient that had one) cannot be differentiated again.
    const bool building = GradMode::is_enabled();
    GradList out;
    for (std::size_t i = 0; i < per_edge.size(); ++i) {
      Tensor& g = per_edge[i];
      if (!next[i].wanted) g = Tensor{};
      else if (building && g.defined() && !g.requires_grad() && (raw || grads_have_history)) g = once_differentiable(g);
      out.push_back(std::move(g));
    }
    return out;
  }
};

// ----- AutogradContext -----

void AutogradContext::save_for_backward(std::vector<Tensor> to_save) {
  if (node_) throw AutogradError("save_for_backward: call it in forward, not in backward");
  to_save_ = std::move(to_save);
}

std::vector<Tensor> AutogradContext::get_saved_variables() const {
  if (!node_) return to_save_;
  std::vector<Tensor> out;
  for (std::size_t i = 0; i < node_->saved.size(); ++i) {
    Tensor v = node_->saved_value(i);
    const std::ptrdiff_t k = i < node_->saved_output.size() ? node_->saved_output[i] : -1;
    if (k >= 0 && v.defined() && GradMode::is_enabled()) {
      // A saved output of a function with several outputs: give it back its history.
      if (auto producer = node_->output_nodes[static_cast<std::size_t>(k)].lock()) {
        v = v.detach();
        v.impl()->requires_grad = true;
        v.impl()->grad_fn = std::move(producer);
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

void AutogradContext::mark_non_differentiable(const std::vector<Tensor>& outputs) {
  non_differentiable_.insert(non_differentiable_.end(), outputs.begin(), outputs.end());
}

void AutogradContext::mark_dirty(const std::vector<Tensor>& inputs) { dirty_.insert(dirty_.end(), inputs.begin(), inputs.end()); }

bool AutogradContext::needs_input_grad(std::size_t index) const {
  if (index >= tensor_args_.size())
    throw IndexError(fmt::format("needs_input_grad: index {} is out of range for a function of {} tensor arguments", index,
                                 tensor_args_.size()));
  const std::size_t arg = tensor_args_[index];
  if (!node_) return input_requires_grad_[arg];
  const std::ptrdiff_t e = node_->edge_of_arg[arg];
  return e >= 0 && node_->next[static_cast<std::size_t>(e)].wanted;
}

bool AutogradContext::needs_input_grad(std::initializer_list<IndexRange> ranges) const {
  for (const auto& [begin, end] : ranges)
    for (std::size_t i = begin; i < end; ++i)
      if (needs_input_grad(i)) return true;
  return false;
}

// ----- recording -----

namespace {
bool holds(const std::vector<Tensor>& list, const Tensor& t) {
  for (const auto& x : list)
    if (x.defined() && x.impl() == t.impl()) return true;
  return false;
}

// The node of one call, and its inputs: the arguments that are tensors.
std::shared_ptr<FunctionNode> new_function_node(const std::shared_ptr<AutogradContext>& ctx, BackwardFn backward,
                                                const std::vector<Tensor>& args, std::vector<const Tensor*>& inputs) {
  auto node = std::make_shared<FunctionNode>();
  node->ctx = ctx;
  node->backward = std::move(backward);
  for (const auto& a : args) {
    node->edge_of_arg.push_back(a.defined() ? static_cast<std::ptrdiff_t>(inputs.size()) : -1);
    if (a.defined()) inputs.push_back(&a);
  }
  return node;
}
}  // namespace

Tensor record_function(const std::shared_ptr<AutogradContext>& ctx, const char* name, const std::vector<Tensor>& args,
                       Tensor out, std::function<std::vector<Tensor>(AutogradContext*, std::vector<Tensor>)> backward) {
  if (!out.defined()) throw ValueError(fmt::format("{}: forward returned an undefined tensor", name));
  const bool dirty = holds(ctx->dirty_, out);
  if (!ctx->dirty_.empty() && !dirty)
    throw ValueError(fmt::format("{}: mark_dirty was called, but forward did not return the tensor it marked", name));
  if (dirty && !holds(args, out))
    throw ValueError(fmt::format("{}: mark_dirty: the tensor forward returned is not one of its arguments", name));
  bool record = GradMode::is_enabled() && out.is_floating_point() && !holds(ctx->non_differentiable_, out);
  bool any = false;
  for (const bool r : ctx->input_requires_grad_) any = any || r;
  record = record && any;
  if (dirty) {
    if (out.is_leaf() && out.requires_grad() && GradMode::is_enabled())
      throw AutogradError(fmt::format("{}: a leaf Variable that requires grad was modified in place (mark_dirty); "
                                      "modify a clone, or run under NoGradGuard",
                                      name));
    out.bump_version(name);
  }
  const std::shared_ptr<TensorImpl> forward_out = out.impl();
  // An argument returned unchanged becomes a new handle over the same data, with this history.
  if (!dirty && holds(args, out)) out = out.detach();
  if (!record) return out;

  std::vector<const Tensor*> inputs;
  auto node = new_function_node(ctx, std::move(backward), args, inputs);
  std::vector<const Tensor*> saved;
  for (const auto& s : ctx->to_save_) saved.push_back(!s.defined() ? nullptr : s.impl() == forward_out ? &out : &s);
  attach(node, out, name, SourceLocation{}, inputs, saved);
  ctx->node_ = node.get();
  // The node owns ctx: a tensor kept there (the dirty input is the output itself) would own the
  // node back, a cycle that never frees the graph.
  ctx->to_save_.clear();
  ctx->dirty_.clear();
  ctx->non_differentiable_.clear();
  return out;
}

variable_list record_function_outputs(const std::shared_ptr<AutogradContext>& ctx, const char* name,
                                      const std::vector<Tensor>& args, variable_list outs,
                                      std::function<std::vector<Tensor>(AutogradContext*, std::vector<Tensor>)> backward) {
  if (outs.empty()) throw ValueError(fmt::format("{}: forward returned an empty variable_list", name));
  for (std::size_t k = 0; k < outs.size(); ++k)
    if (!outs[k].defined()) throw ValueError(fmt::format("{}: forward returned an undefined tensor as output {}", name, k));
  // Tensors marked dirty must be arguments that forward returns; they keep their handle and take
  // this function's history (the first time they are returned).
  for (const auto& d : ctx->dirty_) {
    if (!holds(args, d))
      throw ValueError(fmt::format("{}: mark_dirty: a tensor it marked is not one of forward's arguments", name));
    if (!holds(outs, d))
      throw ValueError(fmt::format("{}: mark_dirty was called, but forward did not return the tensor it marked", name));
    if (d.is_leaf() && d.requires_grad() && GradMode::is_enabled())
      throw AutogradError(fmt::format("{}: a leaf Variable that requires grad was modified in place (mark_dirty); "
                                      "modify a clone, or run under NoGradGuard",
                                      name));
  }
  std::vector<bool> differentiable;
  for (std::size_t k = 0; k < outs.size(); ++k) {
    differentiable.push_back(outs[k].is_floating_point() && !holds(ctx->non_differentiable_, outs[k]));
    // An argument returned unchanged, or a tensor returned twice, becomes a handle of its own.
    bool earlier = false;
    for (std::size_t j = 0; j < k; ++j) earlier = earlier || outs[j].impl() == outs[k].impl();
    const bool dirty = holds(ctx->dirty_, outs[k]);
    if (dirty && !earlier) outs[k].bump_version(name);
    if (earlier || (!dirty && holds(args, outs[k]))) outs[k] = outs[k].detach();
  }
  ctx->dirty_.clear();
  bool record = GradMode::is_enabled();
  bool any = false;
  for (const bool r : ctx->input_requires_grad_) any = any || r;
  bool some_differentiable = false;
  for (const bool d : differentiable) some_differentiable = some_differentiable || d;
  if (!(record && any && some_differentiable)) {
    ctx->to_save_.clear();
    ctx->non_differentiable_.clear();
    return outs;
  }

  std::vector<const Tensor*> inputs;
  auto node = new_function_node(ctx, std::move(backward), args, inputs);
  // Saved outputs are kept without history (they will get it below; keeping it would be a cycle).
  std::vector<Tensor> saved_values;
  for (const auto& t : ctx->to_save_) {
    std::ptrdiff_t k = -1;
    for (std::size_t j = 0; j < outs.size() && t.defined(); ++j)
      if (outs[j].impl() == t.impl()) k = static_cast<std::ptrdiff_t>(j);
    node->saved_output.push_back(k);
    saved_values.push_back(k >= 0 ? t.detach() : t);
  }
  std::vector<const Tensor*> saved;
  for (const auto& v : saved_values) saved.push_back(v.defined() ? &v : nullptr);
  DType token_dtype = kFloat32;
  for (std::size_t k = 0; k < outs.size(); ++k)
    if (differentiable[k]) {
      token_dtype = outs[k].dtype();
      break;
    }
  Tensor token = zeros({1}, TensorOptions(token_dtype));
  attach(node, token, name, SourceLocation{}, inputs, saved);
  node->output_grads.resize(outs.size());
  node->output_nodes.resize(outs.size());
  for (std::size_t k = 0; k < outs.size(); ++k) {
    node->output_shapes.push_back(outs[k].shape());
    node->output_dtypes.push_back(outs[k].dtype());
    if (!differentiable[k]) continue;
    const Op op{name, SourceLocation{}};
    outs[k] = op.record(outs[k], {&token}, {}, [k](Node& n, const Tensor& g) {
      auto& fn = static_cast<FunctionNode&>(*n.next[0].fn);
      fn.output_grads[k] = FunctionNode::OutputGrad{g, n.epoch};
      return zeros(fn.out_shape, TensorOptions(fn.out_dtype));
    });
    node->output_nodes[k] = outs[k].impl()->grad_fn;
  }
  ctx->node_ = node.get();
  ctx->to_save_.clear();
  ctx->non_differentiable_.clear();
  return outs;
}

}  // namespace xg::autograd
