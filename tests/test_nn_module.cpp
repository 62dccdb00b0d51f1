// Module: registry and dotted names, train/eval, state_dict, freezing, hooks, the layer
// monitor, printing, the regularized cost J(θ), and a small network that learns XOR.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "check.h"

using xg::Tensor;
using xgt::check_values;
namespace nn = xg::nn;

namespace {
// fc1 2 → 4, dropout 0.5, fc2 4 → 1.
struct Net : xgt::Net {
  Net() : xgt::Net(2, 4, 1, 0.5) {}
};

struct Outer : nn::Module {
  Net inner;
  nn::BatchNorm1d bn{1};
  Outer() {
    register_module("inner", inner);
    register_module("bn", bn);
  }
  std::string type_name() const override { return "Outer"; }
};

std::vector<std::string> names(const nn::NamedTensors& v) {
  std::vector<std::string> out;
  for (const auto& [n, t] : v) out.push_back(n);
  return out;
}
}  // namespace

TEST_CASE("nn: dotted names, recursion, train/eval propagate") {
  Outer m;
  CHECK(names(m.named_parameters()) ==
        std::vector<std::string>{"inner.fc1.weight", "inner.fc1.bias", "inner.fc2.weight", "inner.fc2.bias", "bn.weight", "bn.bias"});
  CHECK(names(m.named_buffers()) == std::vector<std::string>{"bn.running_mean", "bn.running_var", "bn.num_batches_tracked"});
  CHECK(m.named_parameters(false).empty());
  std::vector<std::string> mods;
  for (const auto& [n, p] : m.named_modules()) mods.push_back(n);
  CHECK(mods == std::vector<std::string>{"", "inner", "bn", "inner.fc1", "inner.drop", "inner.fc2"});
  CHECK(m.get_submodule("inner.fc2") == m.inner.fc2.get());
  CHECK(m.num_parameters() == 2 * 4 + 4 + 4 + 1 + 2);
  m.eval();
  CHECK_FALSE(m.inner.drop->is_training());
  m.train();
  CHECK(m.bn->is_training());
  XGT_CHECK_THROWS_MSG(m.get_submodule("inner.fc3"), xg::ValueError, "inner.fc3");
  XGT_CHECK_THROWS_MSG(m.register_buffer("bn", xg::zeros({1})), xg::ValueError, "already registered");
}

TEST_CASE("nn: state_dict round trip, and load errors that change nothing") {
  xg::manual_seed(1);
  Net a;
  xg::manual_seed(2);
  Net b;
  CHECK_FALSE(xg::equal(a.fc1->weight, b.fc1->weight));
  const xg::StateDict sd = a.state_dict();
  CHECK(sd.size() == 4);
  b.load_state_dict(sd);
  CHECK(xg::equal(a.fc1->weight, b.fc1->weight));
  CHECK(xg::equal(a.fc2->bias, b.fc2->bias));
  CHECK(b.fc1->weight.raw_data() != a.fc1->weight.raw_data());  // copied, not aliased

  xg::manual_seed(3);
  Net c;
  const Tensor before = c.fc1->weight.clone();
  xg::StateDict missing = sd;
  missing.erase("fc2.bias");
  XGT_CHECK_THROWS_MSG(c.load_state_dict(missing), xg::ValueError, "missing keys: fc2.bias");
  xg::StateDict extra = sd;
  extra["fc3.weight"] = xg::zeros({1});
  XGT_CHECK_THROWS_MSG(c.load_state_dict(extra), xg::ValueError, "unexpected keys: fc3.weight");
  xg::StateDict bad = sd;
  bad["fc1.weight"] = xg::zeros({4, 3});
  XGT_CHECK_THROWS_MSG(c.load_state_dict(bad), xg::ValueError,
                       "'fc1.weight': expected [4, 2] float32, got [4, 3] float32");
  CHECK(xg::equal(c.fc1->weight, before));  // nothing was loaded
  c.load_state_dict(missing, /*strict=*/false);
  CHECK(xg::equal(c.fc1->weight, a.fc1->weight));
}

TEST_CASE("nn: freezing a submodule stops its gradients; unfreezing restores them") {
  Net net;
  net.fc1->requires_grad_(false);
  CHECK(net.num_parameters(true) == 4 + 1);
  const Tensor x = xg::ones({3, 2});
  net.eval();
  net(x).sum().backward();
  CHECK_FALSE(net.fc1->weight.grad().defined());
  CHECK(net.fc2->weight.grad().defined());
  CHECK(nn::summary(net).find("frozen") != std::string::npos);
  net.fc1->requires_grad_(true);
  net.zero_grad();
  net(x).sum().backward();
  CHECK(net.fc1->weight.grad().defined());
}

TEST_CASE("nn: to(dtype) converts in place, keeping the same handles") {
  Net net;
  const Tensor w = net.fc1->weight;
  const auto before = w.to_vector<double>();
  net.to(xg::kFloat64);
  CHECK(net.fc1->weight.dtype() == xg::kFloat64);
  CHECK(w.dtype() == xg::kFloat64);  // the same handle
  CHECK(net.parameters()[0].dtype() == xg::kFloat64);
  CHECK(w.to_vector<double>() == before);
  CHECK(net(xg::ones({1, 2}, xg::kFloat64)).dtype() == xg::kFloat64);
}

TEST_CASE("nn: forward pre-hooks, forward hooks and backward hooks, removable") {
  nn::Linear lin(2, 2);
  int pre = 0, fwd = 0, bwd = 0;
  std::vector<double> grad_out;
  auto h1 = lin->register_forward_pre_hook([&](nn::Module&, const Tensor& x) {
    ++pre;
    return std::optional<Tensor>(x * 2.0);
  });
  auto h2 = lin->register_forward_hook([&](nn::Module& m, const Tensor&, const Tensor& y) {
    ++fwd;
    CHECK(m.type_name() == "Linear");
    return std::optional<Tensor>(y + 1.0);
  });
  auto h3 = lin->register_full_backward_hook([&](nn::Module&, const Tensor& g) {
    ++bwd;
    grad_out = g.to_vector<double>();
  });
  const Tensor x = xg::tensor({{1.0f, 1.0f}});
  Tensor plain;
  {
    xg::NoGradGuard ng;
    plain = lin->forward(x * 2.0) + 1.0;
  }
  const Tensor y = lin(x);
  CHECK(xg::allclose(y, plain));
  (y * 3.0).sum().backward();
  CHECK(pre == 1);
  CHECK(fwd == 1);
  CHECK(bwd == 1);
  CHECK(grad_out == std::vector<double>{3, 3});
  h1.remove();
  h2.remove();
  h3.remove();
  lin(x).sum().backward();
  CHECK(pre == 1);
  CHECK(bwd == 1);
}

TEST_CASE("nn: LayerMonitor records activation stats and gradient norms per layer to CSV") {
  xg::manual_seed(4);
  nn::Sequential net{std::make_shared<nn::LinearImpl>(3, 4), std::make_shared<nn::TanhImpl>(), std::make_shared<nn::LinearImpl>(4, 1)};
  const std::string path = "layer_monitor_test.csv";
  {
    nn::LayerMonitor monitor(net, path);
    const Tensor x = xg::randn({8, 3});
    const Tensor h = xg::tanh(net[0](x));
    const Tensor y = net(x);
    y.sum().backward();
    const auto rows = monitor.step();
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].layer == "0");
    CHECK(rows[1].activation_mean == doctest::Approx(xg::mean(h).item<double>()));
    CHECK(rows[1].activation_std == doctest::Approx(xg::std(h).item<double>()));
    // d(sum y)/dy = ones [8, 1]: norm sqrt(8).
    CHECK(rows[2].output_grad_norm == doctest::Approx(std::sqrt(8.0)));
    const double w_norm = xg::norm(net[2].parameters()[0].grad()).item<double>(), b_norm = 8;  // bias grad: sum of 8 ones
    CHECK(rows[2].param_grad_norm == doctest::Approx(std::sqrt(w_norm * w_norm + b_norm * b_norm)));
    CHECK(rows[1].param_grad_norm == 0);
  }
  std::ifstream in(path);
  std::string header, line;
  std::getline(in, header);
  CHECK(header == "step,layer,activation_mean,activation_std,output_grad_norm,param_grad_norm");
  int n = 0;
  while (std::getline(in, line)) ++n;
  CHECK(n == 3);
  std::remove(path.c_str());
}

TEST_CASE("nn: printing a model shows its layers") {
  Net net;
  const std::string s = nn::to_string(net);
  CHECK(s == "Net(\n  (fc1): Linear(in_features=2, out_features=4, bias=true)\n  (drop): Dropout(p=0.5)\n"
             "  (fc2): Linear(in_features=4, out_features=1, bias=true)\n)");
  std::ostringstream os;
  os << net;
  CHECK(os.str() == s);
  const std::string table = nn::summary(net);
  CHECK(table.find("fc1.weight") != std::string::npos);
  CHECK(table.find("[4, 2]") != std::string::npos);
  CHECK(table.find("total 17 parameters: 17 trainable, 0 frozen") != std::string::npos);
}

TEST_CASE("nn: one gradient step on J(theta) equals the lecture's weight-decay update") {
  // J = (1/m) sum L + (lambda / 2m) ||W||^2;  W <- W - (alpha lambda / m) W - alpha dL/dW
  xg::manual_seed(5);
  nn::Linear lin(3, 2, true, xg::kFloat64);
  const Tensor x = xg::randn({5, 3}, xg::kFloat64);
  const Tensor y = xg::randn({5, 2}, xg::kFloat64);
  const double lambda = 0.7, alpha = 0.1, m = 5;
  const Tensor W0 = lin->weight.detach().clone(), b0 = lin->bias.detach().clone();

  // dL/dW of the data term alone.
  nn::functional::mse_loss(lin(x), y).backward();
  const Tensor dW = lin->weight.grad().clone(), db = lin->bias.grad().clone();
  lin->zero_grad();

  const Tensor J = nn::functional::mse_loss(lin(x), y) + nn::l2_penalty(lin, lambda, m);
  J.backward();
  {
    xg::NoGradGuard ng;
    lin->weight.sub_(lin->weight.grad(), alpha);
    lin->bias.sub_(lin->bias.grad(), alpha);
  }
  const Tensor lecture_W = W0 - W0 * (alpha * lambda / m) - dW * alpha;
  check_values(lin->weight, lecture_W.to_vector<double>(), 1e-14);
  check_values(lin->bias, (b0 - db * alpha).to_vector<double>(), 1e-14);  // biases are not decayed
  // The penalty's value, by hand.
  const double sq = xg::sum(W0 * W0).item<double>();
  check_values(nn::l2_penalty(nn::NamedTensors{{"w", W0}}, lambda, m), {lambda / (2 * m) * sq});
  const double sqb = xg::sum(b0 * b0).item<double>();
  check_values(nn::l2_penalty(nn::NamedTensors{{"w", W0}, {"b", b0}}, lambda, m, true), {lambda / (2 * m) * (sq + sqb)});
}

TEST_CASE("nn: a 3-layer MLP learns XOR by plain gradient descent") {
  xg::manual_seed(0);
  nn::Sequential net{std::make_shared<nn::LinearImpl>(2, 8), std::make_shared<nn::TanhImpl>(), std::make_shared<nn::LinearImpl>(8, 8),
                     std::make_shared<nn::TanhImpl>(), std::make_shared<nn::LinearImpl>(8, 1)};
  const Tensor x = xg::tensor({{0, 0}, {0, 1}, {1, 0}, {1, 1}});
  const Tensor y = xg::tensor({0.0, 1.0, 1.0, 0.0}).reshape({4, 1});
  double loss_value = 1;
  for (int step = 0; step < 2000; ++step) {
    net->zero_grad();
    const Tensor loss = nn::functional::binary_cross_entropy_with_logits(net(x), y);
    loss.backward();
    loss_value = loss.item<double>();
    xg::NoGradGuard ng;
    for (auto& p : net->parameters()) p.sub_(p.grad(), 0.5);
  }
  CHECK(loss_value < 0.01);
  const auto p = xg::sigmoid(net(x)).to_vector<double>();
  CHECK(p[0] < 0.05);
  CHECK(p[1] > 0.95);
  CHECK(p[2] > 0.95);
  CHECK(p[3] < 0.05);
}
