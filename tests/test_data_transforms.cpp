// Image augmentation: random_crop (with padding), random_horizontal_flip and normalize, by hand
// and against the draws of a copy of the generator; a DataLoader run resumed from the
// generator's state repeats its augmented batches bit for bit.
#include "check.h"

namespace T = xg::data::transforms;
using xg::Tensor;
using xgt::check_values;

TEST_CASE("random_crop: each image is the window at the offsets drawn from the generator, padded with fill") {
  const Tensor img = xg::tensor({1, 2, 3, 4}, xg::kFloat64).reshape({1, 1, 2, 2});
  // Padding 1 and size 2: 3 × 3 possible windows of the 4 × 4 padded image.
  std::vector<std::vector<double>> seen;
  xg::Generator gen(5), copy(5);
  for (int trial = 0; trial < 40; ++trial) {
    const Tensor out = T::random_crop(img, 2, 1, gen, -1);
    const auto top = static_cast<std::int64_t>(copy.below(3)) - 1, left = static_cast<std::int64_t>(copy.below(3)) - 1;
    std::vector<double> want;
    for (std::int64_t r = 0; r < 2; ++r)
      for (std::int64_t c = 0; c < 2; ++c) {
        const std::int64_t sr = top + r, sc = left + c;
        want.push_back(sr >= 0 && sr < 2 && sc >= 0 && sc < 2 ? static_cast<double>(1 + sr * 2 + sc) : -1.0);
      }
    check_values(out, want);
    seen.push_back(want);
  }
  // offset (0, 0) is the image itself and (−1, −1) the top-left corner of the padding
  CHECK(std::find(seen.begin(), seen.end(), std::vector<double>{1, 2, 3, 4}) != seen.end());
  CHECK(std::find(seen.begin(), seen.end(), std::vector<double>{-1, -1, -1, 1}) != seen.end());
  CHECK(gen.get_state() == copy.get_state());
  // one image [C, H, W] keeps its rank; all channels share the offsets
  const Tensor three = xg::arange(0, 18, 1, xg::kFloat64).reshape({2, 3, 3});
  xg::Generator g1(9), g2(9);
  const Tensor c = T::random_crop(three, {2, 3}, 0, g1);
  xgt::check_shape(c, {2, 2, 3});
  const auto top = static_cast<double>(g2.below(2));
  check_values(c, {3 * top, 3 * top + 1, 3 * top + 2, 3 * top + 3, 3 * top + 4, 3 * top + 5, 9 + 3 * top, 10 + 3 * top,
                   11 + 3 * top, 12 + 3 * top, 13 + 3 * top, 14 + 3 * top});
}

TEST_CASE("random_horizontal_flip mirrors the images whose draw is below p; normalize per channel") {
  const Tensor x = xg::arange(0, 12, 1, xg::kFloat64).reshape({2, 1, 2, 3});
  xg::Generator gen(1);
  check_values(T::random_horizontal_flip(x, 1.0, gen), {2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9});
  CHECK(xg::equal(T::random_horizontal_flip(x, 0.0, gen), x));
  const Tensor many = xg::randn({64, 2, 3, 5}, xg::kFloat64);
  xg::Generator g(3), copy(3);
  const Tensor f = T::random_horizontal_flip(many, 0.5, g);
  int flipped = 0;
  for (std::int64_t n = 0; n < 64; ++n) {
    const Tensor in = xg::narrow(many, 0, n, 1), out = xg::narrow(f, 0, n, 1);
    const bool flip = copy.uniform() < 0.5;
    flipped += flip;
    const Tensor want = flip ? xg::index_select(in, 3, xg::tensor({4, 3, 2, 1, 0}, xg::kInt64)) : in;
    CHECK(xg::equal(out, want));
  }
  CHECK(flipped > 16);
  CHECK(flipped < 48);
  const Tensor img = xg::tensor({1, 2, 3, 4}, xg::kFloat64).reshape({1, 2, 1, 2});
  check_values(T::normalize(img, {1, 2}, {2, 0.5}), {0, 0.5, 2, 4});
  check_values(T::normalize(img, {1}, {2}), {0, 0.5, 1, 1.5});
}

TEST_CASE("augmented batches from a DataLoader repeat bit for bit when the run resumes from the generator state") {
  const Tensor feats = xg::randn({10, 1, 6, 6});
  const Tensor labels = xg::arange(0, 10, 1, xg::kInt64);
  xg::data::TensorDataset ds(feats, labels);
  const auto epoch = [](xg::data::DataLoader& loader) {
    std::vector<Tensor> out;
    for (auto [x, y] : loader) {
      x = T::random_crop(x, 6, 2, loader.generator());
      out.push_back(T::random_horizontal_flip(x, 0.5, loader.generator()));
    }
    return out;
  };
  xg::data::DataLoader a(ds, 4, true, false, xg::Generator(11));
  epoch(a);
  const auto state = a.generator().get_state();
  const auto second = epoch(a);
  xg::data::DataLoader b(ds, 4, true, false, xg::Generator(999));
  b.generator().set_state(state);
  const auto resumed = epoch(b);
  REQUIRE(resumed.size() == second.size());
  for (std::size_t i = 0; i < second.size(); ++i) CHECK(xgt::bitwise_equal(resumed[i], second[i]));
}

TEST_CASE("transforms: bad input is a typed error naming the transform and values") {
  xg::Generator gen(1);
  const Tensor x = xg::randn({2, 1, 4, 4});
  XGT_CHECK_THROWS_MSG(T::random_crop(x, 7, 1, gen), xg::ValueError, "random_crop", "7 × 7", "[2, 1, 4, 4]", "padded by 1");
  XGT_CHECK_THROWS_MSG(T::random_crop(x, 2, -1, gen), xg::ValueError, "random_crop", "padded by -1");
  XGT_CHECK_THROWS_MSG(T::random_crop(x, {0, 2}, 0, gen), xg::ValueError, "random_crop", "size", "[0, 2]");
  XGT_CHECK_THROWS_MSG(T::random_crop(xg::randn({4, 4}), 2, 0, gen), xg::ShapeError, "random_crop", "[4, 4]");
  XGT_CHECK_THROWS_MSG(T::random_horizontal_flip(x, 1.5, gen), xg::ValueError, "random_horizontal_flip", "1.5");
  XGT_CHECK_THROWS_MSG(T::random_horizontal_flip(xg::zeros({1, 1, 2, 2}, xg::kInt64), 0.5, gen), xg::DTypeError,
                       "random_horizontal_flip", "int64");
  XGT_CHECK_THROWS_MSG(T::normalize(x, {0.1, 0.2}, {1}), xg::ShapeError, "normalize", "mean has 2 values", "1 channels");
  XGT_CHECK_THROWS_MSG(T::normalize(x, {0.1}, {0}), xg::ValueError, "normalize", "non-zero");
  const auto before = gen.get_state();
  XGT_CHECK_THROWS_MSG(T::random_crop(x, 9, 0, gen), xg::ValueError, "random_crop");
  CHECK(gen.get_state() == before);
}
