#include "autodiff/functional.h"

#include <fmt/format.h>

#include "autodiff/autograd.h"
#include "autodiff/grad_mode.h"
#include "autodiff/ops.h"
#include "tensor/detail/tensor_impl.h"

namespace xg::autograd::functional {

namespace {

// The inputs as the function sees them: views that keep their history (create_graph, for an
// input that requires grad), else detached leaves that require grad.
Tensors prepare_inputs(const char* who, const Tensors& inputs, bool create_graph) {
  if (inputs.empty()) throw ValueError(fmt::format("{}: got no inputs", who));
  Tensors xs;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.defined()) throw ValueError(fmt::format("{}: input {} is undefined", who, i));
    if (!x.is_floating_point())
      throw DTypeError(fmt::format("{}: input {} is {}; only float tensors can be differentiated", who, i,
                                   dtype_name(x.dtype())));
    if (create_graph && x.requires_grad()) xs.push_back(reshape(x, x.shape()));
    else xs.push_back(x.detach().requires_grad_(true));
  }
  return xs;
}

void check_outputs(const char* who, const Tensors& outs) {
  if (outs.empty()) throw ValueError(fmt::format("{}: the function returned no tensors", who));
  for (std::size_t i = 0; i < outs.size(); ++i) {
    if (!outs[i].defined()) throw ValueError(fmt::format("{}: output {} of the function is undefined", who, i));
    if (!outs[i].is_floating_point())
      throw DTypeError(fmt::format("{}: output {} of the function is {}; only float outputs can be differentiated", who,
                                   i, dtype_name(outs[i].dtype())));
  }
}

Tensor single_output(const char* who, const Tensor& out) {
  check_outputs(who, {out});
  if (out.numel() != 1)
    throw ValueError(fmt::format("{}: the function must return a single-element tensor, got shape {}", who,
                                 to_string(out.shape())));
  return out;
}

// v as given (matching `like`'s shapes and dtypes), or ones when omitted and every tensor of
// `like` has one element. `what` is "outputs" or "inputs".
Tensors vectors(const char* who, const Tensors& v, const Tensors& like, const char* what) {
  if (v.empty()) {
    Tensors ones;
    for (std::size_t i = 0; i < like.size(); ++i) {
      if (like[i].numel() != 1)
        throw ValueError(fmt::format("{}: v can be omitted only when the {} have one element each; {} {} has shape {}",
                                     who, what, what == std::string("inputs") ? "input" : "output", i,
                                     to_string(like[i].shape())));
      ones.push_back(ones_like(like[i]));
    }
    return ones;
  }
  if (v.size() != like.size())
    throw ValueError(fmt::format("{}: got {} tensors in v for {} {}", who, v.size(), like.size(), what));
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].defined()) throw ValueError(fmt::format("{}: v[{}] is undefined", who, i));
    if (!(v[i].shape() == like[i].shape()) || v[i].dtype() != like[i].dtype())
      throw ShapeError(fmt::format("{}: v[{}] has shape {} ({}), but the {} has shape {} ({})", who, i,
                                   to_string(v[i].shape()), dtype_name(v[i].dtype()),
                                   what == std::string("inputs") ? "input" : "output", to_string(like[i].shape()),
                                   dtype_name(like[i].dtype())));
  }
  return v;
}

// Gradients of `roots` (with root gradients `seeds`) w.r.t. `wrt`; an input no root depends on
// gets zeros, or an AutogradError under strict naming `what`.
Tensors grads_or_zeros(const char* who, const Tensors& roots, const Tensors& seeds, const Tensors& wrt, bool create_graph,
                       bool strict, const char* what) {
  Tensors live_roots, live_seeds;
  for (std::size_t i = 0; i < roots.size(); ++i)
    if (roots[i].requires_grad()) {
      live_roots.push_back(roots[i]);
      live_seeds.push_back(seeds.empty() ? Tensor{} : seeds[i]);
    }
  Tensors g(wrt.size());
  if (!live_roots.empty()) {
    const bool seeded = !seeds.empty();
    g = grad(live_roots, wrt, seeded ? live_seeds : Tensors{}, /*retain_graph=*/true, create_graph, /*allow_unused=*/true);
  }
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (g[i].defined()) continue;
    if (strict)
      throw AutogradError(fmt::format("{}: {} is independent of input {}, which strict=true does not allow", who, what, i));
    g[i] = zeros_like(wrt[i]);
  }
  return g;
}

Tensors finish(Tensors ts, bool create_graph) {
  if (!create_graph)
    for (auto& t : ts) t = t.detach();
  return ts;
}
Tensor finish(const Tensor& t, bool create_graph) { return create_graph ? t : t.detach(); }

// J[i][j] of outs w.r.t. xs, one reverse pass per output element.
std::vector<Tensors> jacobian_of(const char* who, const Tensors& outs, const Tensors& xs, bool create_graph, bool strict,
                                 const char* what) {
  std::vector<Tensors> jac;
  for (std::size_t i = 0; i < outs.size(); ++i) {
    const Tensor& out = outs[i];
    std::vector<Tensors> rows(xs.size());
    for (std::int64_t j = 0; j < out.numel(); ++j) {
      Tensor e = zeros(out.shape(), out.dtype());
      dispatch_float(e.dtype(), [&](auto zero) { static_cast<decltype(zero)*>(e.raw_data())[j] = 1; });
      const auto what_i = fmt::format("{} {}", what, i);
      const Tensors g = grads_or_zeros(who, {out}, {e}, xs, create_graph, strict, what_i.c_str());
      for (std::size_t k = 0; k < xs.size(); ++k) rows[k].push_back(reshape(g[k], {-1}));
    }
    Tensors blocks;
    for (std::size_t k = 0; k < xs.size(); ++k) {
      Shape shape = out.shape();
      for (auto d : xs[k].shape()) shape.push_back(d);
      blocks.push_back(rows[k].empty() ? zeros(shape, xs[k].dtype()) : reshape(stack(rows[k]), shape));
    }
    jac.push_back(finish(std::move(blocks), create_graph));
  }
  return jac;
}

}  // namespace

std::pair<Tensors, Tensors> vjp(const TensorsFn& func, const Tensors& inputs, const Tensors& v, bool create_graph,
                                bool strict) {
  const AutoGradMode on(true);
  const Tensors xs = prepare_inputs("vjp", inputs, create_graph);
  const Tensors outs = func(xs);
  check_outputs("vjp", outs);
  const Tensors vs = vectors("vjp", v, outs, "outputs");
  const Tensors g = grads_or_zeros("vjp", outs, vs, xs, create_graph, strict, "every output");
  return {finish(outs, create_graph), finish(g, create_graph)};
}

std::pair<Tensors, Tensors> jvp(const TensorsFn& func, const Tensors& inputs, const Tensors& v, bool create_graph,
                                bool strict) {
  const AutoGradMode on(true);
  const Tensors xs = prepare_inputs("jvp", inputs, create_graph);
  const Tensors vs = vectors("jvp", v, xs, "inputs");
  const Tensors outs = func(xs);
  check_outputs("jvp", outs);
  // u ↦ Jᵀu is linear in u; its vjp with v is J·v.
  Tensors us;
  for (const auto& o : outs) us.push_back(zeros_like(o).requires_grad_(true));
  const Tensors jt_u = grads_or_zeros("jvp", outs, us, xs, /*create_graph=*/true, strict, "every output");
  const Tensors jv = grads_or_zeros("jvp", jt_u, vs, us, create_graph, false, "");
  return {finish(outs, create_graph), finish(jv, create_graph)};
}

std::vector<Tensors> jacobian(const TensorsFn& func, const Tensors& inputs, bool create_graph, bool strict) {
  const AutoGradMode on(true);
  const Tensors xs = prepare_inputs("jacobian", inputs, create_graph);
  const Tensors outs = func(xs);
  check_outputs("jacobian", outs);
  return jacobian_of("jacobian", outs, xs, create_graph, strict, "output");
}

std::vector<Tensors> hessian(const ScalarFn& func, const Tensors& inputs, bool create_graph, bool strict) {
  const AutoGradMode on(true);
  const Tensors xs = prepare_inputs("hessian", inputs, create_graph);
  const Tensor out = single_output("hessian", func(xs));
  const Tensors g = grads_or_zeros("hessian", {out}, {}, xs, /*create_graph=*/true, strict, "the output");
  return jacobian_of("hessian", g, xs, create_graph, strict, "the gradient w.r.t. input");
}

std::pair<Tensor, Tensors> vhp(const ScalarFn& func, const Tensors& inputs, const Tensors& v, bool create_graph,
                               bool strict) {
  const AutoGradMode on(true);
  const Tensors xs = prepare_inputs("vhp", inputs, create_graph);
  const Tensors vs = vectors("vhp", v, xs, "inputs");
  const Tensor out = single_output("vhp", func(xs));
  const Tensors g = grads_or_zeros("vhp", {out}, {}, xs, /*create_graph=*/true, strict, "the output");
  const Tensors r = grads_or_zeros("vhp", g, vs, xs, create_graph, strict, "the gradient");
  return {finish(out, create_graph), finish(r, create_graph)};
}

std::pair<Tensor, Tensors> hvp(const ScalarFn& func, const Tensors& inputs, const Tensors& v, bool create_graph,
                               bool strict) {
  const AutoGradMode on(true);
  const Tensors xs = prepare_inputs("hvp", inputs, create_graph);
  const Tensors vs = vectors("hvp", v, xs, "inputs");
  const Tensor out = single_output("hvp", func(xs));
  const Tensors g = grads_or_zeros("hvp", {out}, {}, xs, /*create_graph=*/true, strict, "the output");
  // w ↦ Hᵀw = d<g, w>/dx is linear in w; its vjp with v is H·v.
  Tensors ws;
  for (const auto& x : xs) ws.push_back(zeros_like(x).requires_grad_(true));
  const Tensors ht_w = grads_or_zeros("hvp", g, ws, xs, /*create_graph=*/true, strict, "the gradient");
  const Tensors r = grads_or_zeros("hvp", ht_w, vs, ws, create_graph, false, "");
  return {finish(out, create_graph), finish(r, create_graph)};
}

// ----- one tensor in, one tensor out -----

namespace {
TensorsFn many(const TensorFn& f) {
  return [f](const Tensors& xs) { return f(xs[0]); };
}
ScalarFn scalar(const TensorFn& f) {
  return [f](const Tensors& xs) { return f(xs[0]); };
}
Tensors optional(const Tensor& v) { return v.defined() ? Tensors{v} : Tensors{}; }
}  // namespace

std::pair<Tensor, Tensor> vjp(const TensorFn& func, const Tensor& input, const Tensor& v, bool create_graph, bool strict) {
  auto [o, g] = vjp(many(func), Tensors{input}, optional(v), create_graph, strict);
  return {o[0], g[0]};
}
std::pair<Tensor, Tensor> jvp(const TensorFn& func, const Tensor& input, const Tensor& v, bool create_graph, bool strict) {
  auto [o, g] = jvp(many(func), Tensors{input}, optional(v), create_graph, strict);
  return {o[0], g[0]};
}
Tensor jacobian(const TensorFn& func, const Tensor& input, bool create_graph, bool strict) {
  return jacobian(many(func), Tensors{input}, create_graph, strict)[0][0];
}
Tensor hessian(const TensorFn& func, const Tensor& input, bool create_graph, bool strict) {
  return hessian(scalar(func), Tensors{input}, create_graph, strict)[0][0];
}
std::pair<Tensor, Tensor> vhp(const TensorFn& func, const Tensor& input, const Tensor& v, bool create_graph, bool strict) {
  auto [o, g] = vhp(scalar(func), Tensors{input}, optional(v), create_graph, strict);
  return {o, g[0]};
}
std::pair<Tensor, Tensor> hvp(const TensorFn& func, const Tensor& input, const Tensor& v, bool create_graph, bool strict) {
  auto [o, g] = hvp(scalar(func), Tensors{input}, optional(v), create_graph, strict);
  return {o, g[0]};
}

}  // namespace xg::autograd::functional
