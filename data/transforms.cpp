#include "data/transforms.h"

#include <fmt/format.h>

#include <cstring>

#include "autodiff/ops.h"

namespace xg::data::transforms {

namespace {
using i64 = std::int64_t;

// The images as a batch [N, C, H, W] (one image gets N = 1), after checking they are float.
Tensor as_batch(const char* op, const Tensor& images) {
  if (!images.defined() || !images.is_floating_point())
    throw DTypeError(fmt::format("{}: expected float images, got {}", op, images.defined() ? dtype_name(images.dtype()) : "an undefined tensor"));
  if (images.dim() != 3 && images.dim() != 4)
    throw ShapeError(fmt::format("{}: expected images [N, C, H, W] or [C, H, W], got shape {}", op, to_string(images.shape())));
  return images.dim() == 4 ? images.detach() : images.detach().reshape({1, images.size(0), images.size(1), images.size(2)});
}
}  // namespace

Tensor random_crop(const Tensor& images, ExpandingArray<2> size, i64 padding, Generator& gen, double fill) {
  const char* op = "random_crop";
  const Tensor x = as_batch(op, images);
  const auto& sv = size.values();
  if (sv.size() != 2 || sv[0] <= 0 || sv[1] <= 0)
    throw ValueError(fmt::format("{}: size must be one or two positive ints, got {}", op, to_string(Shape(sv.begin(), sv.end()))));
  const i64 N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3), h = sv[0], w = sv[1];
  if (padding < 0 || padding > (INT64_MAX / 4) || h > H + 2 * padding || w > W + 2 * padding)
    throw ValueError(fmt::format("{}: cannot cut {} × {} from images {} padded by {}", op, h, w, to_string(images.shape()), padding));
  Tensor out = zeros({N, C, h, w}, x.dtype());
  dispatch_float(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* src = x.data_ptr<T>();
    T* dst = out.data_ptr<T>();
    for (i64 n = 0; n < N; ++n) {
      // Offsets into the padded image, then shifted back to the original one.
      const i64 top = static_cast<i64>(gen.below(static_cast<std::uint64_t>(H + 2 * padding - h + 1))) - padding;
      const i64 left = static_cast<i64>(gen.below(static_cast<std::uint64_t>(W + 2 * padding - w + 1))) - padding;
      for (i64 c = 0; c < C; ++c)
        for (i64 r = 0; r < h; ++r) {
          T* row = dst + ((n * C + c) * h + r) * w;
          const i64 sr = top + r;
          for (i64 col = 0; col < w; ++col) {
            const i64 sc = left + col;
            row[col] = sr >= 0 && sr < H && sc >= 0 && sc < W ? src[((n * C + c) * H + sr) * W + sc] : static_cast<T>(fill);
          }
        }
    }
  });
  return images.dim() == 4 ? out : out.reshape({C, h, w});
}

Tensor random_horizontal_flip(const Tensor& images, double p, Generator& gen) {
  const char* op = "random_horizontal_flip";
  if (!(p >= 0 && p <= 1)) throw ValueError(fmt::format("{}: p must be in [0, 1], got {}", op, p));
  const Tensor x = as_batch(op, images);
  const i64 N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  Tensor out = x.clone();
  dispatch_float(x.dtype(), [&](auto t) {
    using T = decltype(t);
    T* d = out.data_ptr<T>();
    for (i64 n = 0; n < N; ++n) {
      if (!(gen.uniform() < p)) continue;
      for (i64 r = 0; r < C * H; ++r) {
        T* row = d + (n * C * H + r) * W;
        for (i64 a = 0, b = W - 1; a < b; ++a, --b) std::swap(row[a], row[b]);
      }
    }
  });
  return images.dim() == 4 ? out : out.reshape(images.shape());
}

Tensor normalize(const Tensor& images, const std::vector<double>& mean, const std::vector<double>& stdev) {
  const char* op = "normalize";
  const Tensor x = as_batch(op, images);
  const i64 C = x.size(1);
  const auto per_channel = [&](const std::vector<double>& v, const char* what) {
    if (v.size() != 1 && static_cast<i64>(v.size()) != C)
      throw ShapeError(fmt::format("{}: {} has {} values for images {} with {} channels", op, what, v.size(), to_string(images.shape()), C));
    std::vector<double> full(static_cast<std::size_t>(C));
    for (i64 c = 0; c < C; ++c) full[static_cast<std::size_t>(c)] = v.size() == 1 ? v[0] : v[static_cast<std::size_t>(c)];
    return full;
  };
  const auto m = per_channel(mean, "mean"), s = per_channel(stdev, "std");
  for (double v : s)
    if (!(v != 0)) throw ValueError(fmt::format("{}: std must be non-zero, got {}", op, v));
  const Shape bs = images.dim() == 4 ? Shape{1, C, 1, 1} : Shape{C, 1, 1};
  const Tensor mt = from_vector(m, bs).to(images.dtype()), st = from_vector(s, bs).to(images.dtype());
  return div(sub(images, mt), st);
}

}  // namespace xg::data::transforms
