// The bad-input matrix (issue #9): realistic misuses across the whole API (tensor ops, nn modules
// and losses, optimizers, data splits and loaders, io). Each case checks
//   (a) the exact xg::Error subtype,
//   (b) that the message names the op and the offending shapes / dtypes / values,
//   (c) that nothing was changed by the failed call: input values and version counters, module
//       and optimizer state_dicts, files on disk (byte for byte).
// tests/test_errors.cpp holds the basic per-type cases; this file does not repeat them.
#include <doctest/doctest.h>

#include "check.h"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "xgrad.h"

namespace {

namespace fs = std::filesystem;
namespace nn = xg::nn;
namespace F = xg::nn::functional;
namespace optim = xg::optim;
namespace data = xg::data;

using xgt::thrown_message;

// Bit-exact equality of two tensors (dtype, shape, values; NaN equal to NaN), and of two StateDicts.
bool same_tensor(const xg::Tensor& a, const xg::Tensor& b) {
  if (a.defined() != b.defined()) return false;
  if (!a.defined()) return true;
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  const auto va = a.to_vector<double>(), vb = b.to_vector<double>();
  for (std::size_t i = 0; i < va.size(); ++i)
    if (!(va[i] == vb[i] || (std::isnan(va[i]) && std::isnan(vb[i])))) return false;
  return true;
}

bool same_dict(const xg::StateDict& a, const xg::StateDict& b) {
  if (a.size() != b.size()) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib)
    if (ia->first != ib->first || !same_tensor(ia->second, ib->second)) return false;
  return true;
}

// A deep copy (state_dict() entries may share storage with the live parameters).
xg::StateDict deep_copy(const xg::StateDict& sd) {
  xg::StateDict out;
  for (const auto& [k, v] : sd) out[k] = v.defined() ? v.clone() : v;
  return out;
}

// Values and version of a tensor, taken before a failing call and compared after it.
struct Snapshot {
  explicit Snapshot(const xg::Tensor& t) : tensor(t), copy(t.clone()), version(t.version()) {}
  bool unchanged() const { return same_tensor(tensor, copy) && tensor.version() == version; }
  xg::Tensor tensor, copy;
  std::uint64_t version;
};

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A scratch folder removed at the end of the case.
struct TempDir {
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("xgrad_bad_input_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

xg::Tensor f64(std::initializer_list<double> v, bool requires_grad = false) {
  return xg::tensor(v, xg::TensorOptions(xg::kFloat64).requires_grad(requires_grad));
}
xg::Tensor i64(std::initializer_list<double> v) { return xg::tensor(v, xg::kInt64); }

// A small model for the module / optimizer / checkpoint cases.
struct MLP : nn::Module {
  nn::Linear fc1, fc2;
  MLP(std::int64_t in, std::int64_t hidden, std::int64_t out) : fc1(in, hidden), fc2(hidden, out) {
    register_module("fc1", fc1);
    register_module("fc2", fc2);
  }
  xg::Tensor forward(const xg::Tensor& x) override { return fc2(xg::relu(fc1(x))); }
  std::string type_name() const override { return "MLP"; }
};

// One optimizer step with a simple loss, so the optimizer has state buffers.
void train_step(nn::Module& m, optim::Optimizer& opt, std::int64_t in) {
  opt.zero_grad();
  const xg::Tensor x = xg::ones({4, in});
  xg::sum(xg::square(m(x))).backward();
  opt.step();
}

}  // namespace

// Build with -DXG_BAD_INPUT_VERBOSE to print every message.
#ifdef XG_BAD_INPUT_VERBOSE
constexpr bool kVerbose = true;
#else
constexpr bool kVerbose = false;
#endif

// CHECK_BAD(Type, callable, "part", ...): calling it throws exactly Type and the message contains
// every part.
#define CHECK_BAD(Type, fn, ...)                                                                        \
  do {                                                                                                  \
    const std::string msg_ = thrown_message<Type>(fn);                                                  \
    INFO(#Type " message: ", msg_);                                                                     \
    if (kVerbose) MESSAGE(msg_);                                                                        \
    CHECK_MESSAGE(msg_.rfind('<', 0) != 0, "expected " #Type);                                          \
    for (std::string_view part_ : std::initializer_list<std::string_view>{__VA_ARGS__})                 \
      CHECK_MESSAGE(msg_.find(part_) != std::string::npos, "message lacks \"", std::string(part_), "\""); \
  } while (false)

// =============================================================================================
// tensor ops
// =============================================================================================

TEST_CASE("bad input: tensor ops") {
  SUBCASE("broadcasting mismatch in a 3-D element-wise op (in place: target unchanged)") {
    xg::Tensor a = xg::ones({2, 3, 4});
    const xg::Tensor b = xg::ones({3, 5});
    const Snapshot sa(a), sb(b);
    CHECK_BAD(xg::ShapeError, [&] { (void)xg::div(a, b); }, "div", "[2, 3, 4]", "[3, 5]", "4 vs 5");
    CHECK_BAD(xg::ShapeError, [&] { a.mul_(b); }, "mul_", "[2, 3, 4]", "[3, 5]");
    CHECK(sa.unchanged());
    CHECK(sb.unchanged());
  }
  SUBCASE("broadcasting mismatch in where and pow") {
    const xg::Tensor c = xg::ones({2, 3}), x = xg::ones({2, 3}), y = xg::ones({4, 3});
    CHECK_BAD(xg::ShapeError, [&] { (void)xg::where(c, x, y); }, "where", "[2, 3]", "[4, 3]");
    CHECK_BAD(xg::ShapeError, [&] { (void)xg::pow(x, y); }, "pow", "[2, 3]", "[4, 3]");
  }
  SUBCASE("matmul inner-dim mismatch, batched, and batch dims that do not broadcast") {
    const xg::Tensor a = xg::ones({2, 3, 4}, xg::kFloat64).requires_grad_();
    const Snapshot sa(a);
    CHECK_BAD(xg::ShapeError, [&] { (void)xg::matmul(a, xg::ones({2, 5, 6}, xg::kFloat64)); }, "matmul", "[2, 3, 4]",
              "[2, 5, 6]", "4 vs 5");
    // (the message names only the batch dims, [2] and [3], not the operands' full shapes)
    CHECK_BAD(xg::ShapeError, [&] { (void)xg::matmul(a, xg::ones({3, 4, 2}, xg::kFloat64)); }, "matmul", "batch",
              "[2]", "[3]", "2 vs 3");
    CHECK(sa.unchanged());
    CHECK(a.is_leaf());
    CHECK_FALSE(a.grad().defined());
  }
  SUBCASE("int64 into float-only ops") {
    const xg::Tensor i = i64({1, 2, 3});
    const Snapshot si(i);
    CHECK_BAD(xg::DTypeError, [&] { (void)xg::sigmoid(i); }, "sigmoid", "int64");
    CHECK_BAD(xg::DTypeError, [&] { (void)xg::tanh(i); }, "tanh", "int64");
    CHECK_BAD(xg::DTypeError, [&] { (void)xg::logsumexp(i, {0}); }, "logsumexp", "int64");
    CHECK_BAD(xg::DTypeError, [&] { (void)xg::matmul(xg::ones({2, 3}), xg::ones({3, 2}, xg::kInt64)); }, "matmul",
              "float32", "int64");
    CHECK(si.unchanged());
  }
  SUBCASE("max / min / mean of an empty tensor") {
    const xg::Tensor e = xg::zeros({0}, xg::kFloat64);
    CHECK_BAD(xg::ValueError, [&] { (void)xg::max(e); }, "max", "[0]");
    CHECK_BAD(xg::ValueError, [&] { (void)xg::min(e); }, "min", "[0]");
    CHECK_BAD(xg::ValueError, [] { (void)xg::mean(xg::zeros({2, 0}, xg::kFloat64), {1}); }, "mean", "[2, 0]");
  }
  SUBCASE("max along an empty dim") {
    CHECK_BAD(xg::ValueError, [] { (void)xg::max(xg::zeros({3, 0}), 1); }, "max", "[3, 0]");
  }
  SUBCASE("out-of-range dims in shape ops") {
    const xg::Tensor x = xg::ones({2, 3});
    CHECK_BAD(xg::IndexError, [&] { (void)xg::cat({x, x}, 2); }, "cat", "dim 2");
    CHECK_BAD(xg::IndexError, [&] { (void)xg::stack({x, x}, 4); }, "stack", "dim 4");
    CHECK_BAD(xg::IndexError, [&] { (void)xg::squeeze(x, 3); }, "squeeze", "dim 3");
    CHECK_BAD(xg::IndexError, [&] { (void)xg::max(x, -3); }, "max", "dim -3");
    CHECK_BAD(xg::IndexError, [&] { (void)xg::permute(x, {0, 2}); }, "permute");
  }
  SUBCASE("out-of-range indices in scatter_add / index_add (target unchanged)") {
    const xg::Tensor x = xg::zeros({3, 2});
    const Snapshot sx(x);
    CHECK_BAD(xg::IndexError, [&] { (void)xg::index_add(x, 0, i64({0, 3}), xg::ones({2, 2})); }, "index_add",
              "index 3", "size 3");
    CHECK_BAD(xg::IndexError,
              [&] { (void)xg::scatter_add(x, 0, xg::from_vector(std::vector<std::int64_t>{0, 7}, {1, 2}), xg::ones({1, 2})); },
              "scatter_add", "index 7", "size 3");
    CHECK(sx.unchanged());
  }
  SUBCASE("NaN / Inf where the op cannot accept them") {
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    const xg::Tensor p = xg::from_vector(std::vector<double>{0.2, nan}, {2}, true);
    const Snapshot sp(p);
    CHECK_BAD(xg::ValueError, [&] { (void)F::binary_cross_entropy(p, f64({0, 1})); }, "binary_cross_entropy", "nan");
    CHECK(sp.unchanged());
    CHECK_BAD(xg::ValueError, [&] { (void)xg::arange(0, inf, 1); }, "arange", "inf");
    CHECK_BAD(xg::ValueError, [&] { (void)xg::arange(nan, 5, 1); }, "arange", "nan");
  }
}

// =============================================================================================
// autograd
// =============================================================================================

TEST_CASE("bad input: autograd") {
  SUBCASE("backward on an unreduced loss (reduction none) without a gradient: existing grads unchanged") {
    xg::Tensor w = f64({1, 2}, true);
    xg::sum(w * 3.0).backward();  // w.grad() = [3, 3]
    const Snapshot sg(w.grad());
    const xg::Tensor per_example = F::mse_loss(w * 2.0, f64({0, 0}), nn::Reduction::None);
    CHECK_BAD(xg::AutogradError, [&] { per_example.backward(); }, "backward", "single-element", "[2]");
    CHECK(sg.unchanged());
  }
  SUBCASE("backward twice through a cross_entropy graph: gradient not accumulated again") {
    xg::Tensor logits = xg::from_vector(std::vector<double>{1, 2, 3, 0, 0, 1}, {2, 3}, true);
    const xg::Tensor loss = F::cross_entropy(logits, i64({2, 0}));
    loss.backward();
    const Snapshot sg(logits.grad());
    CHECK_BAD(xg::AutogradError, [&] { loss.backward(); }, "backward", "second time", "retain_graph");
    CHECK(sg.unchanged());
  }
  SUBCASE("an optimizer step between forward and backward overwrites a saved weight") {
    nn::Linear lin(3, 2);
    optim::SGD opt(lin.parameters(), optim::SGDOptions(0.1));
    const xg::Tensor loss1 = xg::sum(xg::square(lin(xg::ones({4, 3}))));
    // A gradient for the step, from a separate graph.
    xg::sum(lin(xg::ones({1, 3}))).backward();
    opt.step();  // bumps weight's version: loss1's graph saved the old weight
    const Snapshot sw(lin.weight), swg(lin.weight.grad());
    // Linear's weight is at version 1 after its initialization, so the step makes it 2.
    CHECK_BAD(xg::AutogradError, [&] { loss1.backward(); }, "backward", "matmul", "[2, 3]", "in-place",
              "optimizer.step", "version is 2", "expected 1");
    CHECK(sw.unchanged());
    CHECK(swg.unchanged());
  }
  SUBCASE("a sigmoid output changed in place under NoGradGuard") {
    const xg::Tensor x = f64({0, 1}, true);
    xg::Tensor y = xg::sigmoid(x);
    {
      xg::NoGradGuard ng;
      y.fill_(0.5);
    }
    CHECK_BAD(xg::AutogradError, [&] { xg::sum(y).backward(); }, "sigmoid", "fill_", "version is 1", "expected 0");
    CHECK_FALSE(x.grad().defined());
  }
}

// =============================================================================================
// nn: modules and losses
// =============================================================================================

TEST_CASE("bad input: nn modules") {
  SUBCASE("Linear with zero or negative sizes") {
    CHECK_BAD(xg::ValueError, [] { nn::Linear l(0, 3); }, "Linear", "in=0");
    CHECK_BAD(xg::ValueError, [] { nn::Linear l(4, -1); }, "Linear", "out=-1");
  }
  SUBCASE("Linear forward with the wrong number of features (module unchanged)") {
    nn::Linear lin(3, 2);
    const xg::StateDict before = deep_copy(lin.state_dict());
    CHECK_BAD(xg::ShapeError, [&] { (void)lin(xg::ones({4, 5})); }, "linear", "[4, 5]", "[2, 3]");
    CHECK(same_dict(lin.state_dict(), before));
  }
  SUBCASE("BatchNorm1d with the wrong feature count: running statistics unchanged") {
    nn::BatchNorm1d bn(4);
    bn.train();
    (void)bn(xg::randn({8, 4}));  // moves the running stats away from 0/1
    const xg::StateDict before = deep_copy(bn.state_dict());
    CHECK_BAD(xg::ShapeError, [&] { (void)bn(xg::randn({8, 3})); }, "BatchNorm1d", "4", "[8, 3]");
    CHECK(same_dict(bn.state_dict(), before));
  }
  SUBCASE("Dropout with p outside [0, 1] or NaN") {
    CHECK_BAD(xg::ValueError, [] { nn::Dropout d(1.5); }, "Dropout", "1.5");
    CHECK_BAD(xg::ValueError, [] { nn::Dropout d(std::nan("")); }, "Dropout", "nan");
  }
  SUBCASE("load_state_dict with a missing key: reported, nothing loaded") {
    MLP m(3, 4, 2);
    const xg::StateDict before = deep_copy(m.state_dict());
    xg::StateDict sd = deep_copy(before);
    for (auto& [k, v] : sd) v.fill_(7.0);
    sd.erase("fc2.bias");
    CHECK_BAD(xg::ValueError, [&] { m.load_state_dict(sd); }, "load_state_dict", "missing", "fc2.bias");
    CHECK(same_dict(m.state_dict(), before));
  }
  SUBCASE("load_state_dict with an extra key: reported, nothing loaded") {
    MLP m(3, 4, 2);
    const xg::StateDict before = deep_copy(m.state_dict());
    xg::StateDict sd = deep_copy(before);
    for (auto& [k, v] : sd) v.fill_(7.0);
    sd["fc3.weight"] = xg::ones({2, 2});
    CHECK_BAD(xg::ValueError, [&] { m.load_state_dict(sd); }, "load_state_dict", "unexpected", "fc3.weight");
    CHECK(same_dict(m.state_dict(), before));
  }
  SUBCASE("load_state_dict with a mis-shaped key (even non-strict): reported, nothing loaded") {
    MLP m(3, 4, 2);
    const xg::StateDict before = deep_copy(m.state_dict());
    xg::StateDict sd = deep_copy(before);
    for (auto& [k, v] : sd) v.fill_(7.0);
    sd["fc1.weight"] = xg::ones({4, 5});
    // ValueError (not ShapeError): load_state_dict reports every kind of mismatch together.
    CHECK_BAD(xg::ValueError, [&] { m.load_state_dict(sd); }, "MLP.load_state_dict", "nothing was loaded", "fc1.weight",
              "[4, 5]", "[4, 3]");
    CHECK_BAD(xg::ValueError, [&] { m.load_state_dict(sd, false); }, "MLP.load_state_dict", "fc1.weight", "[4, 5]",
              "[4, 3]");
    CHECK(same_dict(m.state_dict(), before));
  }
}

TEST_CASE("bad input: losses") {
  const xg::Tensor logits = xg::from_vector(std::vector<double>{1, 2, 3, 0, 0, 1}, {2, 3}, true);
  const Snapshot sl(logits);
  SUBCASE("float targets into cross_entropy") {
    CHECK_BAD(xg::DTypeError, [&] { (void)F::cross_entropy(logits, f64({2, 0})); }, "cross_entropy", "int64",
              "float64");
  }
  SUBCASE("class index out of range in cross_entropy") {
    CHECK_BAD(xg::IndexError, [&] { (void)F::cross_entropy(logits, i64({1, 3})); }, "cross_entropy", "3", "3 classes");
    CHECK_BAD(xg::IndexError, [&] { (void)F::cross_entropy(logits, i64({-2, 0})); }, "cross_entropy", "-2");
  }
  SUBCASE("class index out of range in nll_loss") {
    const xg::Tensor lp = xg::log_softmax(logits, 1);
    CHECK_BAD(xg::IndexError, [&] { (void)F::nll_loss(lp, i64({0, 5})); }, "nll_loss", "5", "3 classes");
  }
  SUBCASE("cross_entropy targets of the wrong batch size") {
    CHECK_BAD(xg::ShapeError, [&] { (void)F::cross_entropy(logits, i64({0, 1, 2})); }, "cross_entropy", "[2, 3]", "[3]");
  }
  SUBCASE("label_smoothing outside [0, 1]") {
    F::CrossEntropyOptions o;
    o.label_smoothing = 1.5;
    CHECK_BAD(xg::ValueError, [&] { (void)F::cross_entropy(logits, i64({0, 1}), o); }, "cross_entropy",
              "label_smoothing", "1.5");
  }
  SUBCASE("binary_cross_entropy with probabilities outside [0, 1] or NaN") {
    const xg::Tensor p = f64({0.5, 1.5}, true), t = f64({0, 1});
    const Snapshot sp(p);
    CHECK_BAD(xg::ValueError, [&] { (void)F::binary_cross_entropy(p, t); }, "binary_cross_entropy", "1.5");
    CHECK_BAD(xg::ValueError, [&] { (void)F::binary_cross_entropy(f64({std::nan(""), 0.5}), t); },
              "binary_cross_entropy", "nan");
    CHECK(sp.unchanged());
  }
  SUBCASE("mse_loss / binary_cross_entropy_with_logits with mismatched shapes") {
    CHECK_BAD(xg::ShapeError, [&] { (void)F::mse_loss(logits, f64({1, 2})); }, "mse_loss", "[2, 3]", "[2]");
    CHECK_BAD(xg::ShapeError, [&] { (void)F::binary_cross_entropy_with_logits(f64({0, 0, 0}), f64({1, 0})); },
              "binary_cross_entropy_with_logits", "[3]", "[2]");
  }
  CHECK(sl.unchanged());
  CHECK_FALSE(logits.grad().defined());
}

// =============================================================================================
// optimizers
// =============================================================================================

TEST_CASE("bad input: optimizer options") {
  nn::Linear lin(3, 2);
  const xg::StateDict before = deep_copy(lin.state_dict());
  bool trained = false;
  SUBCASE("Adam beta1 = 1.5") {
    CHECK_BAD(xg::ValueError, [&] { optim::Adam o(lin.parameters(), optim::AdamOptions(1e-3).betas({1.5, 0.999})); },
              "Adam", "beta", "1.5");
  }
  SUBCASE("Adam eps = 0, AdamW weight_decay < 0") {
    CHECK_BAD(xg::ValueError, [&] { optim::Adam o(lin.parameters(), optim::AdamOptions(1e-3).eps(0)); }, "Adam", "eps",
              "0");
    CHECK_BAD(xg::ValueError,
              [&] { optim::AdamW o(lin.parameters(), optim::AdamWOptions(1e-3).weight_decay(-0.5)); }, "AdamW",
              "weight_decay", "-0.5");
  }
  SUBCASE("SGD lr = -1 and lr = NaN") {
    CHECK_BAD(xg::ValueError, [&] { optim::SGD o(lin.parameters(), optim::SGDOptions(-1)); }, "SGD", "lr", "-1");
    CHECK_BAD(xg::ValueError, [&] { optim::SGD o(lin.parameters(), optim::SGDOptions(std::nan(""))); }, "SGD", "lr",
              "nan");
  }
  SUBCASE("SGD nesterov without momentum") {
    CHECK_BAD(xg::ValueError, [&] { optim::SGD o(lin.parameters(), optim::SGDOptions(0.1).nesterov(true)); }, "SGD",
              "nesterov", "momentum");
  }
  SUBCASE("RMSprop alpha < 0, Adagrad lr_decay < 0") {
    CHECK_BAD(xg::ValueError, [&] { optim::RMSprop o(lin.parameters(), optim::RMSpropOptions(1e-2).alpha(-0.1)); },
              "RMSprop", "alpha", "-0.1");
    CHECK_BAD(xg::ValueError, [&] { optim::Adagrad o(lin.parameters(), optim::AdagradOptions(1e-2).lr_decay(-1)); },
              "Adagrad", "lr_decay", "-1");
  }
  SUBCASE("add_param_group with a bad lr: optimizer unchanged") {
    optim::SGD opt(std::vector<xg::Tensor>{lin.weight}, optim::SGDOptions(0.1).momentum(0.9));
    train_step(lin, opt, 3);
    trained = true;
    const xg::StateDict lin_trained = deep_copy(lin.state_dict());
    const xg::StateDict opt_before = deep_copy(opt.state_dict());
    CHECK_BAD(xg::ValueError,
              [&] {
                opt.add_param_group(optim::OptimizerParamGroup({lin.bias}, std::make_unique<optim::SGDOptions>(-2.0)));
              },
              "SGD", "lr", "-2");
    CHECK(opt.param_groups().size() == 1u);
    CHECK(same_dict(opt.state_dict(), opt_before));
    CHECK(same_dict(lin.state_dict(), lin_trained));
  }
  if (!trained) CHECK(same_dict(lin.state_dict(), before));
}

TEST_CASE("bad input: optimizer load_state_dict from another optimizer or model") {
  MLP m(3, 4, 2);
  optim::Adam adam(m.parameters(), optim::AdamOptions(1e-2));
  train_step(m, adam, 3);
  const xg::StateDict adam_before = deep_copy(adam.state_dict());
  const xg::StateDict model_before = deep_copy(m.state_dict());

  SUBCASE("an SGD state into Adam") {
    MLP twin(3, 4, 2);
    optim::SGD sgd(twin.parameters(), optim::SGDOptions(0.1).momentum(0.9));
    train_step(twin, sgd, 3);
    const xg::StateDict sgd_sd = sgd.state_dict();
    CHECK_BAD(xg::ValueError, [&] { adam.load_state_dict(sgd_sd); }, "Adam.load_state_dict", "missing",
              "param_groups.0.betas");
    CHECK(same_dict(adam.state_dict(), adam_before));
  }
  SUBCASE("an Adam state from a model with other shapes") {
    MLP other(5, 4, 2);
    optim::Adam other_adam(other.parameters(), optim::AdamOptions(1e-2));
    train_step(other, other_adam, 5);
    CHECK_BAD(xg::ValueError, [&] { adam.load_state_dict(other_adam.state_dict()); }, "Adam.load_state_dict",
              "state.0.exp_avg", "[4, 5]", "[4, 3]");
    CHECK(same_dict(adam.state_dict(), adam_before));
  }
  SUBCASE("an Adam state from a model with more parameters") {
    struct Three : nn::Module {
      nn::Linear a{3, 4}, b{4, 4}, c{4, 2};
      Three() {
        register_module("a", a);
        register_module("b", b);
        register_module("c", c);
      }
      xg::Tensor forward(const xg::Tensor& x) override { return c(b(a(x))); }
    } other;
    optim::Adam other_adam(other.parameters(), optim::AdamOptions(1e-2));
    train_step(other, other_adam, 3);
    CHECK_BAD(xg::ValueError, [&] { adam.load_state_dict(other_adam.state_dict()); }, "Adam.load_state_dict", "6",
              "4");
    CHECK(same_dict(adam.state_dict(), adam_before));
  }
  SUBCASE("an out-of-range option inside the state_dict") {
    xg::StateDict sd = deep_copy(adam_before);
    sd["param_groups.0.betas"] = f64({1.5, 0.999});
    CHECK_BAD(xg::ValueError, [&] { adam.load_state_dict(sd); }, "Adam", "beta", "1.5");
    CHECK(same_dict(adam.state_dict(), adam_before));
  }
  CHECK(same_dict(m.state_dict(), model_before));
}

TEST_CASE("bad input: schedulers, EMA, clipping") {
  nn::Linear lin(2, 2);
  optim::SGD opt(lin.parameters(), optim::SGDOptions(0.1));
  SUBCASE("StepLR step_size 0, ExponentialLR gamma -1: lr unchanged") {
    CHECK_BAD(xg::ValueError, [&] { optim::StepLR s(opt, 0); }, "StepLR", "step_size", "0");
    CHECK_BAD(xg::ValueError, [&] { optim::ExponentialLR s(opt, -1); }, "ExponentialLR", "gamma", "-1");
    CHECK(opt.param_groups()[0].lr() == 0.1);
  }
  SUBCASE("ExponentialMovingAverage beta 1.5") {
    CHECK_BAD(xg::ValueError, [] { optim::ExponentialMovingAverage e(1.5); }, "ExponentialMovingAverage", "beta",
              "1.5");
  }
  SUBCASE("clip_grad_norm_ with a NaN gradient and error_if_nonfinite: gradients unchanged") {
    xg::sum(lin(xg::ones({1, 2}))).backward();
    {
      xg::NoGradGuard ng;
      lin.weight.grad().fill_(std::nan(""));
    }
    const Snapshot sw(lin.weight.grad()), sb(lin.bias.grad());
    CHECK_BAD(xg::ValueError, [&] { (void)optim::clip_grad_norm_(lin.parameters(), 1.0, 2.0, true); }, "clip_grad_norm_",
              "nan");
    CHECK(sw.unchanged());
    CHECK(sb.unchanged());
  }
}

// =============================================================================================
// data
// =============================================================================================

TEST_CASE("bad input: datasets, splits and loaders") {
  const xg::Tensor x = xg::arange(0, 20, 1, xg::kFloat32).reshape({10, 2});
  const xg::Tensor y = xg::arange(0, 10, 1, xg::kInt64);
  const Snapshot sx(x), sy(y);
  const data::TensorDataset ds(x, y);
  SUBCASE("DataLoader batch_size 0 and -1") {
    CHECK_BAD(xg::ValueError, [&] { data::DataLoader l(ds, 0); }, "DataLoader", "batch_size", "0");
    CHECK_BAD(xg::ValueError, [&] { data::DataLoader l(ds, -1); }, "DataLoader", "batch_size", "-1");
  }
  SUBCASE("random_split with counts not summing to the size: generator not advanced") {
    xg::Generator g(3);
    const auto state = g.get_state();
    CHECK_BAD(xg::ValueError, [&] { (void)data::random_split(ds, {6, 3}, g); }, "random_split", "9", "10");
    CHECK_BAD(xg::ValueError, [&] { (void)data::random_split(ds, {6, 5}, g); }, "random_split", "11", "10");
    CHECK(g.get_state() == state);
  }
  SUBCASE("random_split with fractions not summing to 1 or a negative length") {
    xg::Generator g(3);
    CHECK_BAD(xg::ValueError, [&] { (void)data::random_split(ds, {0.5, 0.4}, g); }, "random_split", "0.9");
    CHECK_BAD(xg::ValueError, [&] { (void)data::random_split(ds, {12, -2}, g); }, "random_split", "-2");
  }
  SUBCASE("k_fold with k = 1 and k > size") {
    CHECK_BAD(xg::ValueError, [&] { (void)data::k_fold(ds, 1); }, "k_fold", "k", "1");
    CHECK_BAD(xg::ValueError, [&] { (void)data::k_fold(ds, 11); }, "k_fold", "11", "10");
  }
  SUBCASE("TensorDataset with disagreeing first dims, out-of-range example") {
    CHECK_BAD(xg::ShapeError, [&] { data::TensorDataset d(x, xg::arange(0, 9, 1, xg::kInt64)); }, "TensorDataset",
              "[10, 2]", "[9]");
    CHECK_BAD(xg::IndexError, [&] { (void)ds.get(10); }, "TensorDataset::get", "index 10", "10 examples");
  }
  CHECK(sx.unchanged());
  CHECK(sy.unchanged());
}

// =============================================================================================
// io
// =============================================================================================

TEST_CASE("bad input: save, load and checkpoints") {
  TempDir dir;
  MLP m(3, 4, 2);
  const fs::path good = dir.path / "model.safetensors";
  xg::save(m.state_dict(), good.string());
  const std::string good_bytes = file_bytes(good);
  REQUIRE(good_bytes.size() > 8);

  SUBCASE("a checkpoint from another model: xg::load works, load_state_dict refuses, model unchanged") {
    MLP other(5, 4, 2);
    const fs::path p = dir.path / "other.safetensors";
    xg::save(other.state_dict(), p.string());
    const xg::StateDict before = deep_copy(m.state_dict());
    const xg::StateDict loaded = xg::load(p.string());
    CHECK_BAD(xg::ValueError, [&] { m.load_state_dict(loaded); }, "MLP.load_state_dict", "fc1.weight", "[4, 5]",
              "[4, 3]");
    CHECK(same_dict(m.state_dict(), before));
  }
  SUBCASE("a Checkpoint of another model through Checkpoint::load") {
    MLP other(3, 8, 2);
    xg::io::Checkpoint ck;
    ck.set("model", other.state_dict());
    const fs::path p = dir.path / "ck.safetensors";
    ck.save(p.string());
    const xg::StateDict before = deep_copy(m.state_dict());
    const auto loaded = xg::io::Checkpoint::load(p.string());
    CHECK_BAD(xg::ValueError, [&] { m.load_state_dict(loaded.get("model")); }, "MLP.load_state_dict", "fc1.weight",
              "[8, 3]", "[4, 3]");
    CHECK_BAD(xg::ValueError, [&] { (void)loaded.get("optimizer"); }, "optimizer", "model");
    CHECK(same_dict(m.state_dict(), before));
  }
  SUBCASE("truncated files: FormatError at every cut, file untouched") {
    const fs::path p = dir.path / "cut.safetensors";
    for (std::size_t cut : {std::size_t{0}, std::size_t{4}, std::size_t{8}, std::size_t{20}, good_bytes.size() / 2,
                            good_bytes.size() - 1}) {
      CAPTURE(cut);
      write_bytes(p, good_bytes.substr(0, cut));
      CHECK_BAD(xg::FormatError, [&] { (void)xg::load(p.string()); }, "cut.safetensors");
      CHECK(file_bytes(p) == good_bytes.substr(0, cut));
    }
  }
  SUBCASE("an absurd header length is refused before allocating") {
    std::string bytes = good_bytes;
    const std::uint64_t huge = std::uint64_t{1} << 60;
    for (int i = 0; i < 8; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<char>((huge >> (8 * i)) & 0xff);
    const fs::path p = dir.path / "huge.safetensors";
    write_bytes(p, bytes);
    CHECK_BAD(xg::FormatError, [&] { (void)xg::load(p.string()); }, "huge.safetensors", "header");
    CHECK(file_bytes(p) == bytes);
  }
  SUBCASE("a corrupted header (shape claims 10^12 elements, bad JSON, unknown dtype)") {
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(good_bytes[static_cast<std::size_t>(i)]);
    const std::string header = good_bytes.substr(8, n);
    auto with_header = [&](std::string h) {
      h.resize(n, ' ');  // same length: the data offsets stay valid
      return good_bytes.substr(0, 8) + h + good_bytes.substr(8 + n);
    };
    // A hand-made file whose 16 data bytes claim a [10^6, 10^6] float32 tensor (4 TB).
    const std::string h1 = R"({"w":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,16]}})";
    std::string big(8, '\0');
    for (int i = 0; i < 8; ++i) big[static_cast<std::size_t>(i)] = static_cast<char>((h1.size() >> (8 * i)) & 0xff);
    big += h1 + std::string(16, '\0');
    CHECK_BAD(xg::FormatError, [&] { (void)xg::io::from_safetensors(big, "big"); }, "big", "'w'", "4000000000000 bytes", "16");
    std::string h2 = header;
    h2[0] = '[';
    CHECK_BAD(xg::FormatError, [&] { (void)xg::io::from_safetensors(with_header(h2), "json"); }, "json");
    std::string h3 = header;
    const auto d = h3.find("\"F32\"");
    REQUIRE(d != std::string::npos);
    h3.replace(d, 5, "\"F16\"");
    CHECK_BAD(xg::FormatError, [&] { (void)xg::io::from_safetensors(with_header(h3), "dt"); }, "dt", "F16");
  }
  SUBCASE("xg::load of a missing file") {
    const fs::path p = dir.path / "nope.safetensors";
    CHECK_BAD(xg::IOError, [&] { (void)xg::load(p.string()); }, "nope.safetensors");
    CHECK_FALSE(fs::exists(p));
  }
  SUBCASE("xg::save into a missing folder: IOError, nothing created") {
    const fs::path p = dir.path / "missing" / "model.safetensors";
    CHECK_BAD(xg::IOError, [&] { xg::save(m.state_dict(), p.string()); }, "missing");
    CHECK_FALSE(fs::exists(dir.path / "missing"));
  }
  SUBCASE("xg::save under a path whose parent is a file: IOError, previous file intact") {
    const fs::path p = good / "model.safetensors";
    CHECK_BAD(xg::IOError, [&] { xg::save(m.state_dict(), p.string()); }, "model.safetensors");
    CHECK(file_bytes(good) == good_bytes);
  }
  SUBCASE("xg::save over a folder: IOError, folder intact, no temporary left") {
    const fs::path p = dir.path / "adir";
    fs::create_directories(p / "inside");
    CHECK_BAD(xg::IOError, [&] { xg::save(m.state_dict(), p.string()); }, "adir");
    CHECK(fs::is_directory(p / "inside"));
    std::size_t entries = 0;
    for (const auto& e : fs::directory_iterator(dir.path)) (void)e, ++entries;
    CHECK(entries == 2u);  // model.safetensors and adir
  }
  SUBCASE("saving an undefined tensor or the reserved name: ValueError, previous file intact") {
    xg::StateDict sd = m.state_dict();
    sd["bad"] = xg::Tensor();
    CHECK_BAD(xg::ValueError, [&] { xg::save(sd, good.string()); }, "bad", "undefined");
    xg::StateDict sd2 = m.state_dict();
    sd2["__metadata__"] = xg::ones({1});
    CHECK_BAD(xg::ValueError, [&] { xg::save(sd2, good.string()); }, "__metadata__");
    CHECK(file_bytes(good) == good_bytes);
  }
  SUBCASE("Checkpoint part names and generator states") {
    xg::io::Checkpoint ck;
    CHECK_BAD(xg::ValueError, [&] { ck.set("a.b", {}); }, "a.b");
    CHECK_BAD(xg::ValueError, [&] { ck.set("rng", {}); }, "rng");
    xg::Generator g(5);
    const auto state = g.get_state();
    CHECK_BAD(xg::ValueError, [&] { xg::io::set_generator_state(g, xg::zeros({6})); }, "int64", "[6]");
    CHECK_BAD(xg::ValueError, [&] { xg::io::set_generator_state(g, xg::zeros({5}, xg::kInt64)); }, "[5]");
    CHECK(g.get_state() == state);
    CHECK(ck.parts().empty());
  }
  CHECK(file_bytes(good) == good_bytes);
}
