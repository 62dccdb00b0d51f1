// Module holders (XG_MODULE), the torch::data interface and module save/load: gradients through a
// user's non-virtual forward, and the typed errors of every new entry point.
#include "check.h"

using xg::Tensor;
namespace nn = xg::nn;
namespace data = xg::data;

namespace {
struct ByValueImpl : nn::Module {
  ByValueImpl() {
    fc = register_module("fc", nn::Linear(nn::LinearOptions(3, 2).dtype(xg::kFloat64)));
    scale = register_parameter("scale", xg::tensor({0.5, -1.5}, xg::kFloat64));
  }
  Tensor forward(Tensor x) { return xg::tanh(fc(x)) * scale; }
  nn::Linear fc{nullptr};
  Tensor scale;
};
XG_MODULE(ByValue);

struct TwoInputsImpl : nn::Module {
  Tensor forward(Tensor a, Tensor b) { return a * b; }
};
XG_MODULE(TwoInputs);

struct Rows : data::datasets::Dataset<Rows> {
  std::optional<std::size_t> n = 6;
  data::Example<> get(std::size_t i) override {
    return {xg::full({2}, static_cast<double>(i), xg::kFloat64), xg::full({}, static_cast<double>(i % 2), xg::kInt64)};
  }
  std::optional<std::size_t> size() const override { return n; }
};
}  // namespace

TEST_CASE("holders: a user's forward(Tensor) by value is checked through the holder and through Module&") {
  xg::manual_seed(3);
  ByValue net;
  const Tensor x = xg::randn({4, 3}, xg::kFloat64).requires_grad_();
  // xg::gradcheck takes the module as a Module& and calls its forward: the holder bound it.
  const auto r = xg::gradcheck(net, {x});
  CHECK_MESSAGE(r.ok, r.report);
  const auto rr = xg::gradgradcheck(net, {x});
  CHECK_MESSAGE(rr.ok, rr.report);
  // By hand on one row: tanh(W x + b) * scale.
  {
    xg::NoGradGuard ng;
    net->fc->weight.copy_(xg::tensor({{1.0, 0.0, 0.0}, {0.0, 1.0, 1.0}}, xg::kFloat64));
    net->fc->bias.zero_();
  }
  const Tensor y = net(xg::tensor({{0.25, 1.0, -0.5}}, xg::kFloat64));
  xgt::check_values(y, {0.5 * std::tanh(0.25), -1.5 * std::tanh(0.5)}, 1e-15);
}

TEST_CASE("holders: empty holders, multi-input modules and hooks give typed errors") {
  nn::Linear empty{nullptr};
  XGT_CHECK_THROWS_MSG(empty->forward(xg::ones({1, 1})), xg::ValueError, "empty module holder");
  XGT_CHECK_THROWS_MSG(*empty, xg::ValueError, "empty module holder");
  TwoInputs two;
  CHECK(xg::equal(two(xg::tensor({2.0}), xg::tensor({3.0})), xg::tensor({6.0})));
  XGT_CHECK_THROWS_MSG(static_cast<nn::Module&>(*two)(xg::ones({1})), xg::ValueError, "no forward taking one tensor",
                       "call it through its holder");
  auto h = two->register_forward_hook([](nn::Module&, const Tensor&, const Tensor& y) { return std::optional<Tensor>(y); });
  XGT_CHECK_THROWS_MSG(two(xg::ones({1}), xg::ones({1})), xg::ValueError, "hooks need a forward taking one tensor", "2 arguments");
  h.remove();
  nn::Sequential seq(nn::Linear(2, 2));
  XGT_CHECK_THROWS_MSG(seq->at<nn::Linear>(1), xg::IndexError, "Sequential", "index 1", "1 layers");
  XGT_CHECK_THROWS_MSG(seq->at<nn::ReLU>(0), xg::ValueError, "Sequential::at", "Linear");
}

TEST_CASE("save/load of a module: PyTorch key names, and a failed load changes nothing") {
  xgt::TempDir dir("holders_io");
  const std::string path = (dir.path / "net.safetensors").string();
  ByValue a, b;
  xg::save(a, path);
  const xg::StateDict sd = xg::load(path);
  CHECK(sd.size() == 3);
  CHECK(sd.count("fc.weight") == 1);
  CHECK(sd.count("scale") == 1);
  xg::load(b, path);
  CHECK(xg::equal(a->fc->weight, b->fc->weight));
  nn::Linear other(3, 3);
  const Tensor before = other->weight.clone();
  XGT_CHECK_THROWS_MSG(xg::load(other, path), xg::ValueError, "load_state_dict: nothing was loaded", "scale");
  CHECK(xg::equal(other->weight, before));
  XGT_CHECK_THROWS_MSG(xg::load(b, (dir.path / "missing.safetensors").string()), xg::IOError, "missing.safetensors");
}

TEST_CASE("torch::data: batches, Normalize and the loader's checks") {
  auto ds = Rows().map(data::transforms::Normalize<>(1.0, 2.0)).map(data::transforms::Stack<>());
  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(std::move(ds), data::DataLoaderOptions(4));
  std::vector<Tensor> got;
  for (auto& batch : *loader) got.push_back(batch.data);
  REQUIRE(got.size() == 2);  // 4 + 2
  // (i − 1) / 2 for rows 0..3, then 4, 5.
  xgt::check_values(got[0], {-0.5, -0.5, 0, 0, 0.5, 0.5, 1, 1}, 1e-15);
  xgt::check_values(got[1], {1.5, 1.5, 2, 2}, 1e-15);
  auto dropped = data::make_data_loader<data::samplers::SequentialSampler>(Rows().map(data::transforms::Stack<>()),
                                                                         data::DataLoaderOptions().batch_size(4).drop_last(true));
  int n = 0;
  for (auto& batch : *dropped) n += static_cast<int>(batch.data.size(0));
  CHECK(n == 4);

  XGT_CHECK_THROWS_MSG(data::transforms::Normalize<>(0.0, 0.0), xg::ValueError, "Normalize", "stddev must be non-zero");
  XGT_CHECK_THROWS_MSG(data::make_data_loader(Rows().map(data::transforms::Stack<>()), 0), xg::ValueError, "make_data_loader",
                       "batch_size must be at least 1");
  XGT_CHECK_THROWS_MSG(data::make_data_loader(Rows().map(data::transforms::Stack<>()), data::DataLoaderOptions(2).workers(5000)),
                       xg::ValueError, "workers must be at most 1024", "5000");
  Rows unsized;
  unsized.n = std::nullopt;
  XGT_CHECK_THROWS_MSG(data::make_data_loader(std::move(unsized).map(data::transforms::Stack<>()), 2), xg::ValueError,
                       "make_data_loader", "size() is unknown");
  xgt::TempDir dir("holders_mnist");
  XGT_CHECK_THROWS_MSG(data::datasets::MNIST(dir.path.string()), xg::IOError, "MNIST: missing file", "train-images-idx3-ubyte");
}
