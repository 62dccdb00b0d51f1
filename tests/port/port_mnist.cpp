// pytorch/examples cpp/mnist, written again with an MLP: torch::data::datasets::MNIST with
// Normalize and Stack, make_data_loader with both samplers, a Net with Linear members built in
// its constructor's initializer list, SGD with momentum, nll_loss, train() and eval().
// The data: a small synthetic MNIST-format set written by this program (class k has a bright bar
// on rows 2k..2k+2 of noisy 28x28 images), so no download is needed.
#include <xgrad/torch.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace {
const int64_t kTrainBatchSize = 16;
const int64_t kTestBatchSize = 50;
const int64_t kNumberOfEpochs = 5;

void put_u32(std::ofstream& out, uint32_t v) {
  const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  out.write(b, 4);
}

// <dir>/<prefix>-images-idx3-ubyte and -labels-idx1-ubyte with n examples.
void write_mnist(const std::string& dir, const std::string& prefix, uint32_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::ofstream images(dir + "/" + prefix + "-images-idx3-ubyte", std::ios::binary);
  std::ofstream labels(dir + "/" + prefix + "-labels-idx1-ubyte", std::ios::binary);
  images.write("\0\0\x08\x03", 4);
  put_u32(images, n), put_u32(images, 28), put_u32(images, 28);
  labels.write("\0\0\x08\x01", 4);
  put_u32(labels, n);
  for (uint32_t i = 0; i < n; ++i) {
    const int label = static_cast<int>(rng() % 10);
    labels.put(static_cast<char>(label));
    for (int r = 0; r < 28; ++r)
      for (int c = 0; c < 28; ++c) {
        const bool bar = r >= 2 * label && r < 2 * label + 3;
        images.put(static_cast<char>(bar ? 200 + rng() % 56 : rng() % 60));
      }
  }
}

struct Net : torch::nn::Module {
  Net() : fc1(784, 64), fc2(64, 32), fc3(32, 10) {
    register_module("fc1", fc1);
    register_module("fc2", fc2);
    register_module("fc3", fc3);
  }

  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(fc1->forward(x.reshape({x.size(0), 784})));
    x = torch::nn::functional::dropout(x, torch::nn::functional::DropoutFuncOptions().p(0.2).training(is_training()));
    x = torch::relu(fc2->forward(x));
    return torch::log_softmax(fc3->forward(x), /*dim=*/1);
  }

  torch::nn::Linear fc1, fc2, fc3;
};

template <typename DataLoader>
void train(size_t epoch, Net& model, DataLoader& data_loader, torch::optim::Optimizer& optimizer, size_t dataset_size) {
  model.train();
  size_t batch_idx = 0;
  for (auto& batch : data_loader) {
    optimizer.zero_grad();
    auto output = model.forward(batch.data);
    auto loss = torch::nn::functional::nll_loss(output, batch.target);
    loss.backward();
    optimizer.step();
    if (batch_idx++ % 10 == 0)
      std::printf("Train Epoch: %zu [%5zu/%5zu] Loss: %.4f\n", epoch, batch_idx * batch.data.size(0), dataset_size,
                  loss.template item<float>());
  }
}

template <typename DataLoader>
double test(Net& model, DataLoader& data_loader, size_t dataset_size) {
  torch::NoGradGuard no_grad;
  model.eval();
  double test_loss = 0;
  int64_t correct = 0;
  for (const auto& batch : data_loader) {
    auto output = model.forward(batch.data);
    test_loss += torch::nn::functional::nll_loss(output, batch.target,
                                                 torch::nn::functional::NLLLossFuncOptions().reduction(torch::kSum))
                     .template item<float>();
    auto pred = output.argmax(1);
    correct += torch::sum(torch::eq(pred, batch.target)).template item<int64_t>();
  }
  test_loss /= dataset_size;
  const double accuracy = static_cast<double>(correct) / dataset_size;
  std::printf("Test set: Average loss: %.4f | Accuracy: %.3f\n", test_loss, accuracy);
  return accuracy;
}
}  // namespace

int main() {
  const std::string root = (std::filesystem::temp_directory_path() / "xgrad_port_mnist").string();
  std::filesystem::create_directories(root);
  write_mnist(root, "train", 600, 1);
  write_mnist(root, "t10k", 200, 2);

  torch::manual_seed(1);
  Net model;

  auto train_dataset = torch::data::datasets::MNIST(root)
                           .map(torch::data::transforms::Normalize<>(0.1307, 0.3081))
                           .map(torch::data::transforms::Stack<>());
  const size_t train_dataset_size = train_dataset.size().value();
  auto train_loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      std::move(train_dataset), torch::data::DataLoaderOptions().batch_size(kTrainBatchSize).workers(2));

  auto test_dataset = torch::data::datasets::MNIST(root, torch::data::datasets::MNIST::Mode::kTest)
                          .map(torch::data::transforms::Normalize<>(0.1307, 0.3081))
                          .map(torch::data::transforms::Stack<>());
  const size_t test_dataset_size = test_dataset.size().value();
  auto test_loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(std::move(test_dataset), kTestBatchSize);

  torch::optim::SGD optimizer(model.parameters(), torch::optim::SGDOptions(0.01).momentum(0.5));

  double accuracy = 0;
  for (size_t epoch = 1; epoch <= kNumberOfEpochs; ++epoch) {
    train(epoch, model, *train_loader, optimizer, train_dataset_size);
    accuracy = test(model, *test_loader, test_dataset_size);
  }

  int failures = 0;
  auto check = [&](bool ok, const char* what) {
    if (!ok) std::printf("FAILED: %s\n", what), ++failures;
  };
  check(train_dataset_size == 600 && test_dataset_size == 200, "dataset sizes");
  check(accuracy > 0.9, "the MLP separates the synthetic classes (test accuracy > 0.9)");
  // The dataset as LibTorch's: [1, 28, 28] images in [0, 1], int64 targets; Normalize maps 0 to -0.1307/0.3081.
  torch::data::datasets::MNIST raw(root, torch::data::datasets::MNIST::Mode::kTest);
  const auto example = raw.get(0);
  check(example.data.sizes() == std::vector<int64_t>{1, 28, 28} && example.target.dtype() == torch::kInt64, "MNIST example shape");
  check(!raw.is_train() && raw.images().sizes() == std::vector<int64_t>{200, 1, 28, 28}, "MNIST::images()");
  const double lo = torch::min(raw.images()).item<double>(), hi = torch::max(raw.images()).item<double>();
  check(lo >= 0 && hi <= 1 && hi > 0.75, "pixels scaled to [0, 1]");
  // A sequential loader's first batch holds examples 0..49 in order, normalized.
  auto first = test_loader->begin();
  const auto want = (torch::index_select(raw.images().reshape({200, 784}), 0, torch::arange(50, torch::kInt64)) - 0.1307) / 0.3081;
  check(torch::allclose((*first).data.reshape({50, 784}), want, 1e-5, 1e-6), "SequentialSampler batches are in order");
  try {
    torch::data::datasets::MNIST missing(root + "/nowhere");
    check(false, "a missing MNIST folder throws");
  } catch (const torch::IOError&) {
  }
  try {
    raw.get(200);
    check(false, "get past the end throws");
  } catch (const torch::IndexError&) {
  }
  std::filesystem::remove_all(root);
  if (failures) return 1;
  std::printf("port_mnist: passed\n");
  return 0;
}
