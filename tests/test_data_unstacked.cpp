// make_data_loader over a dataset without .map(Stack<>()): batches are std::vector<Example<>>, as
// LibTorch's, in the sampler's order (the same order the stacked loader gives for the same seed).
#include <algorithm>
#include <optional>
#include <type_traits>

#include "check.h"

namespace data = xg::data;

namespace {
// Example i: data [i, 10 i], target i.
struct Numbers : data::datasets::Dataset<Numbers> {
  explicit Numbers(std::size_t n) : n(n) {}
  data::Example<> get(std::size_t i) override {
    const double v = static_cast<double>(i);
    return {xg::tensor({v, 10 * v}), xg::full({}, v, xg::kInt64)};
  }
  std::optional<std::size_t> size() const override { return n; }
  std::size_t n;
};

std::vector<std::int64_t> targets_of(const std::vector<data::Example<>>& batch) {
  std::vector<std::int64_t> out;
  for (const auto& e : batch) out.push_back(e.target.item<std::int64_t>());
  return out;
}
}  // namespace

TEST_CASE("unstacked loader: sequential batches of examples, the last one smaller or dropped") {
  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(Numbers(7), data::DataLoaderOptions(3));
  std::vector<std::vector<std::int64_t>> seen;
  for (auto& batch : *loader) {
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(batch)>, std::vector<data::Example<>>>);
    seen.push_back(targets_of(batch));
    for (const auto& e : batch) xgt::check_values(e.data, {e.target.item<double>(), 10 * e.target.item<double>()});
  }
  CHECK(seen == std::vector<std::vector<std::int64_t>>{{0, 1, 2}, {3, 4, 5}, {6}});
  auto dropped = data::make_data_loader<data::samplers::SequentialSampler>(Numbers(7), data::DataLoaderOptions(3).drop_last(true));
  std::size_t batches = 0;
  for (auto& batch : *dropped) batches += batch.size() == 3;
  CHECK(batches == 2);
}

TEST_CASE("unstacked loader: the random order is the stacked loader's for the same seed, new each epoch") {
  xg::manual_seed(5);
  auto stacked = data::make_data_loader(Numbers(9).map(data::transforms::Stack<>()), data::DataLoaderOptions(4));
  std::vector<std::int64_t> want;
  for (auto& batch : *stacked)
    for (auto t : batch.target.to_vector<std::int64_t>()) want.push_back(t);
  xg::manual_seed(5);
  auto loader = data::make_data_loader(Numbers(9), data::DataLoaderOptions(4).workers(2));
  std::vector<std::int64_t> got, second;
  for (auto& batch : *loader)
    for (auto t : targets_of(batch)) got.push_back(t);
  for (auto& batch : *loader)
    for (auto t : targets_of(batch)) second.push_back(t);
  CHECK(got == want);
  auto sorted = got;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(second != got);  // a new permutation (9! orders: equal by chance with probability 1/362880)
}

TEST_CASE("unstacked loader: per-example transforms apply, bad sizes are ValueErrors") {
  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(
      Numbers(2).map(data::transforms::Normalize<>(1.0, 2.0)), data::DataLoaderOptions(2));
  for (auto& batch : *loader) {
    REQUIRE(batch.size() == 2);
    xgt::check_values(batch[1].data, {0.0, 4.5}, 1e-6);  // ([1, 10] - 1) / 2
  }
  struct Unknown : data::datasets::Dataset<Unknown> {
    data::Example<> get(std::size_t) override { return {}; }
    std::optional<std::size_t> size() const override { return std::nullopt; }
  };
  XGT_CHECK_THROWS_MSG(data::make_data_loader(Unknown(), 2), xg::ValueError, "make_data_loader", "nullopt");
  XGT_CHECK_THROWS_MSG(data::make_data_loader(Numbers(3), 0), xg::ValueError, "make_data_loader", "batch_size", "0");
}
