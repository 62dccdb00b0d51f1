#pragma once
// Fashion-MNIST (Zalando): 60000 training and 10000 test 28x28 grey images of 10 clothing classes,
// read from the IDX files of Debian's dataset-fashion-mnist package:
//
//   apt-get install dataset-fashion-mnist        # -> /usr/share/datasets/fashion-mnist/
//   xg::data::FashionMNIST train(xg::data::FashionMNIST::default_root(), xg::data::Split::Train);
//
// Features are float32 pixels scaled to [0, 1] ([m, 28, 28], or [m, 784] with flatten), targets
// int64 labels 0..9. Normalization, when asked, uses the training set's statistics.
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "data/dataset.h"

namespace xg::data {

enum class Split { Train, Test };
Split parse_split(std::string_view name);  // "train" or "test"; ValueError otherwise

struct FashionMNISTOptions {
  bool flatten = false;  // [m, 784] instead of [m, 28, 28]
  // (x − mean) / std after scaling to [0, 1]; e.g. {FashionMNIST::kMean, FashionMNIST::kStd}.
  std::optional<std::pair<double, double>> normalize{};
};

class FashionMNIST : public TensorDataset {
 public:
  // Reads <root>/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]. IOError naming the missing
  // path and the Debian package when a file is absent; FormatError when a file is malformed or
  // images and labels disagree.
  explicit FashionMNIST(const std::string& root = default_root(), Split split = Split::Train,
                        FashionMNISTOptions options = {});
  FashionMNIST(const std::string& root, std::string_view split, FashionMNISTOptions options = {})
      : FashionMNIST(root, parse_split(split), options) {}

  static std::string default_root() { return "/usr/share/datasets/fashion-mnist"; }
  static constexpr const char* kDebianPackage = "dataset-fashion-mnist";
  // Mean and std of the training pixels scaled to [0, 1] (computed over all 60000·784 pixels).
  static constexpr double kMean = 0.2860405969887955;
  static constexpr double kStd = 0.35302424451492237;
  static constexpr std::array<const char*, 10> kClasses = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                          "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  Split split() const { return split_; }

  // The path of one of the dataset's files under root ("train-images-idx3-ubyte"): the .gz file
  // if present, else the plain one; IOError naming both when neither exists.
  static std::string locate(const std::string& root, const std::string& name);

 private:
  FashionMNIST(std::pair<Tensor, Tensor> data, Split split);
  Split split_;
};

// Images and labels of an MNIST-format pair of IDX files: images [m, rows, cols] uint8 scaled to
// float32 [0, 1], labels [m] uint8 checked to lie in [0, num_classes).
std::pair<Tensor, Tensor> load_mnist_idx(const std::string& images_path, const std::string& labels_path,
                                         std::int64_t num_classes = 10);

}  // namespace xg::data
