// LibTorch spellings that PyTorch's C++ frontend tests use (issue #15): Sequential of named
// modules, module clone(), Tensor::set_requires_grad / tensor_data / is_nonzero, make_variable,
// backward's inputs list, custom functions with tensor lists, index ranges, several dirty outputs
// and padded gradient lists, and DetectAnomalyGuard(check_nan). Values by hand in the comments.
#include "check.h"

namespace nn = xg::nn;
using xg::Tensor;
using xg::autograd::AutogradContext;
using xg::autograd::Function;
using xg::autograd::variable_list;
using xgt::check_values;
using xgt::f64;

namespace {
// A two-layer Sequential in float64 with known weights.
nn::Sequential named_net() {
  nn::Sequential seq({{"fc1", nn::Linear(nn::LinearOptions(2, 2).dtype(xg::kFloat64))},
                      {"act", nn::Functional(xg::relu)},
                      {"fc2", nn::Linear(nn::LinearOptions(2, 1).dtype(xg::kFloat64))}});
  xg::NoGradGuard no_grad;
  seq->at<nn::Linear>(0).weight.copy_(f64({1, -1, 2, 0}, {2, 2}, false));
  seq->at<nn::Linear>(0).bias.copy_(f64({0.5, -3}, {2}, false));
  seq->at<nn::Linear>(2).weight.copy_(f64({2, -1}, {1, 2}, false));
  seq->at<nn::Linear>(2).bias.copy_(f64({0.25}, {1}, false));
  return seq;
}

struct PairImpl : nn::Module {
  explicit PairImpl(std::int64_t width, double scale) : scale(scale) {
    fc = register_module("fc", nn::Linear(nn::LinearOptions(width, width).dtype(xg::kFloat64)));
    shift = register_buffer("shift", xg::full({width}, scale, xg::kFloat64));
  }
  Tensor forward(Tensor x) { return fc(x) + shift; }  // not an override, as LibTorch users write it
  std::string type_name() const override { return "Pair"; }
  double scale;
  nn::Linear fc{nullptr};
  Tensor shift;
};
XG_MODULE(Pair);

struct FromTensorImpl : nn::Module {
  explicit FromTensorImpl(Tensor w) { register_parameter("w", w); }
  Tensor forward(const Tensor& x) override { return x * parameter("w"); }
};
XG_MODULE(FromTensor);
}  // namespace

TEST_CASE("Sequential of named modules: names are the state_dict keys, forward chains them") {
  nn::Sequential seq = named_net();
  std::vector<std::string> keys;
  for (const auto& [name, t] : seq->named_parameters()) keys.push_back(name);
  CHECK(keys == std::vector<std::string>{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"});
  CHECK(seq->size() == 3);
  // x = [3, 1]: fc1 = [3 - 1 + 0.5, 6 - 3] = [2.5, 3], relu keeps both, fc2 = 5 - 3 + 0.25 = 2.25.
  // x = [1, 2]: fc1 = [-0.5, -1], relu gives 0, fc2 = 0.25.
  check_values(seq(f64({3, 1, 1, 2}, {2, 2}, false)), {2.25, 0.25});
  xgt::check_grads([&](const std::vector<Tensor>& in) { return seq(in[0]); }, {f64({3, 1, 1, 2.5}, {2, 2})});
  // A user module (forward not virtual) by shared_ptr, and a repeated name.
  nn::Sequential with_user({{"pair", std::make_shared<PairImpl>(2, 1.0)}, {"act", nn::Functional(xg::relu)}});
  CHECK(with_user(f64({1, 2}, {1, 2}, false)).sizes() == std::vector<std::int64_t>{1, 2});
  XGT_CHECK_THROWS_MSG(nn::Sequential({{"a", nn::Linear(2, 2)}, {"a", nn::Linear(2, 2)}}), xg::ValueError, "'a'",
                       "already registered");
  // The other constructors still work.
  nn::Sequential plain(nn::Linear(2, 3), nn::Functional(xg::relu));
  CHECK(plain->named_parameters()[0].first == "0.weight");
  nn::Sequential empty;
  CHECK(empty->is_empty());
  nn::Sequential none{nullptr};
  CHECK(none.is_empty());
}

TEST_CASE("clone() copies parameters, buffers, dtype, requires_grad and modes, sharing nothing") {
  nn::Linear fc(3, 2);
  fc->to(xg::kFloat64);
  fc->bias.requires_grad_(false);
  fc->eval();
  auto copy = std::dynamic_pointer_cast<nn::LinearImpl>(fc->clone());
  REQUIRE(copy != nullptr);
  CHECK(xgt::bitwise_equal(copy->weight, fc->weight));
  CHECK(copy->weight.dtype() == xg::kFloat64);
  CHECK(copy->weight.requires_grad());
  CHECK(!copy->bias.requires_grad());
  CHECK(!copy->is_training());
  const Tensor before = fc->weight.clone();
  {
    xg::NoGradGuard no_grad;
    copy->weight.add_(1.0);
  }
  CHECK(xgt::bitwise_equal(fc->weight, before));  // the original did not move
  CHECK(!copy->weight.is_same(fc->weight));
  // The clone's parameters are what its forward uses (the handles were filled, not replaced).
  const Tensor x = f64({1, 2, 3}, {1, 3}, false);
  check_values((*copy)(x), ((*fc)(x) + 6.0).to_vector<double>());  // every weight + 1: + (1 + 2 + 3)
}

TEST_CASE("clone() of buffers, of a Sequential and of a user module built through its holder") {
  nn::BatchNorm1d bn(2);
  bn(xgt::f64({1, 2, 3, 6}, {2, 2}, false).to(xg::kFloat32));  // running_mean = 0.1 * [2, 4] = [0.2, 0.4]
  auto bn2 = std::dynamic_pointer_cast<nn::BatchNorm1dImpl>(bn->clone());
  check_values(bn2->running_mean, {0.2, 0.4}, 1e-6);
  bn2->running_mean.zero_();
  check_values(bn->running_mean, {0.2, 0.4}, 1e-6);

  nn::Sequential seq = named_net();
  auto seq2 = std::dynamic_pointer_cast<nn::SequentialImpl>(seq->clone());
  REQUIRE(seq2 != nullptr);
  CHECK(seq2->named_parameters()[2].first == "fc2.weight");
  check_values(seq2->forward(f64({3, 1}, {1, 2}, false)), {2.25});
  seq2->at<nn::Linear>(0).weight.detach().zero_();
  check_values(seq(f64({3, 1}, {1, 2}, false)), {2.25});  // the original keeps its weights

  Pair pair(3, 0.5);
  auto pair2 = std::dynamic_pointer_cast<PairImpl>(pair->clone());
  REQUIRE(pair2 != nullptr);
  CHECK(pair2->scale == 0.5);
  CHECK(xgt::bitwise_equal(pair2->fc->weight, pair->fc->weight));
  CHECK(!pair2->fc->weight.is_same(pair->fc->weight));
  const Tensor x = f64({1, -2, 0.5}, {1, 3}, false);
  CHECK(xgt::bitwise_equal(pair2->forward(x), pair->forward(x)));
}

TEST_CASE("clone() of a module that cannot be built again is a ValueError naming it") {
  auto direct = std::make_shared<nn::LinearImpl>(2, 2);  // not built through a holder
  XGT_CHECK_THROWS_MSG(direct->clone(), xg::ValueError, "clone", "Linear", "holder");
  FromTensor shared(f64({2}, {1}));
  XGT_CHECK_THROWS_MSG(shared->clone(), xg::ValueError, "clone", "'w'", "tensor argument");
  nn::Sequential seq(direct);
  XGT_CHECK_THROWS_MSG(seq->clone(), xg::ValueError, "clone", "Linear");
}

TEST_CASE("Tensor: set_requires_grad, tensor_data, is_nonzero; autograd::make_variable") {
  Tensor x = f64({1, 2}, {2}, false);
  CHECK(x.set_requires_grad(true).requires_grad());
  Tensor y = x * 3;
  Tensor data = y.tensor_data();
  CHECK(!data.requires_grad());
  CHECK(data.data_ptr<double>() == y.data_ptr<double>());  // same storage, no history
  Tensor v = xg::autograd::make_variable(y, true);
  CHECK(v.is_leaf());
  CHECK(v.requires_grad());
  CHECK(v.data_ptr<double>() == y.data_ptr<double>());
  CHECK(!xg::autograd::make_variable(y).requires_grad());
  CHECK(xg::tensor({2.5}).is_nonzero());
  CHECK(!xg::zeros({1, 1}).is_nonzero());
  CHECK(xg::tensor({std::nan("")}).is_nonzero());  // NaN is not zero
  XGT_CHECK_THROWS_MSG(xg::zeros({2}).is_nonzero(), xg::ValueError, "is_nonzero", "2 elements");
  XGT_CHECK_THROWS_MSG(Tensor().is_nonzero(), xg::ValueError, "is_nonzero");
}

TEST_CASE("backward(inputs): given and empty is an error that changes no gradient") {
  Tensor x = f64({1, 2}, {2});
  Tensor y = (x * x).sum();
  XGT_CHECK_THROWS_MSG(y.backward({}, false, false, std::vector<Tensor>{}), xg::ValueError, "backward", "cannot be empty");
  CHECK(!x.grad().defined());
  y.backward({}, false, false, {x});  // 2x
  check_values(x.grad(), {2, 4});
}

namespace {
// f(a, b, c) = a b + c over a tensor list, with a scalar argument between: gradients b, a, 1 (times k).
struct ListFn : Function<ListFn> {
  static Tensor forward(AutogradContext* ctx, xg::TensorList ts, double k) {
    ctx->saved_data["k"] = k;
    ctx->save_for_backward(variable_list(ts.begin(), ts.end()));
    return (ts[0] * ts[1] + ts[2]) * k;
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    const auto s = ctx->get_saved_variables();
    const double k = ctx->saved_data["k"].toDouble();
    if (ctx->needs_input_grad({{0, 2}}) != (ctx->needs_input_grad(0) || ctx->needs_input_grad(1)))
      throw xg::ValueError("needs_input_grad over a range disagrees with the indices");
    return {g[0] * s[1] * k, g[0] * s[0] * k, g[0] * k, Tensor()};
  }
};
}  // namespace

TEST_CASE("Function: a TensorList argument counts one argument per tensor") {
  Tensor a = f64({1, 2}, {2}), b = f64({3, -1}, {2}), c = f64({0.5, 0.5}, {2});
  const std::vector<Tensor> list{a, b, c};
  Tensor y = ListFn::apply(xg::TensorList(list), 2.0);
  check_values(y, {(3 + 0.5) * 2, (-2 + 0.5) * 2});
  y.sum().backward();
  check_values(a.grad(), {6, -2});
  check_values(b.grad(), {2, 4});
  check_values(c.grad(), {2, 2});
  xgt::check_grads([](const std::vector<Tensor>& in) { return ListFn::apply(xg::TensorList(in), 1.5); },
                   {f64({1, 2}, {2}), f64({3, -1}, {2}), f64({0.5, 0.25}, {2})});
  // An empty list: no tensor argument, nothing recorded.
  struct CountFn : Function<CountFn> {
    static Tensor forward(AutogradContext*, xg::TensorList ts) { return xg::full({1}, static_cast<double>(ts.size())); }
    static variable_list backward(AutogradContext*, variable_list) { return {}; }
  };
  const std::vector<Tensor> none;
  CHECK(!CountFn::apply(xg::TensorList(none)).requires_grad());
}

TEST_CASE("Function: needs_input_grad over index ranges") {
  static std::vector<bool> seen;
  struct Watch : Function<Watch> {
    static Tensor forward(AutogradContext*, const Tensor& a, const Tensor& b) { return a * b; }
    static variable_list backward(AutogradContext* ctx, variable_list g) {
      seen = {ctx->needs_input_grad({{0, 1}}), ctx->needs_input_grad({{1, 2}}), ctx->needs_input_grad({{0, 1}, {1, 2}}),
              ctx->needs_input_grad({{1, 1}})};
      return {g[0], g[0]};
    }
  };
  Tensor a = f64({1}, {1}), b = f64({2}, {1});
  xg::autograd::grad({Watch::apply(a, b)}, {b});
  CHECK(seen == std::vector<bool>{false, true, true, false});
  xg::autograd::grad({Watch::apply(a, b)}, {a});
  CHECK(seen == std::vector<bool>{true, false, true, false});
}

namespace {
// forward adds b into a in place and marks a dirty; returns {a, 2 b}. Gradients: a gets g0; b gets g0 + 2 g1.
struct AddInto : Function<AddInto> {
  static variable_list forward(AutogradContext* ctx, Tensor a, const Tensor& b) {
    ctx->mark_dirty({a});
    a.add_(b);
    return {a, b * 2};
  }
  static variable_list backward(AutogradContext*, variable_list g) { return {g[0], g[0] + 2 * g[1]}; }
};
}  // namespace

TEST_CASE("Function: a dirty input among several outputs keeps its handle and takes the history") {
  Tensor base = f64({1, 2}, {2});
  Tensor a = base * 1;  // a non-leaf
  Tensor b = f64({10, 20}, {2});
  const auto version = a._version();
  auto out = AddInto::apply(a, b);
  CHECK(out[0].is_same(a));
  CHECK(a._version() > version);
  check_values(a, {11, 22});
  CHECK(a.grad_fn_name() != "MulBackward0");  // rebased onto the function
  (out[0] * 3 + out[1]).sum().backward();
  check_values(base.grad(), {3, 3});  // through a = base * 1 before the add
  check_values(b.grad(), {5, 5});     // 3 + 2 * 1
  xgt::check_grads(
      [](const std::vector<Tensor>& in) {
        auto o = AddInto::apply(in[0] * 1, in[1]);
        return o[0] * o[1];
      },
      {f64({1, -2}, {2}), f64({0.5, 3}, {2})});
}

TEST_CASE("Function: dirty outputs that cannot be: a leaf that requires grad, one not returned, one not an argument") {
  Tensor leaf = f64({1, 2}, {2});
  XGT_CHECK_THROWS_MSG(AddInto::apply(leaf, f64({1, 1}, {2}, false)), xg::AutogradError, "AddInto",
                       "leaf Variable that requires grad");
  struct NotReturned : Function<NotReturned> {
    static variable_list forward(AutogradContext* ctx, const Tensor& a) {
      ctx->mark_dirty({a});
      return {a * 2, a * 3};
    }
    static variable_list backward(AutogradContext*, variable_list g) { return {g[0]}; }
  };
  XGT_CHECK_THROWS_MSG(NotReturned::apply(f64({1}, {1}) * 1), xg::ValueError, "NotReturned", "did not return");
  struct NotAnArgument : Function<NotAnArgument> {
    static variable_list forward(AutogradContext* ctx, const Tensor& a) {
      Tensor fresh = a * 2;
      ctx->mark_dirty({fresh});
      return {fresh, a * 3};
    }
    static variable_list backward(AutogradContext*, variable_list g) { return {g[0]}; }
  };
  XGT_CHECK_THROWS_MSG(NotAnArgument::apply(f64({1}, {1}) * 1), xg::ValueError, "NotAnArgument", "not one of");
}

TEST_CASE("Function: trailing undefined gradients are ignored, a defined extra one is an error") {
  struct Padded : Function<Padded> {
    static Tensor forward(AutogradContext*, const Tensor& a) { return a * 3; }
    static variable_list backward(AutogradContext*, variable_list g) { return {g[0] * 3, Tensor(), Tensor()}; }
  };
  Tensor x = f64({1, 2}, {2});
  Padded::apply(x).sum().backward();
  check_values(x.grad(), {3, 3});
  struct TooMany : Function<TooMany> {
    static Tensor forward(AutogradContext*, const Tensor& a) { return a * 3; }
    static variable_list backward(AutogradContext*, variable_list g) { return {g[0] * 3, g[0]}; }
  };
  Tensor y = f64({1, 2}, {2});
  XGT_CHECK_THROWS_MSG(TooMany::apply(y).sum().backward(), xg::AutogradError, "TooMany", "returned 2 gradients");
  CHECK(!y.grad().defined());
}

TEST_CASE("DetectAnomalyGuard(check_nan = false) turns the NaN check off in its scope") {
  auto nan_backward = [] {
    Tensor x = f64({0}, {1});
    (xg::sqrt(x) * 0.0).sum().backward();  // d sqrt at 0 is inf, times 0: NaN
  };
  xg::autograd::DetectAnomalyGuard on;
  XGT_CHECK_THROWS_MSG(nan_backward(), xg::AutogradError, "anomaly", "NaN");
  {
    xg::autograd::DetectAnomalyGuard off(/*check_nan=*/false);
    CHECK_NOTHROW(nan_backward());
  }
  XGT_CHECK_THROWS_MSG(nan_backward(), xg::AutogradError, "anomaly", "NaN");
}
