// interpolate: nearest is an index_select along H and along W; bilinear is A_h · x · A_wᵀ with
// interpolation matrices. So the derivatives are those of index_select and matmul.
#include <cmath>

#include "autodiff/detail/conv_args.h"
#include "autodiff/ops.h"

namespace xg {

namespace {
using i64 = std::int64_t;

// Output size and sampling scale (input pixels per output pixel) of one dim.
struct Resize {
  i64 out;
  double scale;
};

std::pair<Resize, Resize> resize_of(const char* op, const Tensor& x, const InterpolateOptions& o) {
  const bool by_size = !o.size.empty(), by_scale = !o.scale_factor.empty();
  if (by_size == by_scale)
    throw ValueError(fmt::format("{}: give exactly one of size and scale_factor (got {} size values and {} scale factors)", op,
                                 o.size.size(), o.scale_factor.size()));
  Resize r[2]{};
  for (int i = 0; i < 2; ++i) {
    const i64 in = x.size(2 + i);
    if (by_size) {
      if (o.size.size() > 2) throw ValueError(fmt::format("{}: size needs one or two ints, got {}", op, autograd::list_str(o.size)));
      r[i].out = o.size.size() == 1 ? o.size[0] : o.size[static_cast<std::size_t>(i)];
      if (r[i].out <= 0) throw ValueError(fmt::format("{}: size must be positive, got {}", op, autograd::list_str(o.size)));
      r[i].scale = static_cast<double>(in) / static_cast<double>(r[i].out);
    } else {
      if (o.scale_factor.size() > 2) throw ValueError(fmt::format("{}: scale_factor needs one or two values, got {}", op, o.scale_factor.size()));
      const double f = o.scale_factor.size() == 1 ? o.scale_factor[0] : o.scale_factor[static_cast<std::size_t>(i)];
      const double out = std::floor(static_cast<double>(in) * f);
      if (!(f > 0) || !std::isfinite(f) || !(out >= 1) || out > 9.0e15)
        throw ValueError(fmt::format("{}: scale_factor {} gives no valid output size for input {}", op, f, to_string(x.shape())));
      r[i].out = static_cast<i64>(out);
      r[i].scale = 1.0 / f;
    }
  }
  return {r[0], r[1]};
}

// Nearest: output o reads floor(o · scale) (in float, as PyTorch), at most in - 1.
Tensor nearest_index(i64 in, const Resize& r) {
  std::vector<i64> idx(static_cast<std::size_t>(r.out));
  const auto scale = static_cast<float>(r.scale);
  for (i64 o = 0; o < r.out; ++o)
    idx[static_cast<std::size_t>(o)] = std::min<i64>(static_cast<i64>(std::floor(static_cast<float>(o) * scale)), in - 1);
  return from_vector(idx, {r.out});
}

// Bilinear: row o of the [out, in] matrix weights the two input pixels around its source position.
Tensor linear_matrix(i64 in, const Resize& r, bool align_corners, DType dtype) {
  std::vector<double> m(static_cast<std::size_t>(r.out * in), 0.0);
  const double scale = align_corners ? (r.out > 1 ? static_cast<double>(in - 1) / static_cast<double>(r.out - 1) : 0.0) : r.scale;
  for (i64 o = 0; o < r.out; ++o) {
    double src = align_corners ? scale * static_cast<double>(o) : scale * (static_cast<double>(o) + 0.5) - 0.5;
    if (src < 0) src = 0;
    const auto i0 = std::min<i64>(static_cast<i64>(src), in - 1);
    const i64 i1 = i0 < in - 1 ? i0 + 1 : i0;
    const double l1 = src - static_cast<double>(i0);
    m[static_cast<std::size_t>(o * in + i0)] += 1 - l1;
    m[static_cast<std::size_t>(o * in + i1)] += l1;
  }
  return from_vector(m, {r.out, in}).to(dtype);
}
}  // namespace

Tensor interpolate(const Tensor& x, const InterpolateOptions& o, SourceLocation loc) {
  const char* op = "interpolate";
  autograd::check_float(op, x);
  autograd::check_rank(op, x, 4, "input", "[N, C, H, W]");
  if (x.size(2) == 0 || x.size(3) == 0) throw ShapeError(fmt::format("{}: input {} has an empty spatial dim", op, to_string(x.shape())));
  if (o.align_corners && o.mode == InterpolateMode::Nearest)
    throw ValueError(fmt::format("{}: align_corners only applies to mode bilinear, not nearest", op));
  const auto [rh, rw] = resize_of(op, x, o);
  autograd::check_allocatable(op, {x.size(0), x.size(1), rh.out, rw.out}, x.dtype());
  if (o.mode == InterpolateMode::Nearest) {
    const Tensor rows = index_select(x, 2, nearest_index(x.size(2), rh), loc);
    return index_select(rows, 3, nearest_index(x.size(3), rw), loc);
  }
  const Tensor rows = matmul(linear_matrix(x.size(2), rh, o.align_corners, x.dtype()), x, loc);
  return matmul(rows, t(linear_matrix(x.size(3), rw, o.align_corners, x.dtype())), loc);
}

}  // namespace xg
