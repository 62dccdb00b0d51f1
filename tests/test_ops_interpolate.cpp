// interpolate (nearest, bilinear with align_corners both ways, by size or scale_factor) and the
// Upsample layer: by hand, against PyTorch (tests/reference/conv_reference.py), gradcheck and
// gradgradcheck, bad input.
#include "conv_check.h"

using xg::InterpolateMode;
using xg::InterpolateOptions;
using xg::Tensor;
using xgt::check_grads;
using xgt::check_reference;
using xgt::check_values;
namespace R = convref;

namespace {
xg::GradcheckFn resize(InterpolateOptions o) {
  return [o](const std::vector<Tensor>& in) { return xg::interpolate(in[0], o); };
}
Tensor x_int() { return xgt::seq({1, 2, 3, 4}, 0.1, 0.3, -0.02); }
}  // namespace

TEST_CASE("interpolate by hand: nearest doubling repeats pixels, bilinear with align_corners spans the corners") {
  const Tensor x = xgt::f64({1, 2, 3, 4}, {1, 1, 2, 2});
  check_values(xg::interpolate(x, {.scale_factor = {2}}), {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  // 2 -> 3 with aligned corners: the middle sample is the average of the two.
  check_values(xg::interpolate(x, {.size = {3}, .mode = InterpolateMode::Bilinear, .align_corners = true}),
               {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4});
  // without: the one row samples at (0 + 0.5)·2 − 0.5 = 0.5 (the rows' mean [2, 3]); the columns at
  // (o + 0.5)·2/3 − 0.5 = −1/6 (clamped to 0), 0.5 and 7/6 (past the last pixel: the last pixel).
  check_values(xg::interpolate(x, {.size = {1, 3}, .mode = InterpolateMode::Bilinear}), {2, 2.5, 3}, 1e-12);
}

TEST_CASE("interpolate matches PyTorch: nearest and bilinear, by size and by scale_factor") {
  check_reference(resize({.size = {5, 7}}), {x_int()}, R::interp_nearest_size_y, {&R::interp_nearest_size_d0});
  check_reference(resize({.scale_factor = {2.0, 1.5}}), {x_int()}, R::interp_nearest_scale_y, {&R::interp_nearest_scale_d0});
  check_reference(resize({.size = {5, 7}, .mode = InterpolateMode::Bilinear}), {x_int()}, R::interp_bilinear_y, {&R::interp_bilinear_d0});
  check_reference(resize({.size = {5, 7}, .mode = InterpolateMode::Bilinear, .align_corners = true}), {x_int()},
                  R::interp_bilinear_ac_y, {&R::interp_bilinear_ac_d0});
  check_reference(resize({.scale_factor = {1.7}, .mode = InterpolateMode::Bilinear}), {x_int()}, R::interp_bilinear_scale_y,
                  {&R::interp_bilinear_scale_d0});
  check_reference(resize({.size = {2, 3}, .mode = InterpolateMode::Bilinear}), {x_int()}, R::interp_bilinear_down_y,
                  {&R::interp_bilinear_down_d0});
}

TEST_CASE("interpolate: gradcheck and gradgradcheck; the Upsample layer is interpolate") {
  for (const bool ac : {false, true})
    check_grads(resize({.size = {4, 6}, .mode = InterpolateMode::Bilinear, .align_corners = ac}), {x_int()});
  check_grads(resize({.scale_factor = {1.5, 2}}), {x_int()});
  const Tensor x = xg::randn({2, 3, 4, 5});
  xg::nn::Upsample up(xg::InterpolateOptions{.scale_factor = {2}, .mode = InterpolateMode::Bilinear});
  CHECK(xg::equal(up(x), xg::interpolate(x, {.scale_factor = {2}, .mode = InterpolateMode::Bilinear})));
  xgt::check_shape(up(x), {2, 3, 8, 10});
}

TEST_CASE("interpolate: bad input is a typed error naming the op and values") {
  const Tensor x = xg::randn({1, 2, 3, 4});
  XGT_CHECK_THROWS_MSG(xg::interpolate(x, {}), xg::ValueError, "interpolate", "exactly one of size and scale_factor");
  XGT_CHECK_THROWS_MSG(xg::interpolate(x, {.size = {2}, .scale_factor = {2}}), xg::ValueError, "interpolate", "exactly one");
  XGT_CHECK_THROWS_MSG(xg::interpolate(x, {.size = {0, 2}}), xg::ValueError, "interpolate", "size must be positive", "[0, 2]");
  XGT_CHECK_THROWS_MSG(xg::interpolate(x, {.size = {1, 2, 3}}), xg::ValueError, "interpolate", "[1, 2, 3]");
  XGT_CHECK_THROWS_MSG(xg::interpolate(x, {.scale_factor = {0.1}}), xg::ValueError, "interpolate", "0.1", "[1, 2, 3, 4]");
  XGT_CHECK_THROWS_MSG(xg::interpolate(x, {.scale_factor = {-2}}), xg::ValueError, "interpolate", "-2");
  XGT_CHECK_THROWS_MSG(xg::interpolate(x, {.scale_factor = {1e300}}), xg::ValueError, "interpolate");
  XGT_CHECK_THROWS_MSG(xg::interpolate(x, {.size = {2}, .align_corners = true}), xg::ValueError, "interpolate", "align_corners");
  XGT_CHECK_THROWS_MSG(xg::interpolate(xg::randn({2, 3, 4}), {.size = {2}}), xg::ShapeError, "interpolate", "4-D", "[2, 3, 4]");
  XGT_CHECK_THROWS_MSG(xg::interpolate(xg::zeros({1, 1, 2, 2}, xg::kInt64), {.size = {2}}), xg::DTypeError, "interpolate", "int64");
}
