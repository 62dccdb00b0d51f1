// unfold / fold (each other's adjoints) and pad in its four modes: values by hand and from
// PyTorch (tests/reference/conv_reference.py), float64 gradcheck and gradgradcheck.
#include "conv_check.h"

using xg::Tensor;
using xgt::check_grads;
using xgt::check_reference;
using xgt::check_shape;
using xgt::check_values;
using xgt::f64;
using xgt::seq;
namespace R = convref;

TEST_CASE("unfold and fold by hand on a 3x3 image") {
  const Tensor x = f64({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  const Tensor cols = xg::unfold(x, 2);  // rows: the 4 taps; columns: the 4 positions
  check_shape(cols, {1, 4, 4});
  check_values(cols, {1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9});
  // fold sums each pixel over the windows holding it: the centre is in all 4.
  check_values(xg::fold(cols, 3, 2), {1, 4, 3, 8, 20, 12, 7, 16, 9});
}

TEST_CASE("unfold and fold match PyTorch and are each other's adjoints") {
  const auto unfold = [](const std::vector<Tensor>& in) { return xg::unfold(in[0], {2, 3}, {2, 1}, 1, {1, 2}); };
  const auto fold = [](const std::vector<Tensor>& in) { return xg::fold(in[0], {4, 5}, {2, 3}, {2, 1}, 1, {1, 2}); };
  check_reference(unfold, {seq({2, 2, 4, 5}, 0.1, 0.1, -0.002)}, R::unfold_y, {&R::unfold_d0});
  check_reference(fold, {seq({2, 12, 12}, -0.3, 0.01, 0.0001)}, R::fold_y, {&R::fold_d0});
  const Tensor x = seq({2, 2, 4, 5}, 0.1, 0.1, -0.002, false), c = seq({2, 12, 12}, -0.3, 0.01, 0.0001, false);
  CHECK(std::abs((unfold({x}) * c).sum().item<double>() - (x * fold({c})).sum().item<double>()) < 1e-12);
  check_grads(unfold, {seq({1, 2, 4, 5}, 0.1, 0.1, -0.002)});
  check_grads(fold, {seq({1, 12, 12}, -0.3, 0.01, 0.0001)});
  // float32 agrees, and a batch large enough to split over the threads
  const Tensor big = xg::sin(seq({16, 8, 12, 12}, 0.0, 0.3, 0.0, false));
  const Tensor u64 = xg::unfold(big, 3, 1, 1), u32 = xg::unfold(big.to(xg::kFloat32), 3, 1, 1);
  CHECK(xg::allclose(u32.to(xg::kFloat64), u64, 1e-6, 1e-7));
  CHECK(xg::allclose(xg::fold(u32, 12, 3, 1, 1).to(xg::kFloat64), xg::fold(u64, 12, 3, 1, 1), 1e-5, 1e-6));
}

TEST_CASE("pad matches PyTorch in reflect, replicate, circular and constant (with cropping) modes") {
  const Tensor x = seq({1, 2, 3, 4}, 0.1, 0.3, -0.01);
  check_reference([](const std::vector<Tensor>& in) { return xg::pad(in[0], {2, 3, 1, 2}, xg::PadMode::Reflect); }, {x},
                  R::pad_reflect_y, {&R::pad_reflect_d0});
  check_reference([](const std::vector<Tensor>& in) { return xg::pad(in[0], {2, 1, 0, 3}, xg::PadMode::Replicate); }, {x},
                  R::pad_replicate_y, {&R::pad_replicate_d0});
  check_reference([](const std::vector<Tensor>& in) { return xg::pad(in[0], {3, 1, 2, 0}, xg::PadMode::Circular); }, {x},
                  R::pad_circular_y, {&R::pad_circular_d0});
  check_reference([](const std::vector<Tensor>& in) { return xg::pad(in[0], {1, -2, 2, 1}, xg::PadMode::Constant, 0.5); },
                  {seq({2, 3, 4}, 0.1, 0.3, -0.01)}, R::pad_constant_y, {&R::pad_constant_d0});
}

TEST_CASE("pad by hand, and gradcheck / gradgradcheck in every mode") {
  const Tensor x = f64({1, 2, 3}, {1, 3});
  check_values(xg::pad(x, {2, 1}, xg::PadMode::Reflect), {3, 2, 1, 2, 3, 2});
  check_values(xg::pad(x, {2, 1}, xg::PadMode::Replicate), {1, 1, 1, 2, 3, 3});
  check_values(xg::pad(x, {2, 1}, xg::PadMode::Circular), {2, 3, 1, 2, 3, 1});
  check_values(xg::pad(x, {1, 1}, xg::PadMode::Constant, -1), {-1, 1, 2, 3, -1});
  check_values(xg::pad(x, {-1, 0}), {2, 3});
  for (const auto mode : {xg::PadMode::Constant, xg::PadMode::Reflect, xg::PadMode::Replicate, xg::PadMode::Circular}) {
    CAPTURE(static_cast<int>(mode));
    check_grads([mode](const std::vector<Tensor>& in) { return xg::pad(in[0], {2, 1, 1, 2}, mode, 0.25); },
                {seq({2, 3, 4}, 0.1, 0.3, -0.01)});
  }
}
