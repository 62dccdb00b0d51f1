// pytorch/examples cpp/custom-dataset, written again without OpenCV: a dataset deriving from
// torch::data::datasets::Dataset<Self> whose get() builds an image tensor from raw bytes, mapped
// with Stack, loaded with workers; a network that derives from nn::SequentialImpl and is made a
// holder with TORCH_MODULE, built from Conv2d, Functional(torch::relu), Functional(torch::max_pool2d,
// ...), Flatten, Dropout and Linear. The images: 3 x 8 x 8 bytes, class c brighter in channel c.
#include <xgrad/torch.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace {
constexpr int64_t kSide = 8;

struct Sample {
  std::vector<uint8_t> pixels;  // 3 planes of kSide x kSide, as an image file would decode
  int64_t label;
};
using Data = std::vector<Sample>;

Data make_samples(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  Data out;
  for (std::size_t i = 0; i < n; ++i) {
    Sample s{std::vector<uint8_t>(3 * kSide * kSide), static_cast<int64_t>(rng() % 3)};
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t k = 0; k < kSide * kSide; ++k)
        s.pixels[static_cast<std::size_t>(c * kSide * kSide + k)] = static_cast<uint8_t>(c == s.label ? 150 + rng() % 100 : rng() % 120);
    out.push_back(std::move(s));
  }
  return out;
}

class CustomDataset : public torch::data::datasets::Dataset<CustomDataset> {
  using Example = torch::data::Example<>;
  const Data data;

 public:
  explicit CustomDataset(const Data& data) : data(data) {}

  Example get(size_t index) override {
    const Sample& s = data.at(index);
    auto image = torch::zeros({3 * kSide * kSide});
    float* p = image.data_ptr<float>();
    for (std::size_t k = 0; k < s.pixels.size(); ++k) p[k] = s.pixels[k] / 255.0f;
    auto label = torch::full({}, static_cast<double>(s.label), torch::kInt64);
    return {image.view({3, kSide, kSide}), label};
  }

  torch::optional<size_t> size() const override { return data.size(); }
};

struct NetworkImpl : torch::nn::SequentialImpl {
  NetworkImpl() {
    using namespace torch::nn;
    push_back(Conv2d(Conv2dOptions(3, 8, 3).padding(1)));
    push_back(Functional(torch::relu));
    push_back(Functional(torch::max_pool2d, 2, 2, 0, 1, false));
    push_back(Flatten());
    push_back(Dropout(0.1));
    push_back(Linear(8 * 4 * 4, 3));
    push_back(Functional([](torch::Tensor input) { return torch::log_softmax(input, 1); }));
  }
};
TORCH_MODULE(Network);

template <typename DataLoader>
void train(Network& network, DataLoader& loader, torch::optim::Optimizer& optimizer) {
  network->train();
  for (auto& batch : loader) {
    auto output = network->forward(batch.data);
    auto loss = torch::nn::functional::nll_loss(output, batch.target);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
  }
}

template <typename DataLoader>
double test(Network& network, DataLoader& loader, size_t data_size) {
  torch::NoGradGuard no_grad;
  network->eval();
  int64_t correct = 0;
  for (const auto& batch : loader)
    correct += torch::sum(torch::eq(network(batch.data).argmax(1), batch.target)).template item<int64_t>();
  return static_cast<double>(correct) / static_cast<double>(data_size);
}
}  // namespace

int main() {
  int failures = 0;
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) std::printf("FAILED: %s\n", what.c_str()), ++failures;
  };
  torch::manual_seed(0);
  const Data train_data = make_samples(120, 1), test_data = make_samples(60, 2);

  auto train_set = CustomDataset(train_data).map(torch::data::transforms::Stack<>());
  const auto train_size = train_set.size().value();
  auto train_loader = torch::data::make_data_loader(std::move(train_set), torch::data::DataLoaderOptions().batch_size(8).workers(2));
  auto test_set = CustomDataset(test_data).map(torch::data::transforms::Stack<>());
  const auto test_size = test_set.size().value();
  auto test_loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(std::move(test_set), 20);

  Network network;
  torch::optim::Adam optimizer(network->parameters(), torch::optim::AdamOptions(1e-2));
  double accuracy = 0;
  for (int epoch = 0; epoch < 5; ++epoch) {
    train(network, *train_loader, optimizer);
    accuracy = test(network, *test_loader, test_size);
    std::printf("epoch %d: test accuracy %.3f\n", epoch, accuracy);
  }
  check(accuracy > 0.9, "the network learns the brighter channel (accuracy > 0.9)");

  // Batches: stacked [B, 3, 8, 8] data and [B] targets; 120 / 8 = 15 per epoch, the last of 60 / 20.
  int64_t batches = 0;
  for (auto& batch : *train_loader) {
    check(batch.data.sizes() == std::vector<int64_t>{8, 3, kSide, kSide} && batch.target.sizes() == std::vector<int64_t>{8},
          "a training batch's shapes");
    ++batches;
  }
  check(batches == 15 && train_size == 120, "15 batches of 8");

  // Workers change nothing but speed: the same seed gives the same batches with 0 and 3 workers.
  auto batches_of = [&](std::size_t workers) {
    torch::manual_seed(7);
    auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
        CustomDataset(train_data).map(torch::data::transforms::Stack<>()), torch::data::DataLoaderOptions(16).workers(workers));
    std::vector<torch::Tensor> targets;
    for (auto& batch : *loader) targets.push_back(batch.target);
    return targets;
  };
  const auto serial = batches_of(0), threaded = batches_of(3);
  bool same = serial.size() == threaded.size() && serial.size() == 8;
  for (std::size_t i = 0; same && i < serial.size(); ++i) same = torch::equal(serial[i], threaded[i]);
  check(same, "RandomSampler with workers(3) gives the batches of workers(0) for the same seed");
  bool shuffled = false;
  std::vector<int64_t> order;
  for (const auto& t : serial)
    for (auto v : t.to_vector<int64_t>()) order.push_back(v);
  for (std::size_t i = 0; i < order.size(); ++i) shuffled = shuffled || order[i] != train_data[i].label;
  check(shuffled, "RandomSampler shuffles");

  // A dataset error inside a worker reaches the loop as the same typed exception.
  struct Broken : torch::data::datasets::Dataset<Broken> {
    torch::data::Example<> get(size_t i) override {
      if (i == 5) throw torch::ValueError("Broken::get: example 5 is unreadable");
      return {torch::zeros({2}), torch::zeros({})};
    }
    torch::optional<size_t> size() const override { return 10; }
  };
  auto broken = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      Broken().map(torch::data::transforms::Stack<>()), torch::data::DataLoaderOptions().batch_size(2).workers(2));
  try {
    for (auto& batch : *broken) (void)batch;
    check(false, "a failing get() throws");
  } catch (const torch::ValueError& e) {
    check(std::string(e.what()).find("example 5") != std::string::npos, "the worker's error message");
  }
  try {
    torch::data::make_data_loader(CustomDataset(train_data).map(torch::data::transforms::Stack<>()), 0);
    check(false, "batch_size 0 throws");
  } catch (const torch::ValueError&) {
  }

  // Without Stack a batch is a std::vector of examples, as LibTorch's.
  {
    auto unstacked = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
        CustomDataset(test_data), torch::data::DataLoaderOptions().batch_size(25));
    std::vector<std::size_t> sizes;
    int64_t first_label = -1;
    for (auto& batch : *unstacked) {
      sizes.push_back(batch.size());
      if (first_label < 0) first_label = batch[0].target.item<int64_t>();
      for (auto& example : batch) check(example.data.sizes() == std::vector<int64_t>{3, kSide, kSide}, "an unstacked example's shape");
    }
    check(sizes == std::vector<std::size_t>{25, 25, 10}, "60 examples in batches of 25: 25, 25, 10");
    check(first_label == test_data[0].label, "the sequential sampler starts at example 0");
  }

  if (failures) return 1;
  std::printf("port_custom_dataset: passed\n");
  return 0;
}
