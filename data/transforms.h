#pragma once
// Data augmentation for images held as tensors: a batch [N, C, H, W] or one image [C, H, W].
// The random ones draw from the generator they are given, one draw per image in batch order;
// pass the DataLoader's (loader.generator()) so that a run resumed from a checkpoint holding its
// state sees the same crops and flips, bit for bit:
//
//   for (auto [x, y] : loader) {
//     x = transforms::random_crop(x.reshape({-1, 1, 28, 28}), 28, 2, loader.generator());
//     x = transforms::random_horizontal_flip(x, 0.5, loader.generator());
//     x = transforms::normalize(x, {0.2860}, {0.3530});
//   }
//
// Crops and flips return new tensors without autograd history (augmentation comes before the
// model); normalize is made of ops.
#include <vector>

#include "autodiff/ops_conv.h"
#include "tensor/random.h"
#include "tensor/tensor.h"

namespace xg::data::transforms {

// Pads every side by `padding` with `fill`, then cuts size (height, width) at an offset drawn
// uniformly for each image: first the row offset, then the column offset (torchvision's
// RandomCrop(size, padding)).
Tensor random_crop(const Tensor& images, ExpandingArray<2> size, std::int64_t padding, Generator& gen, double fill = 0);
// Mirrors each image left-right with probability p (one uniform draw per image, flipped when < p).
Tensor random_horizontal_flip(const Tensor& images, double p, Generator& gen);
// (x - mean[c]) / std[c] per channel; one value applies to every channel.
Tensor normalize(const Tensor& images, const std::vector<double>& mean, const std::vector<double>& std);

}  // namespace xg::data::transforms
