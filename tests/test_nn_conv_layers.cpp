// Conv1d, Conv2d, ConvTranspose2d, the pool modules, BatchNorm2d, Dropout2d, Flatten/Unflatten:
// PyTorch's parameter shapes, default init bounds and state_dict keys; outputs equal to the ops
// they are made of; BatchNorm2d against PyTorch (tests/reference/conv_reference.py); gradcheck
// through the modules; a small CNN that learns.
#include <algorithm>
#include <sstream>

#include "conv_check.h"

namespace nn = xg::nn;
using xg::Tensor;
using xgt::check_grads;
using xgt::check_shape;
using xgt::check_values;
using xgt::seq;
namespace R = convref;

namespace {
// The keys, sorted.
std::vector<std::string> keys(const xg::StateDict& sd) {
  std::vector<std::string> k;
  for (const auto& [name, t] : sd) k.push_back(name);
  std::sort(k.begin(), k.end());
  return k;
}
double max_abs(const Tensor& t) { return xg::max(xg::abs(t)).item<double>(); }
std::string printed(const nn::Module& m) {
  std::ostringstream os;
  os << m;
  return os.str();
}
}  // namespace

TEST_CASE("nn: Conv2d has PyTorch's weight shape, keys and default init bounds, and computes conv2d") {
  xg::manual_seed(1);
  nn::Conv2d conv(nn::Conv2dOptions(4, 6, {3, 5}).stride(2).padding(1).groups(2));
  check_shape(conv->weight, {6, 2, 3, 5});
  check_shape(conv->bias, {6});
  CHECK(keys(conv->state_dict()) == std::vector<std::string>{"bias", "weight"});
  // kaiming_uniform_(a = √5): U(±1/√fan_in), fan_in = in_channels/groups · kH · kW = 30; the bias the same.
  const double bound = 1 / std::sqrt(30.0);
  CHECK(max_abs(conv->weight) <= bound);
  CHECK(max_abs(conv->weight) > 0.8 * bound);
  CHECK(max_abs(conv->bias) <= bound);
  const Tensor x = xg::randn({2, 4, 7, 9});
  CHECK(xg::equal(conv(x), xg::conv2d(x, conv->weight, conv->bias, 2, 1, 1, 2)));
  CHECK(printed(conv).find("Conv2d(4, 6, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1), groups=2)") != std::string::npos);
  nn::Conv2d plain(3, 8, 3);
  CHECK(plain->options.padding().values() == std::vector<std::int64_t>{0, 0});
  CHECK(max_abs(plain->weight) <= 1 / std::sqrt(27.0));
  nn::Conv2d nobias(nn::Conv2dOptions(3, 8, 1).bias(false));
  CHECK_FALSE(nobias->bias.defined());
  CHECK(keys(nobias->state_dict()) == std::vector<std::string>{"weight"});
}

TEST_CASE("nn: Conv2d padding modes pad as F.pad then convolve; padding \"same\" keeps the size") {
  const Tensor x = seq({1, 2, 5, 6}, 0.1, 0.2, -0.003, false);
  for (const auto& [mode, pm] : std::vector<std::pair<std::string, xg::PadMode>>{
           {"reflect", xg::PadMode::Reflect}, {"replicate", xg::PadMode::Replicate}, {"circular", xg::PadMode::Circular}}) {
    CAPTURE(mode);
    nn::Conv2d conv(nn::Conv2dOptions(2, 3, 3).padding({1, 2}).padding_mode(mode).dtype(xg::kFloat64));
    const Tensor want = xg::conv2d(xg::pad(x, {2, 2, 1, 1}, pm), conv->weight, conv->bias);
    check_values(conv(x), want.to_vector<double>());
    check_shape(conv(x), {1, 3, 5, 8});
  }
  nn::Conv2d same(nn::Conv2dOptions(2, 3, {2, 4}).padding("same").padding_mode("reflect").dtype(xg::kFloat64));
  check_shape(same(x), {1, 3, 5, 6});
  const Tensor want = xg::conv2d(xg::pad(x, {1, 2, 0, 1}, xg::PadMode::Reflect), same->weight, same->bias);
  check_values(same(x), want.to_vector<double>());
  nn::Conv2d zeros_same(nn::Conv2dOptions(2, 3, 3).padding("same").dilation(2).dtype(xg::kFloat64));
  check_values(zeros_same(x), xg::conv2d(x, zeros_same->weight, zeros_same->bias, 1, 2, 2).to_vector<double>());
}

TEST_CASE("nn: Conv1d and ConvTranspose2d: shapes, init, outputs and gradcheck through the module") {
  nn::Conv1d c1(nn::Conv1dOptions(4, 2, 3).stride(2).dilation(2).groups(2).dtype(xg::kFloat64));
  check_shape(c1->weight, {2, 2, 3});
  CHECK(max_abs(c1->weight) <= 1 / std::sqrt(6.0));
  const Tensor x1 = seq({2, 4, 9}, 0.1, 0.03, 0.0);
  check_shape(c1(x1), {2, 2, 3});
  check_grads([&](const std::vector<Tensor>& in) { return c1(in[0]); }, {x1});

  nn::ConvTranspose2d ct(nn::ConvTranspose2dOptions(4, 6, 3).stride(2).padding(1).output_padding(1).groups(2).dtype(xg::kFloat64));
  check_shape(ct->weight, {4, 3, 3, 3});
  CHECK(max_abs(ct->weight) <= 1 / std::sqrt(27.0));  // PyTorch's fan_in for a transposed conv: weight.size(1)·kH·kW
  const Tensor x = seq({1, 4, 3, 4}, -0.2, 0.02, 0.001);
  check_shape(ct(x), {1, 6, 6, 8});
  CHECK(xg::equal(ct(x), xg::conv_transpose2d(x, ct->weight, ct->bias, 2, 1, 1, 2)));
  check_grads([&](const std::vector<Tensor>& in) { return ct(in[0]); }, {x});
  CHECK(keys(ct->state_dict()) == std::vector<std::string>{"bias", "weight"});
}

TEST_CASE("nn: conv layer constructors refuse bad options with typed errors naming the layer") {
  XGT_CHECK_THROWS_MSG(nn::Conv2d(0, 3, 3), xg::ValueError, "Conv2d", "in_channels and out_channels must be positive", "0 and 3");
  XGT_CHECK_THROWS_MSG(nn::Conv2d(nn::Conv2dOptions(3, 4, 3).groups(2)), xg::ValueError, "Conv2d",
                       "groups=2", "in_channels 3");
  XGT_CHECK_THROWS_MSG(nn::Conv2d(nn::Conv2dOptions(3, 4, {3, 3, 3})), xg::ValueError, "Conv2d", "kernel_size", "[3, 3, 3]");
  XGT_CHECK_THROWS_MSG(nn::Conv2d(nn::Conv2dOptions(3, 4, 3).stride(2).padding("same")),
                       xg::ValueError, "Conv2d", "same", "strided");
  XGT_CHECK_THROWS_MSG(nn::Conv2d(nn::Conv2dOptions(3, 4, 3).padding(-1)), xg::ValueError, "Conv2d",
                       "padding", "non-negative");
  XGT_CHECK_THROWS_MSG(nn::Conv2d(nn::Conv2dOptions(3, 4, 3).padding_mode("mirror")), xg::ValueError,
                       "Conv2d", "padding_mode", "mirror");
  XGT_CHECK_THROWS_MSG(nn::Conv1d(3, 4, 0), xg::ValueError, "Conv1d", "kernel_size", "positive");
  XGT_CHECK_THROWS_MSG(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(2, 2, 3).stride(2).output_padding(2)),
                       xg::ValueError, "ConvTranspose2d", "output_padding (2, 2)", "stride (2, 2)");
  XGT_CHECK_THROWS_MSG(nn::BatchNorm2d(0), xg::ValueError, "BatchNorm2d", "num_features");
  XGT_CHECK_THROWS_MSG(nn::Dropout2d(1.0), xg::ValueError, "Dropout2d", "[0, 1)");
  XGT_CHECK_THROWS_MSG(nn::Unflatten(nn::UnflattenOptions(1, {2, 0})), xg::ValueError, "Unflatten", "[2, 0]");
  // a wrong input leaves the layer unchanged
  nn::Conv2d conv(3, 4, 3);
  const xgt::Snapshot sw(conv->weight);
  XGT_CHECK_THROWS_MSG(conv(xg::randn({1, 2, 5, 5})), xg::ShapeError, "conv2d", "[1, 2, 5, 5]", "[4, 3, 3, 3]");
  CHECK(sw.unchanged());
}

TEST_CASE("nn: BatchNorm2d matches PyTorch: output, gradients, running stats, eval; state_dict keys as PyTorch") {
  nn::BatchNorm2d bn(3, 1e-5, 0.1, true, true, xg::kFloat64);
  CHECK(keys(bn->state_dict()) == std::vector<std::string>{"bias", "num_batches_tracked", "running_mean", "running_var", "weight"});
  {
    xg::NoGradGuard ng;
    bn->weight.copy_(xg::tensor({1.5, -0.5, 2.0}, xg::kFloat64));
    bn->bias.copy_(xg::tensor({0.1, 0.2, -0.3}, xg::kFloat64));
  }
  Tensor x = seq({2, 3, 2, 3}, 0.3, 0.41, -0.037);
  const Tensor y = bn(x);
  check_values(y, R::bn2d_y, 1e-10);
  (y * seq(y.shape(), 0.2, -0.05, 0.003, false)).sum().backward();
  check_values(x.grad(), R::bn2d_dx, 1e-10);
  check_values(bn->weight.grad(), R::bn2d_dweight, 1e-10);
  check_values(bn->bias.grad(), R::bn2d_dbias, 1e-10);
  const Tensor x2 = seq({2, 3, 2, 3}, -1.0, 0.23, 0.02, false);
  bn(x2);
  check_values(bn->running_mean, R::bn2d_running_mean, 1e-10);
  check_values(bn->running_var, R::bn2d_running_var, 1e-10);
  CHECK(bn->num_batches_tracked.item<std::int64_t>() == 2);
  bn->eval();
  check_values(bn(x2), R::bn2d_eval_y, 1e-10);
  check_grads([&](const std::vector<Tensor>& in) { return bn(in[0]); }, {seq({2, 3, 2, 2}, 0.1, 0.2, -0.01)});
  XGT_CHECK_THROWS_MSG(bn(xg::randn({2, 3, 4}, xg::kFloat64)), xg::ShapeError, "BatchNorm2d", "4-D", "[2, 3, 4]");
  XGT_CHECK_THROWS_MSG(bn(xg::randn({2, 4, 2, 2}, xg::kFloat64)), xg::ShapeError, "BatchNorm2d", "3 channels", "[2, 4, 2, 2]");
}

TEST_CASE("nn: Dropout2d zeroes whole channels, scales the rest, is seeded, and is the identity in eval") {
  nn::Dropout2d drop(0.25);
  xg::Generator gen(7);
  drop->generator = &gen;
  const Tensor x = xg::ones({8, 64, 3, 3});
  const Tensor y = drop(x);
  const auto v = y.to_vector<double>();
  int dropped = 0;
  for (std::size_t plane = 0; plane < 8 * 64; ++plane) {
    const double first = v[plane * 9];
    CHECK((first == 0.0 || std::abs(first - 1 / 0.75) < 1e-6));
    for (std::size_t i = 1; i < 9; ++i) CHECK(v[plane * 9 + i] == first);
    dropped += first == 0.0;
  }
  CHECK(dropped > 0.15 * 512);
  CHECK(dropped < 0.35 * 512);
  xg::Generator gen2(7);
  drop->generator = &gen2;
  CHECK(xg::equal(drop(x), y));
  drop->eval();
  CHECK(xg::equal(drop(x), x));
  XGT_CHECK_THROWS_MSG(nn::functional::dropout2d(xg::ones({2, 3}), 0.5), xg::ShapeError, "dropout2d", "[2, 3]");
}

TEST_CASE("nn: pool modules, Flatten and Unflatten compute their functional forms") {
  const Tensor x = xg::randn({2, 3, 7, 6});
  CHECK(xg::equal(nn::MaxPool2d(2)(x), xg::max_pool2d(x, 2)));
  CHECK(xg::equal(nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1).ceil_mode(true))(x), xg::max_pool2d(x, 3, 2, 1, 1, true)));
  CHECK(xg::equal(nn::AvgPool2d(nn::AvgPool2dOptions(3).stride(2).count_include_pad(false))(x),
                  xg::avg_pool2d(x, 3, 2, 0, false, false)));
  CHECK(xg::equal(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({2, 3}))(x), xg::adaptive_avg_pool2d(x, {2, 3})));
  CHECK(xg::equal(nn::AdaptiveMaxPool2d(1)(x), xg::adaptive_max_pool2d(x, 1)));
  const Tensor f = nn::Flatten()(x);
  check_shape(f, {2, 126});
  CHECK(xg::equal(nn::Unflatten(nn::UnflattenOptions(1, {3, 7, 6}))(f), x));
  CHECK(xg::equal(nn::Unflatten(nn::UnflattenOptions(-1, {-1, 6}))(f), xg::reshape(x, {2, 21, 6})));
  XGT_CHECK_THROWS_MSG(nn::Unflatten(nn::UnflattenOptions(1, {5, 5}))(f), xg::ShapeError, "Unflatten", "[5, 5]", "size 126");
  CHECK(printed(nn::MaxPool2d(2)).find("kernel_size=(2, 2), stride=(2, 2)") != std::string::npos);
}

TEST_CASE("nn: a small CNN's state_dict keys are PyTorch's and a few SGD steps lower its loss") {
  xg::manual_seed(3);
  nn::Sequential net{std::make_shared<nn::Conv2dImpl>(nn::Conv2dOptions(1, 4, 3).padding(1)),
                     std::make_shared<nn::BatchNorm2dImpl>(4), std::make_shared<nn::ReLUImpl>(), std::make_shared<nn::MaxPool2dImpl>(2),
                     std::make_shared<nn::Dropout2dImpl>(0.1), std::make_shared<nn::FlattenImpl>(), std::make_shared<nn::LinearImpl>(4 * 4 * 4, 3)};
  CHECK(keys(net->state_dict()) == std::vector<std::string>{"0.bias", "0.weight", "1.bias", "1.num_batches_tracked", "1.running_mean", "1.running_var", "1.weight", "6.bias", "6.weight"});
  const Tensor x = xg::randn({12, 1, 8, 8});
  const Tensor y = xg::tensor({0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}, xg::kInt64);
  xg::optim::SGD opt(net->parameters(), xg::optim::SGDOptions(0.1));
  double first = 0, last = 0;
  for (int step = 0; step < 30; ++step) {
    const Tensor loss = nn::functional::cross_entropy(net(x), y);
    if (step == 0) first = loss.item<double>();
    last = loss.item<double>();
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  CHECK(last < 0.5 * first);
}
