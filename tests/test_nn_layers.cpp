// nn layers: values by hand or from PyTorch (tests/reference/nn_reference.py), gradcheck and
// gradgradcheck through the modules, train/eval behaviour, initialization statistics.
#include <numbers>

#include "check.h"

using xg::Tensor;
using xgt::check_grads;
using xgt::check_shape;
using xgt::check_values;
namespace nn = xg::nn;

namespace {
using xgt::seq;
void set(Tensor& t, const Tensor& v) {
  xg::NoGradGuard ng;
  t.copy_(v);
}
}  // namespace

TEST_CASE("nn: Linear computes x W^T + b and is initialized as PyTorch's (U(-1/sqrt(in), 1/sqrt(in)))") {
  nn::Linear lin(3, 2, true, xg::kFloat64);
  set(lin->weight, xg::tensor({{1.0, 2.0, 3.0}, {-1.0, 0.5, 0.0}}, xg::kFloat64));
  set(lin->bias, xg::tensor({0.5, -0.5}, xg::kFloat64));
  check_values(lin(xg::tensor({{1.0, 1.0, 1.0}, {2.0, 0.0, -1.0}}, xg::kFloat64)), {6.5, -1, -0.5, -2.5});
  CHECK(lin->weight.requires_grad());
  CHECK(nn::to_string(lin) == "Linear(in_features=3, out_features=2, bias=true)");

  xg::manual_seed(1);
  nn::Linear big(400, 300);
  const auto w = big->weight.to_vector<double>();
  const double bound = 1 / std::sqrt(400.0);
  double sq = 0;
  for (double v : w) {
    CHECK(std::abs(v) <= bound);
    sq += v * v;
  }
  CHECK(std::sqrt(sq / static_cast<double>(w.size())) == doctest::Approx(bound / std::sqrt(3.0)).epsilon(0.01));
  for (double v : big->bias.to_vector<double>()) CHECK(std::abs(v) <= bound);
  CHECK_FALSE(nn::Linear(3, 2, false)->bias.defined());
}

TEST_CASE("nn: gradcheck and gradgradcheck through Linear, activations and Sequential") {
  for (auto make : std::vector<std::function<std::shared_ptr<nn::Module>()>>{
           [] { return std::make_shared<nn::ReLUImpl>(); }, [] { return std::make_shared<nn::SigmoidImpl>(); },
           [] { return std::make_shared<nn::TanhImpl>(); }, [] { return std::make_shared<nn::GELUImpl>(); },
           [] { return std::make_shared<nn::SiLUImpl>(); },
           [] { return std::make_shared<nn::ELUImpl>(0.7); }, [] { return std::make_shared<nn::LeakyReLUImpl>(0.001); },
           [] { return std::make_shared<nn::SoftmaxImpl>(1); }, [] { return std::make_shared<nn::LogSoftmaxImpl>(1); },
           [] { return std::make_shared<nn::IdentityImpl>(); }}) {
    auto act = make();
    CAPTURE(act->type_name());
    check_grads([&](const std::vector<Tensor>& in) { return (*act)(in[0]); }, {seq({3, 4}, -1.3, 0.23, 0.001)});
  }
  xg::manual_seed(2);
  nn::Sequential net{std::make_shared<nn::LinearImpl>(4, 5, true, xg::kFloat64), std::make_shared<nn::TanhImpl>(),
                     std::make_shared<nn::LinearImpl>(5, 2, true, xg::kFloat64)};
  const auto params = net->parameters();
  CHECK(params.size() == 4);
  // Check w.r.t. the input and every parameter: the function swaps the parameters in.
  std::vector<Tensor> inputs{seq({3, 4}, 0.1, 0.2, -0.01)};
  for (const auto& p : params) inputs.push_back(p.detach().clone().requires_grad_());
  check_grads(
      [&](const std::vector<Tensor>& in) {
        const Tensor h = xg::tanh(xg::linear(in[0], in[1], in[2]));
        return xg::linear(h, in[3], in[4]);
      },
      inputs);
  // ... and the module itself computes the same function.
  const Tensor x = seq({3, 4}, 0.1, 0.2, -0.01, false);
  const Tensor by_hand = xg::linear(xg::tanh(xg::linear(x, params[0], params[1])), params[2], params[3]);
  check_values(net(x), by_hand.to_vector<double>());
}

TEST_CASE("nn: Flatten and LeakyReLU's slope") {
  nn::Flatten f;
  check_shape(f(xg::zeros({2, 3, 4})), {2, 12});
  nn::LeakyReLU lecture(0.001);
  check_values(lecture(xg::tensor({-2.0, 3.0}, xg::kFloat64)), {-0.002, 3});
  check_values(nn::LeakyReLU()(xg::tensor({-2.0}, xg::kFloat64)), {-0.02});
}

TEST_CASE("nn: Dropout drops with probability p, scales by 1/(1-p), is the identity in eval, and is seeded") {
  nn::Dropout drop(0.25);
  const Tensor x = xg::ones({200000});
  xg::manual_seed(7);
  const auto y = drop(x).to_vector<double>();
  std::size_t zeros = 0;
  for (double v : y) {
    if (v == 0) ++zeros;
    else CHECK(v == doctest::Approx(1 / 0.75));
  }
  CHECK(static_cast<double>(zeros) / 200000 == doctest::Approx(0.25).epsilon(0.02));
  xg::manual_seed(7);
  CHECK(drop(x).to_vector<double>() == y);
  drop->eval();
  CHECK(drop(x).to_vector<double>() == x.to_vector<double>());
  CHECK_THROWS_AS(nn::Dropout(1.0), xg::ValueError);
  CHECK_THROWS_AS(nn::Dropout(-0.1), xg::ValueError);
  // The gradient flows only through kept elements, scaled.
  drop->train();
  Tensor z = xg::ones({1000}, xg::kFloat64).requires_grad_();
  const Tensor out = drop(z);
  out.sum().backward();
  check_values(z.grad(), (out / 1.0).detach().to_vector<double>());
}

TEST_CASE("nn: BatchNorm1d matches PyTorch in float64: output, gradients, running stats, eval") {
  nn::BatchNorm1d bn(3, 1e-5, 0.1, true, true, xg::kFloat64);
  set(bn->weight, xg::tensor({1.5, -0.5, 2.0}, xg::kFloat64));
  set(bn->bias, xg::tensor({0.1, 0.2, -0.3}, xg::kFloat64));
  Tensor x = seq({4, 3}, 0.3, 0.41, -0.037);
  const Tensor w = seq({4, 3}, -0.5, 0.13, 0.011, false);
  const Tensor y = bn(x);
  (y * w).sum().backward();
  // Expected numbers: tests/reference/nn_reference.py (PyTorch 1.13, float64).
  check_values(y, {-2.3185715156670779, 0.72000948447287727, -0.36594979914853604, 0.87415644541219972, -0.29299600476000109,
                   1.84703235005789, 1.6963639805396387, -0.30650274461643867, 0.8064910746032129, 0.1480510897152397,
                   0.67948926490356309, -3.4875736255125678}, 1e-10);
  check_values(x.grad(), {-1.0630395794344771, 1.6612784130225704, -5.6165712546170656, -2.2960022311363462, 0.60481077660640614,
                          0.73144845531717884, -0.61648132585093407, -0.52823381820808213, 3.1740098549671227, 3.9755231364217574,
                          -1.7378553714208944, 1.7111129443327662}, 1e-10);
  check_values(bn->weight.grad(), {1.5699465592161934, -0.29409575363409196, -2.452607080534901}, 1e-10);
  check_values(bn->bias.grad(), {1.726, 2.686, 3.734}, 1e-10);
  bn(seq({4, 3}, -1.0, 0.23, 0.02, false));
  check_values(bn->running_mean, {0.15465500000000001, 0.20125500000000002, 0.245195}, 1e-12);
  check_values(bn->running_var, {1.0877808300000003, 1.1313888300000001, 1.1945820300000001}, 1e-12);
  CHECK(bn->num_batches_tracked.item<std::int64_t>() == 2);
  bn->eval();
  check_values(bn(seq({4, 3}, -1.0, 0.23, 0.02, false)),
               {-1.5606220599902207, 0.64715603260709809, -1.5904150322901744, -0.30939014033327378, 0.18178715435570691,
                0.44074044363080306, 1.4595929184920651, -0.4528067705325538, 3.1306490468775023, 3.7463271164857961,
                -1.2566257420576838, 6.4793107774499248}, 1e-10);
}

TEST_CASE("nn: BatchNorm1d on [N, C, L] matches PyTorch; gradcheck through it; batch of one is refused") {
  nn::BatchNorm1d bn(3, 1e-5, 0.1, true, true, xg::kFloat64);
  Tensor x = seq({2, 3, 4}, 0.2, -0.07, 0.013);
  (bn(x) * seq({2, 3, 4}, 0.1, 0.05, -0.002, false)).sum().backward();
  check_values(x.grad(), {-0.11286765466457722, -0.041031538606855343, 0.020899851502765666, 0.072926515664285804,
                          -0.032798510728135617, -0.010574891840375944, 0.0085352705141265063, 0.024531976335371738,
                          -0.01522025524176839, -0.004645158571044525, 0.0044394039185476778, 0.012033432227008284,
                          0.095453825453428731, 0.04843323013394029, -0.0084920911336490382, -0.075322138349339138,
                          0.028396784730001678, 0.013258925218674266, -0.0049923908259104748, -0.026357163403752253,
                          0.013305648852229613, 0.0059943353493737972, -0.0028075123346136327, -0.01309989419973278}, 1e-10);
  check_values(bn->running_var, {0.97001374285714292, 1.1267447142857143, 1.3755662}, 1e-12);
  check_grads(
      [](const std::vector<Tensor>& in) {
        return nn::functional::batch_norm(in[0], {}, {}, in[1], in[2], true);
      },
      {seq({4, 3}, 0.3, 0.41, -0.037), seq({3}, 1.5, -0.7, 0.1), seq({3}, 0.1, 0.1, 0)});
  XGT_CHECK_THROWS_MSG(bn(xg::ones({1, 3}, xg::kFloat64)), xg::ValueError, "more than 1 value per channel");
  bn->eval();
  check_shape(bn(xg::ones({1, 3}, xg::kFloat64)), {1, 3});
}

TEST_CASE("nn: init std matches the lecture's scales w = rho * c") {
  xg::Generator gen(11);
  Tensor w = xg::empty({500, 400});  // [out, in]: n_in = 400, n_out = 500
  auto std_of = [](const Tensor& t) { return xg::std(t.to(xg::kFloat64)).item<double>(); };
  nn::init::kaiming_normal_(w, 0, nn::init::FanMode::FanIn, "relu", &gen);
  CHECK(std_of(w) == doctest::Approx(std::sqrt(2.0 / 400)).epsilon(0.01));
  nn::init::kaiming_uniform_(w, 0, nn::init::FanMode::FanIn, "relu", &gen);
  CHECK(std_of(w) == doctest::Approx(std::sqrt(2.0 / 400)).epsilon(0.01));
  nn::init::kaiming_normal_(w, 0, nn::init::FanMode::FanOut, "relu", &gen);
  CHECK(std_of(w) == doctest::Approx(std::sqrt(2.0 / 500)).epsilon(0.01));
  nn::init::lecun_normal_(w, &gen);
  CHECK(std_of(w) == doctest::Approx(std::sqrt(1.0 / 400)).epsilon(0.01));
  nn::init::xavier_normal_(w, 1, &gen);
  CHECK(std_of(w) == doctest::Approx(std::sqrt(2.0 / 900)).epsilon(0.01));
  nn::init::xavier_uniform_(w, nn::init::calculate_gain("tanh"), &gen);
  CHECK(std_of(w) == doctest::Approx(5.0 / 3 * std::sqrt(2.0 / 900)).epsilon(0.01));
  nn::init::normal_(w, 3, 0.5, &gen);
  CHECK(xg::mean(w).item<double>() == doctest::Approx(3).epsilon(0.01));
  nn::init::constant_(w, 0.25);
  CHECK(xg::max(w).item<double>() == 0.25);
  CHECK(nn::init::calculate_gain("leaky_relu", 0.2) == doctest::Approx(std::sqrt(2 / 1.04)));
  // Seeded: the same generator state gives the same weights.
  xg::Generator g1(5), g2(5);
  Tensor a = xg::empty({3, 3}), b = xg::empty({3, 3});
  nn::init::xavier_uniform_(a, 1, &g1);
  nn::init::xavier_uniform_(b, 1, &g2);
  CHECK(xg::equal(a, b));
  Tensor v = xg::empty({3});
  CHECK_THROWS_AS(nn::init::kaiming_normal_(v), xg::ValueError);
}

TEST_CASE("nn: gradcheck w.r.t. the input through Linear, BatchNorm1d (train and eval) and Dropout modules") {
  xg::manual_seed(9);
  nn::Linear lin(4, 3, true, xg::kFloat64);
  check_grads([&](const std::vector<Tensor>& in) { return lin(in[0]); }, {seq({2, 4}, 0.1, 0.3, -0.02)});
  nn::BatchNorm1d bn(4, 1e-5, 0.1, true, true, xg::kFloat64);
  check_grads([&](const std::vector<Tensor>& in) { return bn(in[0]); }, {seq({5, 4}, 0.1, 0.3, -0.02)});
  bn->eval();
  check_grads([&](const std::vector<Tensor>& in) { return bn(in[0]); }, {seq({5, 4}, 0.1, 0.3, -0.02)});
  nn::Dropout drop(0.3);
  check_grads(
      [&](const std::vector<Tensor>& in) {
        xg::manual_seed(1);  // the same mask at every evaluation
        return drop(in[0]);
      },
      {seq({3, 4}, 0.1, 0.3, -0.02)});
}
