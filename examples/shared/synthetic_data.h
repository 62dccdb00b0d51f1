#pragma once
// The one source of synthetic data of the examples (the trainer and the lecture's experiments).
// Every function draws from the generator it is given (or one seeded with `seed`) in the order
// its comment states, so a seed always gives the same data.
#include <cstdint>
#include <functional>
#include <vector>

#include <xgrad.h>

namespace xg::examples {

// Features x and targets y: int64 labels for classification, float values for regression.
struct Labelled {
  Tensor x, y;
};

// Samples around class centers [k, d]: labels uniform in 0..k-1, then x = centers[label] +
// N(0, 1) noise per feature (float32).
Labelled gaussian_blobs(const Tensor& centers, std::int64_t m, Generator& g);

// `classes` Gaussian blobs in `dim` dimensions with centers N(0, center_scale²) (the centers
// first, then one set per entry of `sizes`, e.g. train, dev and test, from Generator(seed)).
std::vector<Labelled> gaussian_blob_sets(std::int64_t classes, std::int64_t dim, double center_scale,
                                         const std::vector<std::int64_t>& sizes, std::uint64_t seed);

// Stand-ins for Fashion-MNIST's training images (784 float32 features, 10 classes), used only
// when Debian's files are missing:
//  - subspace_blobs: ten Gaussian blobs whose centers differ in a random 20-dim subspace, so the
//    problem is learnable but not trivial;
//  - shared_basis_classes: x = relu(B u + 0.5 noise) with one 784x24 basis B shared by all
//    classes and u = the class's code + N(0, 1), standardized (scalar mean and std): features
//    learned on some classes help on the others, as transfer learning needs.
Labelled subspace_blobs(std::int64_t m, std::uint64_t seed);
Labelled shared_basis_classes(std::int64_t m, std::uint64_t seed);

// n points (x, f(x) + N(0, noise_sd²)) as float64 [n, 1] tensors with x in [lo, hi): stratified,
// one x uniform in each of n equal bins (the sample covers the range); else x ~ U[lo, hi).
// Per point, x is drawn first, then its noise.
Labelled noisy_samples(const std::function<double(double)>& f, std::int64_t n, double lo, double hi, double noise_sd,
                       Generator& g, bool stratified);

// x ~ N(0, 1) [m, d] of `dtype`, then labels uniform in 0..classes-1 that x says nothing about.
Labelled random_labels(std::int64_t m, std::int64_t d, std::int64_t classes, DType dtype, Generator& g);

// Regression: x ~ N(0, 1) [m, d] of `dtype`, y = sin(x_1 + ... + x_k) [m, 1].
Labelled sine_of_sum(std::int64_t m, std::int64_t d, std::int64_t k, DType dtype, Generator& g);

}  // namespace xg::examples
