#include "data/datasets.h"

#include <fmt/format.h>

#include <filesystem>
#include <limits>

#include "data/fashion_mnist.h"  // load_mnist_idx

namespace xg::data {

namespace transforms {
void check_normalize(const std::vector<double>& mean, const std::vector<double>& stddev) {
  if (mean.empty() || stddev.empty())
    throw ValueError(fmt::format("Normalize: mean and stddev need at least one value, got {} and {}", mean.size(), stddev.size()));
  for (double s : stddev)
    if (!(s != 0)) throw ValueError(fmt::format("Normalize: stddev must be non-zero, got {}", s));
}
Tensor normalize_example(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& stddev) {
  if (mean.size() == 1 && stddev.size() == 1) return (x - mean[0]) / stddev[0];
  return normalize(x, mean, stddev);
}
}  // namespace transforms

namespace datasets {
namespace {
// <root>/<name>.gz if present, else <root>/<name>; IOError naming both otherwise.
std::string locate(const std::string& root, const std::string& name) {
  const std::filesystem::path plain = std::filesystem::path(root) / name, gz = std::filesystem::path(root) / (name + ".gz");
  if (std::filesystem::exists(gz)) return gz.string();
  if (std::filesystem::exists(plain)) return plain.string();
  throw IOError(fmt::format("MNIST: missing file '{}' (nor '{}'); root must be the folder holding the MNIST-format IDX files",
                            plain.string(), gz.string()));
}

TensorDataset read_mnist(const std::string& root, bool train) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string images_path = locate(root, prefix + "-images-idx3-ubyte");
  const std::string labels_path = locate(root, prefix + "-labels-idx1-ubyte");
  auto [images, labels] = load_mnist_idx(images_path, labels_path);
  return TensorDataset(images.reshape({images.size(0), 1, images.size(1), images.size(2)}), labels.to(kInt64));
}
}  // namespace

MNIST::MNIST(const std::string& root, Mode mode) : images_(read_mnist(root, mode == Mode::kTrain)), train_(mode == Mode::kTrain) {}

Example<> MNIST::get(std::size_t index) {
  if (index >= static_cast<std::size_t>(images_.size()))
    throw IndexError(fmt::format("MNIST::get: index {} is out of range for {} examples", index, images_.size()));
  return images_.get(static_cast<std::int64_t>(index));
}

std::optional<std::size_t> MNIST::size() const { return static_cast<std::size_t>(images_.size()); }
}  // namespace datasets

}  // namespace xg::data
