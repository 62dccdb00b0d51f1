#include "shared/synthetic_data.h"

#include <cmath>

namespace xg::examples {

Labelled gaussian_blobs(const Tensor& centers, std::int64_t m, Generator& g) {
  const Tensor y = randint(0, centers.size(0), {m}, &g);
  const Tensor x = index_select(centers, 0, y) + randn({m, centers.size(1)}, kFloat32, &g);
  return {x, y};
}

std::vector<Labelled> gaussian_blob_sets(std::int64_t classes, std::int64_t dim, double center_scale,
                                         const std::vector<std::int64_t>& sizes, std::uint64_t seed) {
  Generator g(seed);
  const Tensor centers = randn({classes, dim}, kFloat32, &g) * center_scale;
  std::vector<Labelled> sets;
  for (const std::int64_t m : sizes) sets.push_back(gaussian_blobs(centers, m, g));
  return sets;
}

Labelled subspace_blobs(std::int64_t m, std::uint64_t seed) {
  Generator g(seed);
  const std::int64_t d = 784, k = 10, r = 20;
  const Tensor basis = randn({r, d}, kFloat32, &g) * (1.0 / std::sqrt(static_cast<double>(r)));
  const Tensor centers = mm(randn({k, r}, kFloat32, &g) * 1.2, basis);  // [k, d]
  return gaussian_blobs(centers, m, g);
}

Labelled shared_basis_classes(std::int64_t m, std::uint64_t seed) {
  Generator g(seed);
  const std::int64_t d = 784, r = 24;
  const Tensor basis = randn({d, r}, kFloat32, &g) / std::sqrt(static_cast<double>(r));
  const Tensor codes = randn({10, r}, kFloat32, &g) * 1.5;
  const auto [z, y] = gaussian_blobs(codes, m, g);  // z: [m, r]
  Tensor x = relu(matmul(z, basis.t()) + 0.5 * randn({m, d}, kFloat32, &g));
  x = (x - xg::mean(x)) / xg::std(x);
  return {x, y};
}

Labelled noisy_samples(const std::function<double(double)>& f, std::int64_t n, double lo, double hi, double noise_sd,
                       Generator& g, bool stratified) {
  std::vector<double> xs(n), ys(n);
  const double h = (hi - lo) / static_cast<double>(stratified ? n : 1);
  for (std::int64_t i = 0; i < n; ++i) {
    xs[i] = lo + h * (static_cast<double>(stratified ? i : 0) + g.uniform());
    ys[i] = f(xs[i]) + noise_sd * g.normal();
  }
  return {from_vector(xs, {n, 1}), from_vector(ys, {n, 1})};
}

Labelled random_labels(std::int64_t m, std::int64_t d, std::int64_t classes, DType dtype, Generator& g) {
  const Tensor x = randn({m, d}, dtype, &g);
  return {x, randint(0, classes, {m}, &g)};
}

Labelled sine_of_sum(std::int64_t m, std::int64_t d, std::int64_t k, DType dtype, Generator& g) {
  const Tensor x = randn({m, d}, dtype, &g);
  return {x, sin(sum(narrow(x, 1, 0, k), {1}, true))};
}

}  // namespace xg::examples
