#include "fashion_mnist_subset.h"

#include <algorithm>
#include <functional>
#include <unordered_set>

#include "shared/synthetic_data.h"

namespace xg::experiments {

namespace {

// The 60000 training images flattened, pixels in [0, 1] or standardized with the dataset's
// kMean and kStd; stand_in() when Debian's files are missing.
ImagePool load_train_images(bool standardized, const std::function<examples::Labelled()>& stand_in,
                            const std::string& stand_in_name) {
  ImagePool p;
  try {
    data::FashionMNISTOptions opts;
    opts.flatten = true;
    if (standardized) opts.normalize = std::make_pair(data::FashionMNIST::kMean, data::FashionMNIST::kStd);
    const data::FashionMNIST train(data::FashionMNIST::default_root(), data::Split::Train, opts);
    p.x = train.features();
    p.y = train.targets();
    p.source = "Fashion-MNIST from " + data::FashionMNIST::default_root();
    return p;
  } catch (const IOError&) {
  }
  const auto [x, y] = stand_in();
  p.x = x;
  p.y = y;
  p.synthetic = true;
  p.source = "SYNTHETIC stand-in, " + stand_in_name + " (Fashion-MNIST files missing: apt-get install " +
             data::FashionMNIST::kDebianPackage + ")";
  return p;
}

}  // namespace

TrainDev fashion_mnist_train_dev(std::int64_t n_train, std::int64_t n_dev, std::uint64_t seed) {
  const ImagePool pool = load_train_images(
      false, [&] { return examples::subspace_blobs(n_train + n_dev, seed); }, "10 Gaussian classes in a 20-dim subspace");
  const auto m = pool.x.size(0);
  Generator g(seed);
  const auto parts = data::random_split(data::TensorDataset(pool.x, pool.y),
                                        {static_cast<double>(n_train), static_cast<double>(n_dev),
                                         static_cast<double>(m - n_train - n_dev)}, g);
  const auto norm = data::Standardizer::fit(parts[0], /*per_feature=*/false);
  return {norm.apply(parts[0]), norm.apply(parts[1]), pool.synthetic,
          pool.source + ", " + std::to_string(n_train) + " train / " + std::to_string(n_dev) + " dev images"};
}

ImagePool fashion_mnist_pool() {
  return load_train_images(
      true, [] { return examples::shared_basis_classes(60000, 1234); }, "10 classes on a shared low-rank basis");
}

data::TensorDataset take_per_class(const ImagePool& pool, const std::vector<std::int64_t>& classes, std::int64_t per_class,
                                   std::uint64_t seed, const std::vector<std::int64_t>& exclude,
                                   std::vector<std::int64_t>* taken) {
  Generator g(seed);
  const auto labels = pool.y.to_vector<std::int64_t>();
  const auto order = randperm(static_cast<std::int64_t>(labels.size()), &g).to_vector<std::int64_t>();
  const std::unordered_set<std::int64_t> skip(exclude.begin(), exclude.end());
  std::vector<std::int64_t> count(classes.size(), 0), idx, new_label;
  for (std::int64_t i : order) {
    if (skip.count(i)) continue;
    const auto it = std::find(classes.begin(), classes.end(), labels[static_cast<std::size_t>(i)]);
    if (it == classes.end()) continue;
    const auto c = static_cast<std::size_t>(it - classes.begin());
    if (count[c] >= per_class) continue;
    ++count[c];
    idx.push_back(i);
    new_label.push_back(static_cast<std::int64_t>(c));
  }
  if (taken) *taken = idx;
  const auto n = static_cast<std::int64_t>(idx.size());
  return data::TensorDataset(index_select(pool.x, 0, from_vector(idx, {n})), from_vector(new_label, {n}));
}

}  // namespace xg::experiments
