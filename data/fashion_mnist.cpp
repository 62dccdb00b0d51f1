#include "data/fashion_mnist.h"

#include <filesystem>
#include <fmt/format.h>

#include "autodiff/ops.h"
#include "data/idx.h"

namespace xg::data {

Split parse_split(std::string_view name) {
  if (name == "train") return Split::Train;
  if (name == "test") return Split::Test;
  throw ValueError(fmt::format("FashionMNIST: split must be \"train\" or \"test\", got \"{}\"", name));
}

std::string FashionMNIST::locate(const std::string& root, const std::string& name) {
  const std::filesystem::path dir(root);
  const auto gz = dir / (name + ".gz");
  const auto plain = dir / name;
  std::error_code ec;
  if (std::filesystem::is_regular_file(gz, ec)) return gz.string();
  if (std::filesystem::is_regular_file(plain, ec)) return plain.string();
  throw IOError(fmt::format(
      "FashionMNIST: missing file '{}' (nor '{}' found); it is provided by the Debian package {} "
      "(apt-get install {}), which installs it under {}; or pass the folder holding the IDX files as root",
      gz.string(), plain.string(), kDebianPackage, kDebianPackage, default_root()));
}

std::pair<Tensor, Tensor> load_mnist_idx(const std::string& images_path, const std::string& labels_path,
                                         std::int64_t num_classes) {
  const IdxArray images = read_idx(images_path);
  const IdxArray labels = read_idx(labels_path);
  if (images.type != IdxType::UInt8 || images.dims.size() != 3)
    throw FormatError(fmt::format("'{}': expected unsigned-byte images with 3 dims (count, rows, cols), got type 0x{:02x} with {} dims",
                                  images_path, static_cast<int>(images.type), images.dims.size()));
  if (labels.type != IdxType::UInt8 || labels.dims.size() != 1)
    throw FormatError(fmt::format("'{}': expected unsigned-byte labels with 1 dim, got type 0x{:02x} with {} dims", labels_path,
                                  static_cast<int>(labels.type), labels.dims.size()));
  if (images.dims[0] != labels.dims[0])
    throw FormatError(fmt::format("'{}' holds {} images but '{}' holds {} labels", images_path, images.dims[0], labels_path,
                                  labels.dims[0]));
  Tensor y = empty(Shape(labels.dims), kInt64);
  std::int64_t* py = y.data_ptr<std::int64_t>();
  for (std::size_t i = 0; i < labels.data.size(); ++i) {
    py[i] = labels.data[i];
    if (py[i] >= num_classes)
      throw FormatError(fmt::format("'{}': label {} at index {} is outside 0..{}", labels_path, py[i], i, num_classes - 1));
  }
  // Written straight into the tensor: a dataset is the biggest thing most programs hold.
  Tensor x = empty(Shape(images.dims));
  float* px = x.data_ptr<float>();
  for (std::size_t i = 0; i < images.data.size(); ++i) px[i] = static_cast<float>(images.data[i]) / 255.0f;
  return {x, y};
}

namespace {
std::pair<Tensor, Tensor> load_fashion(const std::string& root, Split split, const FashionMNISTOptions& opt) {
  const std::string prefix = split == Split::Train ? "train" : "t10k";
  const std::string images = FashionMNIST::locate(root, prefix + "-images-idx3-ubyte");
  const std::string labels = FashionMNIST::locate(root, prefix + "-labels-idx1-ubyte");
  auto [x, y] = load_mnist_idx(images, labels, 10);
  if (opt.normalize) {
    const auto [mean, stdev] = *opt.normalize;
    if (!(stdev > 0)) throw ValueError(fmt::format("FashionMNIST: normalize std must be positive, got {}", stdev));
    x.sub_(mean).div_(stdev);
  }
  if (opt.flatten) x = reshape(x, {x.size(0), -1});
  return {x, y};
}
}  // namespace

FashionMNIST::FashionMNIST(const std::string& root, Split split, FashionMNISTOptions options)
    : FashionMNIST(load_fashion(root, split, options), split) {}

FashionMNIST::FashionMNIST(std::pair<Tensor, Tensor> data, Split split)
    : TensorDataset(std::move(data.first), std::move(data.second)), split_(split) {}

}  // namespace xg::data
