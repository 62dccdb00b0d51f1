// data/: TensorDataset and Subset, random_split (sizes, disjointness, reproducibility), the
// DataLoader (batch counts for m not divisible by B, drop_last, per-epoch shuffles from the seed),
// k_fold, and the Standardizer fitted on the training split only.
// Expected values are worked out by hand in the comments (sizes follow torch.utils.data's
// random_split rule: floor(f·m), the remainder handed out from the first split on).
#include "check.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "data/data.h"

using xg::Tensor;
namespace data = xg::data;

namespace {
// m examples: features [m, 2] = (i, -i) float32, targets [m] = i int64, so a target names its row.
data::TensorDataset numbered(std::int64_t m) {
  std::vector<float> x;
  std::vector<std::int64_t> y;
  for (std::int64_t i = 0; i < m; ++i) {
    x.push_back(static_cast<float>(i));
    x.push_back(static_cast<float>(-i));
    y.push_back(i);
  }
  return data::TensorDataset(xg::from_vector(x, {m, 2}), xg::from_vector(y, {m}));
}

std::vector<std::int64_t> targets_of(const data::Dataset& ds) {
  std::vector<std::int64_t> out;
  for (std::int64_t i = 0; i < ds.size(); ++i) out.push_back(ds.get(i).target.item<std::int64_t>());
  return out;
}

std::vector<std::int64_t> sorted(std::vector<std::int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<std::int64_t> iota(std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}
}  // namespace

TEST_CASE("data: TensorDataset and Subset give examples and stacked batches") {
  const auto ds = numbered(5);
  CHECK(ds.size() == 5);
  const auto e = ds.get(3);
  xgt::check_shape(e.data, {2});
  xgt::check_values(e.data, {3, -3});
  CHECK(e.target.dim() == 0);
  CHECK(e.target.item<std::int64_t>() == 3);
  CHECK(ds.get(-1).target.item<std::int64_t>() == 4);
  XGT_CHECK_THROWS_MSG(ds.get(5), xg::IndexError, "index 5 is out of range for a dataset of 5");

  const auto b = ds.get_batch({4, 0, 2});
  xgt::check_shape(b.data, {3, 2});
  CHECK(b.data.dtype() == xg::kFloat32);
  CHECK(b.target.dtype() == xg::kInt64);
  xgt::check_values(b.data, {4, -4, 0, 0, 2, -2});
  CHECK(b.target.to_vector<std::int64_t>() == std::vector<std::int64_t>{4, 0, 2});

  data::Subset sub(ds, {4, 1, 3});
  data::Subset subsub(sub, {2, 0});  // rows 3 and 4 of ds
  CHECK(targets_of(subsub) == std::vector<std::int64_t>{3, 4});
  CHECK(subsub.get_batch({1, 0}).target.to_vector<std::int64_t>() == std::vector<std::int64_t>{4, 3});
  // The generic path (Dataset::get_batch stacking get(i)) agrees with TensorDataset's gather.
  struct Plain : data::Dataset {
    data::TensorDataset inner = numbered(5);
    std::int64_t size() const override { return inner.size(); }
    data::Example<> get(std::int64_t i) const override { return inner.get(i); }
  } plain;
  CHECK(xg::equal(plain.get_batch({4, 0, 2}).data, b.data));
  CHECK(xg::equal(data::materialize(sub).features(), xg::tensor({{4, -4}, {1, -1}, {3, -3}})));

  XGT_CHECK_THROWS_MSG(data::TensorDataset(xg::zeros({3, 2}), xg::zeros({4})), xg::ShapeError, "(3 vs 4)");
  CHECK_THROWS_AS(data::Subset(ds, {7}), xg::IndexError);
}

TEST_CASE("data: random_split sizes, disjointness, coverage and reproducibility") {
  // floor(f·m) for each split, then the remainder one by one from the first split.
  CHECK(data::split_sizes(1000, {0.8, 0.1, 0.1}) == std::vector<std::int64_t>{800, 100, 100});
  CHECK(data::split_sizes(11, {0.5, 0.5}) == std::vector<std::int64_t>{6, 5});
  CHECK(data::split_sizes(10, {0.7, 0.2, 0.1}) == std::vector<std::int64_t>{7, 2, 1});
  CHECK(data::split_sizes(7, {0.6, 0.2, 0.2}) == std::vector<std::int64_t>{5, 1, 1});  // 4,1,1 + 1 to the first
  CHECK(data::split_sizes(10, {3, 3, 4}) == std::vector<std::int64_t>{3, 3, 4});      // counts

  const auto ds = numbered(103);
  xg::Generator g1(42), g2(42), g3(43);
  const auto a = data::random_split(ds, {0.8, 0.1, 0.1}, g1);
  const auto b = data::random_split(ds, {0.8, 0.1, 0.1}, g2);
  const auto c = data::random_split(ds, {0.8, 0.1, 0.1}, g3);
  REQUIRE(a.size() == 3);
  CHECK(a[0].size() == 83);  // 82 + 1
  CHECK(a[1].size() == 10);
  CHECK(a[2].size() == 10);
  // Disjoint and covering: the union of the three index sets is exactly 0..102, with no repeats.
  std::vector<std::int64_t> all;
  for (const auto& s : a) all.insert(all.end(), s.indices().begin(), s.indices().end());
  CHECK(sorted(all) == iota(103));
  std::set<std::int64_t> train(a[0].indices().begin(), a[0].indices().end());
  for (std::int64_t i : a[1].indices()) CHECK(train.count(i) == 0);
  for (std::int64_t i : a[2].indices()) CHECK(train.count(i) == 0);
  // The examples really are the base's rows.
  CHECK(targets_of(a[1]) == a[1].indices());
  // Same seed, same split; another seed, another split.
  for (std::size_t k = 0; k < 3; ++k) CHECK(a[k].indices() == b[k].indices());
  CHECK(a[0].indices() != c[0].indices());
  // The split is the seed's permutation cut in order (the same draws as xg::randperm).
  xg::Generator g4(42);
  const auto perm = xg::randperm(103, &g4).to_vector<std::int64_t>();
  CHECK(a[0].indices() == std::vector<std::int64_t>(perm.begin(), perm.begin() + 83));

  XGT_CHECK_THROWS_MSG(data::random_split(ds, {0.5, 0.4}, g1), xg::ValueError, "sum to 0.9, not 1");
  XGT_CHECK_THROWS_MSG(data::random_split(ds, {50, 50}, g1), xg::ValueError, "the dataset has 103 examples");
  XGT_CHECK_THROWS_MSG(data::random_split(ds, {-0.5, 1.5}, g1), xg::ValueError, "non-negative");
  XGT_CHECK_THROWS_MSG(data::random_split(ds, {2.5, 100.5}, g1), xg::ValueError, "whole counts");
}

TEST_CASE("data: DataLoader batch counts, last partial batch and drop_last") {
  const auto ds = numbered(10);
  struct Case {
    std::int64_t batch;
    bool drop_last;
    std::vector<std::int64_t> sizes;
  };
  // m = 10: ⌊10/3⌋ + 1 = 4 batches (3, 3, 3, 1); drop_last keeps 3; full batch; stochastic.
  const std::vector<Case> cases = {{3, false, {3, 3, 3, 1}}, {3, true, {3, 3, 3}}, {4, false, {4, 4, 2}},
                                   {5, false, {5, 5}},       {10, false, {10}},     {1, false, std::vector<std::int64_t>(10, 1)},
                                   {7, true, {7}},           {64, false, {10}}};
  for (const auto& c : cases) {
    CAPTURE(c.batch);
    CAPTURE(c.drop_last);
    data::DataLoader loader(ds, c.batch, /*shuffle=*/true, c.drop_last, xg::Generator(1));
    CHECK(loader.num_batches() == static_cast<std::int64_t>(c.sizes.size()));
    std::vector<std::int64_t> sizes, seen;
    for (auto [x, y] : loader) {
      CHECK(x.dtype() == xg::kFloat32);
      CHECK(y.dtype() == xg::kInt64);
      CHECK(x.size(1) == 2);
      sizes.push_back(x.size(0));
      for (auto v : y.to_vector<std::int64_t>()) seen.push_back(v);
      // Features and targets stay paired through the shuffle.
      for (std::int64_t r = 0; r < x.size(0); ++r) CHECK(x.at<double>({r, 0}) == static_cast<double>(y.at<std::int64_t>({r})));
    }
    CHECK(sizes == c.sizes);
    const auto uniq = sorted(seen);
    CHECK(std::adjacent_find(uniq.begin(), uniq.end()) == uniq.end());  // each example at most once
    if (!c.drop_last) CHECK(uniq == iota(10));
  }
  XGT_CHECK_THROWS_MSG(data::DataLoader(ds, 0), xg::ValueError, "batch_size must be at least 1, got 0");
  XGT_CHECK_THROWS_MSG(data::DataLoader(ds, 11, false, true), xg::ValueError, "no batch at all");
}

TEST_CASE("data: DataLoader shuffles afresh each epoch, reproducibly from the seed") {
  const auto ds = numbered(20);
  auto epoch_order = [](data::DataLoader& loader) {
    std::vector<std::int64_t> order;
    for (auto [x, y] : loader)
      for (auto v : y.to_vector<std::int64_t>()) order.push_back(v);
    return order;
  };
  data::DataLoader a(ds, 6, true, false, xg::Generator(7)), b(ds, 6, true, false, xg::Generator(7));
  data::DataLoader c(ds, 6, true, false, xg::Generator(8));
  const auto a1 = epoch_order(a), a2 = epoch_order(a);
  CHECK(a1 != a2);  // a fresh shuffle each epoch
  CHECK(epoch_order(b) == a1);
  CHECK(epoch_order(b) == a2);  // same seed, same sequence of epochs
  CHECK(epoch_order(c) != a1);
  CHECK(a.epochs_started() == 2);
  // Epoch 1's order is the seed's first permutation (the same draws as xg::randperm).
  xg::Generator g(7);
  CHECK(a1 == xg::randperm(20, &g).to_vector<std::int64_t>());
  // Restoring the generator's state replays the next epoch.
  data::DataLoader d(ds, 6, true, false, xg::Generator(99));
  d.generator().set_state(data::DataLoader(ds, 6, true, false, xg::Generator(7)).generator().get_state());
  CHECK(epoch_order(d) == a1);
  // Without shuffle every epoch is in order.
  data::DataLoader in_order(ds, 6);
  CHECK(epoch_order(in_order) == iota(20));
  CHECK(epoch_order(in_order) == iota(20));
  // Without a generator the loader's seed comes from xg::manual_seed.
  xg::manual_seed(5);
  data::DataLoader e(ds, 6, true);
  xg::manual_seed(5);
  data::DataLoader f(ds, 6, true);
  CHECK(epoch_order(e) == epoch_order(f));
}

TEST_CASE("data: k_fold gives k disjoint validation folds covering the data") {
  const auto ds = numbered(10);
  xg::Generator g(3);
  const auto folds = data::k_fold(ds, 3, g);
  REQUIRE(folds.size() == 3);
  std::vector<std::int64_t> all_val;
  const std::vector<std::int64_t> want_sizes = {4, 3, 3};  // 10 = 3·3 + 1: the first fold gets the extra one
  for (std::size_t f = 0; f < folds.size(); ++f) {
    const auto& [train, val] = folds[f];
    CHECK(val.size() == want_sizes[f]);
    CHECK(train.size() == 10 - want_sizes[f]);
    std::vector<std::int64_t> both = train.indices();
    both.insert(both.end(), val.indices().begin(), val.indices().end());
    CHECK(sorted(both) == iota(10));  // train and validation partition the data
    all_val.insert(all_val.end(), val.indices().begin(), val.indices().end());
  }
  CHECK(sorted(all_val) == iota(10));  // validation folds are disjoint and cover everything
  xg::Generator g2(3);
  CHECK(data::k_fold(ds, 3, g2)[1].validation.indices() == folds[1].validation.indices());
  // On a split's dev side.
  xg::Generator g3(0);
  const auto parts = data::random_split(ds, {0.6, 0.4}, g3);
  const auto dev_folds = data::k_fold(parts[1], 2, g3);
  CHECK(dev_folds[0].validation.size() == 2);
  XGT_CHECK_THROWS_MSG(data::k_fold(ds, 1, g), xg::ValueError, "got 1");
  XGT_CHECK_THROWS_MSG(data::k_fold(ds, 11, g), xg::ValueError, "got 11");
}

TEST_CASE("data: Standardizer uses the training split's statistics for dev and test") {
  // Train features (rows): (1, 10), (3, 10), (5, 10). Per feature: μ = (3, 10),
  // σ = (sqrt(((1-3)² + 0 + (5-3)²)/3), 0) = (sqrt(8/3), 0); the constant feature keeps σ = 1.
  const data::TensorDataset train(xg::tensor({{1, 10}, {3, 10}, {5, 10}}), xg::tensor({0, 1, 0}, xg::kInt64));
  const data::TensorDataset test(xg::tensor({{7, 12}}), xg::tensor({1}, xg::kInt64));
  const auto norm = data::Standardizer::fit(train);
  xgt::check_values(norm.mean(), {3, 10});
  xgt::check_values(norm.std(), {std::sqrt(8.0 / 3), 1});
  const auto test_n = norm.apply(test);
  CHECK(test_n.features().dtype() == xg::kFloat32);
  xgt::check_values(test_n.features(), {4 / std::sqrt(8.0 / 3), 2}, 1e-6);
  CHECK(xg::equal(test_n.targets(), test.targets()));
  // The training split itself comes out with mean 0.
  xgt::check_values(xg::mean(norm.apply(train.features()), {0}).to(xg::kFloat64), {0, 0}, 1e-7);
  // One scalar over all features: μ = 39/6 = 6.5, σ² = Σ(x − 6.5)²/6 = (30.25+12.25+2.25+3·12.25)/6 = 81.5/6.
  const auto scalar = data::Standardizer::fit(train, /*per_feature=*/false);
  xgt::check_values(scalar.mean(), {6.5});
  xgt::check_values(scalar.std(), {std::sqrt(81.5 / 6)});
  // The statistics travel through a state_dict.
  data::Standardizer restored;
  XGT_CHECK_THROWS_MSG(restored.apply(train.features()), xg::ValueError, "not fitted");
  restored.load_state_dict(norm.state_dict());
  CHECK(xg::equal(restored.apply(test.features()), norm.apply(test.features())));
  XGT_CHECK_THROWS_MSG(data::Standardizer(xg::tensor({0.0}), xg::tensor({0.0})), xg::ValueError, "positive");
}
