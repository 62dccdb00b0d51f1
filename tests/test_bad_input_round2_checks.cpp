// Issue #14, classes 4 and 5: checks that were missing, and messages that name the function the
// user called (not an op it calls inside) with the user's values. Each case: the type, the op
// and the value in the message, and the inputs unchanged.
#include "check.h"

namespace {

using xgt::f64;
using xgt::i64;
using xgt::Snapshot;

}  // namespace

TEST_CASE("round2 checks: ops on 0-d tensors check the dim first") {
  const xg::Tensor s = xg::scalar_tensor(2.0, xg::kFloat64).requires_grad_();
  const Snapshot snap(s);
  XGT_CHECK_THROWS_MSG(xg::transpose(s, 0, 1), xg::IndexError, "transpose", "dim 1");
  XGT_CHECK_THROWS_MSG(s.transpose(-2, 0), xg::IndexError, "transpose", "dim -2");
  XGT_CHECK_THROWS_MSG(xg::softmax(s, 5), xg::IndexError, "softmax", "dim 5");
  XGT_CHECK_THROWS_MSG(xg::log_softmax(s, -3), xg::IndexError, "log_softmax", "dim -3");
  XGT_CHECK_THROWS_MSG(xg::squeeze(s, 2), xg::IndexError, "squeeze", "dim 2");
  XGT_CHECK_THROWS_MSG(xg::flatten(s, 0, 4), xg::IndexError, "flatten", "dim 4");
  XGT_CHECK_THROWS_MSG(xg::max(s, 1), xg::IndexError, "max", "dim 1");
  XGT_CHECK_THROWS_MSG(xg::min(s, 7), xg::IndexError, "min", "dim 7");
  XGT_CHECK_THROWS_MSG(xg::argmax(s, 3), xg::IndexError, "argmax", "dim 3");
  XGT_CHECK_THROWS_MSG(xg::argmin(s, -9), xg::IndexError, "argmin", "dim -9");
  CHECK(snap.unchanged());
  // dim 0 and -1 of a 0-d tensor are the tensor itself, as in PyTorch.
  CHECK(xg::softmax(s, -1).item<double>() == 1.0);
  CHECK(xg::log_softmax(s, 0).item<double>() == 0.0);
  CHECK(xg::transpose(s, 0, -1).item<double>() == 2.0);
  CHECK(xg::argmax(s, 0).item<std::int64_t>() == 0);
}

TEST_CASE("round2 checks: every index op refuses a negative index (one rule: indices in [0, size))") {
  const xg::Tensor x = xgt::seq({2, 3}, 1, 1, 0);
  const xg::Tensor idx = i64({0, -1});
  const Snapshot sx(x), si(idx);
  XGT_CHECK_THROWS_MSG(xg::index_select(x, 1, idx), xg::IndexError, "index_select", "index -1", "[0, 3)");
  XGT_CHECK_THROWS_MSG(xg::index_add(x, 1, idx, xgt::seq({2, 2}, 0, 1, 0)), xg::IndexError, "index_add", "index -1");
  XGT_CHECK_THROWS_MSG(xg::gather(x, 1, xg::from_vector(std::vector<std::int64_t>{0, -3}, {2, 1})), xg::IndexError, "gather",
                       "index -3", "size 3");
  XGT_CHECK_THROWS_MSG(xg::scatter_add(x, 0, xg::from_vector(std::vector<std::int64_t>{-2, 1}, {1, 2}), xgt::seq({1, 2}, 0, 1, 0)),
                       xg::IndexError, "scatter_add", "index -2", "size 2");
  XGT_CHECK_THROWS_MSG(xg::one_hot(i64({1, -1})), xg::IndexError, "one_hot", "-1");
  XGT_CHECK_THROWS_MSG(xg::one_hot(i64({1, 0}), -2), xg::ValueError, "one_hot", "num_classes", "-2");
  XGT_CHECK_THROWS_MSG(xg::one_hot(i64({1, 0}), -100), xg::ValueError, "one_hot", "-100");
  CHECK(sx.unchanged());
  CHECK(si.unchanged());
  xgt::check_values(xg::index_select(x, 1, i64({2, 0})), {3, 1, 6, 4});
  CHECK(xg::one_hot(i64({1, 0})).to_vector<std::int64_t>() == std::vector<std::int64_t>{0, 1, 1, 0});
}

TEST_CASE("round2 checks: autograd::grad with no inputs is refused before it runs (the graph survives)") {
  const xg::Tensor x = f64({1, 2}, {2});
  const xg::Tensor y = (x * x).sum();
  XGT_CHECK_THROWS_MSG(xg::autograd::grad({y}, {}), xg::ValueError, "grad", "non-empty inputs");
  XGT_CHECK_THROWS_MSG(xg::autograd::grad({y}, {x}, {xg::ones({}, xg::kFloat64), xg::ones({}, xg::kFloat64)}), xg::ValueError,
                       "grad", "2 gradients for 1 outputs");
  XGT_CHECK_THROWS_MSG(xg::autograd::grad({y}, {x}, {xg::ones({}, xg::kFloat32)}), xg::DTypeError, "grad", "float32", "float64");
  CHECK_FALSE(x.grad().defined());
  const auto g = xg::autograd::grad({y}, {x});  // not freed by the refused calls
  xgt::check_values(g.at(0), {2, 4});
  // A second grad through the freed graph names grad, not backward.
  XGT_CHECK_THROWS_MSG(xg::autograd::grad({y}, {x}), xg::AutogradError, "grad: trying to backward");
}

TEST_CASE("round2 checks: a dtype mismatch is a DTypeError (backward's gradient, set_grad)") {
  const xg::Tensor x = f64({1, 2}, {2});
  const xg::Tensor y = x * 3.0;
  XGT_CHECK_THROWS_MSG(y.backward(xg::ones({2})), xg::DTypeError, "backward", "float32", "float64");
  XGT_CHECK_THROWS_MSG(y.backward(xg::ones({3}, xg::kFloat64)), xg::ShapeError, "backward", "[3]", "[2]");
  CHECK_FALSE(x.grad().defined());
  y.backward(xg::ones({2}, xg::kFloat64));
  xgt::check_values(x.grad(), {3, 3});
  xg::Tensor w = f64({1, 2}, {2});
  w.set_grad(f64({5, 6}, {2}, false));
  XGT_CHECK_THROWS_MSG(w.set_grad(xg::ones({2})), xg::DTypeError, "set_grad", "float32", "float64");
  XGT_CHECK_THROWS_MSG(w.set_grad(xg::ones({3}, xg::kFloat64)), xg::ShapeError, "set_grad", "[3]");
  xgt::check_values(w.grad(), {5, 6});
}

TEST_CASE("round2 checks: class weights of another dtype are a DTypeError, not cast silently") {
  const xg::Tensor logits = xgt::seq({2, 3}, 0.1, 0.2, 0.01);
  const xg::Tensor target = i64({2, 0});
  const Snapshot sl(logits);
  xg::nn::functional::CrossEntropyOptions opt;
  opt.weight(xg::tensor({1, 2, 3}));  // float32 for float64 scores
  XGT_CHECK_THROWS_MSG(xg::nn::functional::cross_entropy(logits, target, opt), xg::DTypeError, "cross_entropy", "float32",
                       "float64");
  XGT_CHECK_THROWS_MSG(xg::nn::functional::nll_loss(logits, target, xg::nn::functional::NLLLossFuncOptions().weight(opt.weight())), xg::DTypeError, "nll_loss", "float32");
  opt.weight(xg::tensor({1, 2, 3}, xg::kInt64));
  XGT_CHECK_THROWS_MSG(xg::nn::functional::nll_loss(logits, target, xg::nn::functional::NLLLossFuncOptions().weight(opt.weight())), xg::DTypeError, "nll_loss", "int64");
  opt.weight(f64({1, 2}, {2}, false));
  XGT_CHECK_THROWS_MSG(xg::nn::functional::cross_entropy(logits, target, opt), xg::ShapeError, "cross_entropy", "[3]", "[2]");
  CHECK(sl.unchanged());
  CHECK_FALSE(logits.grad().defined());
  // With weights of the input's dtype: -(w·log p) summed / Σw, here by hand for nll_loss.
  opt.weight(f64({1, 2, 3}, {3}, false));
  const xg::Tensor lp = f64({-1, -2, -3, -4, -5, -6}, {2, 3}, false);
  xgt::check_values(xg::nn::functional::nll_loss(lp, target, xg::nn::functional::NLLLossFuncOptions().weight(opt.weight())), {(3 * 3 + 1 * 4) / 4.0});
}

TEST_CASE("round2 checks: an optimizer state of another type is refused (Adam into AdamW)") {
  xg::Tensor p = xgt::theta0();
  xg::optim::Adam adam({p}, xg::optim::AdamOptions(0.1));
  xgt::problem_loss(p).backward();
  adam.step();
  const xg::StateDict adam_state = adam.state_dict();
  CHECK(adam_state.count("type.Adam") == 1);

  xg::Tensor q = xgt::theta0();
  xg::optim::AdamW adamw({q}, xg::optim::AdamWOptions(0.2));
  xgt::problem_loss(q).backward();
  adamw.step();
  const xg::StateDict before = xgt::deep_copy(adamw.state_dict());
  const Snapshot sq(q);
  XGT_CHECK_THROWS_MSG(adamw.load_state_dict(adam_state), xg::ValueError, "AdamW.load_state_dict", "'Adam'");
  CHECK(xgt::bitwise_equal(adamw.state_dict(), before));
  CHECK(sq.unchanged());
  XGT_CHECK_THROWS_MSG(adam.load_state_dict(before), xg::ValueError, "Adam.load_state_dict", "'AdamW'");
  xg::optim::SGD sgd({xgt::theta0()}, xg::optim::SGDOptions(0.1));
  XGT_CHECK_THROWS_MSG(sgd.load_state_dict(adam_state), xg::ValueError, "SGD.load_state_dict", "'Adam'");
  // Its own type loads; a state saved before types were recorded (no "type." key) still does.
  adamw.load_state_dict(before);
  xg::StateDict untyped = adam_state;
  untyped.erase("type.Adam");
  adam.load_state_dict(untyped);
  CHECK(adam.state(p)->step == 1);
}

TEST_CASE("round2 checks: to_dot of an undefined tensor raises like every other op") {
  XGT_CHECK_THROWS_MSG(xg::to_dot(xg::Tensor()), xg::ValueError, "to_dot", "undefined");
  CHECK(xg::to_dot(xg::ones({2})).find("tensor [2]") != std::string::npos);
}

TEST_CASE("round2 names: stack, sub_, gemm, mm, broadcast_to name themselves") {
  const xg::Tensor a = f64({1, 2}, {2});
  const xg::Tensor b = xg::tensor({3, 4});
  XGT_CHECK_THROWS_MSG(xg::stack({a, b}), xg::DTypeError, "stack", "float64", "float32");
  XGT_CHECK_THROWS_MSG(xg::stack({a, b}), xg::DTypeError, "stack:");
  CHECK(xgt::thrown_message<xg::DTypeError>([&] { (void)xg::stack({a, b}); }).find("cat") == std::string::npos);

  xg::Tensor m = xg::zeros({2, 3});
  m.add_(1.0);
  const Snapshot sm(m);
  XGT_CHECK_THROWS_MSG(m.sub_(xg::ones({4})), xg::ShapeError, "sub_", "[4]", "[2, 3]");
  XGT_CHECK_THROWS_MSG(m.sub_(xg::ones({3}, xg::kFloat64), 2.0), xg::DTypeError, "sub_", "float64");
  XGT_CHECK_THROWS_MSG(m.sub_(xg::Tensor()), xg::ValueError, "sub_", "undefined");
  CHECK(sm.unchanged());

  const xg::Tensor x = xgt::seq({2, 3}, 0, 1, 0), y = xgt::seq({2, 4}, 0, 1, 0);
  const Snapshot sx(x), sy(y);
  XGT_CHECK_THROWS_MSG(xg::gemm(x, y, false, false), xg::ShapeError, "gemm:", "[2, 3]", "[2, 4]");
  XGT_CHECK_THROWS_MSG(xg::gemm(x, xg::ones({3, 2}), false, false), xg::DTypeError, "gemm:", "float32");
  XGT_CHECK_THROWS_MSG(xg::gemm(xgt::seq({2, 2, 3}, 0, 1, 0), xgt::seq({3, 3, 1}, 0, 1, 0), false, false), xg::ShapeError,
                       "gemm (batch dims)", "[2]", "[3]");
  XGT_CHECK_THROWS_MSG(xg::matmul(xgt::seq({2, 2, 3}, 0, 1, 0), xgt::seq({3, 3, 1}, 0, 1, 0)), xg::ShapeError,
                       "matmul (batch dims)");
  XGT_CHECK_THROWS_MSG(xg::mm(x, y), xg::ShapeError, "mm:", "[2, 3]", "[2, 4]");
  XGT_CHECK_THROWS_MSG(xg::mm(x, xg::ones({3, 2})), xg::DTypeError, "mm:", "float32");
  XGT_CHECK_THROWS_MSG(xg::broadcast_to(x, {4, 3, 2}), xg::ShapeError, "broadcast_to", "[2, 3]", "[4, 3, 2]");
  CHECK(sx.unchanged());
  CHECK(sy.unchanged());
  CHECK(xg::gemm(x, y, true, false).grad_fn_name() == "gemm");
  CHECK(xg::mm(x, xg::t(x)).grad_fn_name() == "mm");
}

TEST_CASE("round2 names: Linear, the BCE losses and Standardizer::apply check their own arguments") {
  xg::nn::Linear fc(3, 2);
  const xg::StateDict before = xgt::deep_copy(fc->state_dict());
  const xg::Tensor x64 = xgt::seq({4, 3}, 0, 0.5, 0);
  const Snapshot sx(x64);
  XGT_CHECK_THROWS_MSG(fc(x64), xg::DTypeError, "Linear", "float64", "float32");
  XGT_CHECK_THROWS_MSG(xg::linear(x64, fc->weight, fc->bias), xg::DTypeError, "linear", "float64", "float32");
  XGT_CHECK_THROWS_MSG(xg::linear(xg::ones({4, 3}), fc->weight, xg::ones({5})), xg::ShapeError, "linear", "bias", "[5]");
  CHECK(xgt::bitwise_equal(fc->state_dict(), before));
  CHECK(sx.unchanged());

  namespace F = xg::nn::functional;
  const xg::Tensor p = f64({0.2, 0.7, 0.5, 0.9}, {2, 2});
  const xg::Tensor t = f64({0, 1, 1, 1}, {2, 2}, false);
  const Snapshot sp(p);
  XGT_CHECK_THROWS_MSG(F::binary_cross_entropy(p, t, f64({1, 2, 3}, {3}, false)), xg::ShapeError, "binary_cross_entropy",
                       "weight", "[3]", "[2, 2]");
  XGT_CHECK_THROWS_MSG(F::binary_cross_entropy(p, t, xg::ones({2})), xg::DTypeError, "binary_cross_entropy", "float32");
  XGT_CHECK_THROWS_MSG(F::binary_cross_entropy(p, t, f64({1, 1, 1, 1, 1, 1, 1, 1}, {2, 2, 2}, false)), xg::ShapeError,
                       "binary_cross_entropy", "[2, 2, 2]");
  XGT_CHECK_THROWS_MSG(F::binary_cross_entropy_with_logits(p, t, f64({1, 2, 3}, {3}, false)), xg::ShapeError,
                       "binary_cross_entropy_with_logits", "weight", "[3]");
  XGT_CHECK_THROWS_MSG(F::binary_cross_entropy_with_logits(p, t, {}, f64({1, 2, 3, 4}, {4, 1}, false)), xg::ShapeError,
                       "binary_cross_entropy_with_logits", "pos_weight", "[4, 1]");
  XGT_CHECK_THROWS_MSG(F::binary_cross_entropy_with_logits(p, t, {}, xg::ones({2})), xg::DTypeError,
                       "binary_cross_entropy_with_logits", "pos_weight", "float32");
  CHECK(sp.unchanged());
  // A [2] weight broadcasts over the rows: w·BCE by hand.
  const double l00 = -std::log(0.8), l01 = -std::log(0.7), l10 = -std::log(0.5), l11 = -std::log(0.9);
  xgt::check_values(F::binary_cross_entropy(p, t, f64({1, 2}, {2}, false), xg::nn::functional::Reduction::Sum),
                    {l00 + 2 * l01 + l10 + 2 * l11});

  const xg::data::Standardizer st(f64({1, 2, 3}, {3}, false), f64({1, 1, 2}, {3}, false));
  const xg::Tensor feats = xgt::seq({2, 4}, 0, 1, 0);
  const Snapshot sf(feats);
  XGT_CHECK_THROWS_MSG(st.apply(feats), xg::ShapeError, "Standardizer::apply", "[2, 4]", "[3]");
  XGT_CHECK_THROWS_MSG(st.apply(xg::Tensor()), xg::ValueError, "Standardizer::apply", "undefined");
  CHECK(sf.unchanged());
  xgt::check_values(st.apply(f64({2, 2, 7}, {1, 3}, false)), {1, 0, 2});
}

TEST_CASE("round2 names: factories name themselves for requires_grad on int64") {
  const auto opt = xg::TensorOptions(xg::kInt64).requires_grad();
  XGT_CHECK_THROWS_MSG(xg::zeros({2}, opt), xg::DTypeError, "zeros", "int64");
  XGT_CHECK_THROWS_MSG(xg::ones({2}, opt), xg::DTypeError, "ones", "int64");
  XGT_CHECK_THROWS_MSG(xg::full({2}, 3, opt), xg::DTypeError, "full", "int64");
  XGT_CHECK_THROWS_MSG(xg::empty({2}, opt), xg::DTypeError, "empty", "int64");
  XGT_CHECK_THROWS_MSG(xg::eye(2, opt), xg::DTypeError, "eye", "int64");
  XGT_CHECK_THROWS_MSG(xg::linspace(0, 1, 3, opt), xg::DTypeError, "linspace", "int64");
  XGT_CHECK_THROWS_MSG(xg::tensor({1, 2}, opt), xg::DTypeError, "tensor", "int64");
  for (const char* name : {"zeros", "arange"})
    CHECK(xgt::thrown_message<xg::DTypeError>([&] {
            (void)(std::string(name) == "zeros" ? xg::zeros({2}, opt) : xg::arange(0, 2, 1, opt));
          }).find("requires_grad_") == std::string::npos);
}
