// data::DistributedSampler (PyTorch's padding and drop_last rules; indices worked out by hand in
// the comments) and the DataLoader driven by a sampler.
#include "check.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "data/data.h"

namespace data = xg::data;
using V = std::vector<std::int64_t>;

TEST_CASE("DistributedSampler without shuffle: every num_replicas-th index, padded from the start") {
  // m = 10, 3 ranks: ceil(10/3) = 4 each, total 12; the order 0..9 is padded with 0, 1.
  CHECK(data::DistributedSampler(10, 3, 0, false).indices() == V{0, 3, 6, 9});
  CHECK(data::DistributedSampler(10, 3, 1, false).indices() == V{1, 4, 7, 0});
  CHECK(data::DistributedSampler(10, 3, 2, false).indices() == V{2, 5, 8, 1});
  CHECK(data::DistributedSampler(10, 3, 2, false).size() == 4);
  CHECK(data::DistributedSampler(10, 3, 2, false).total_size() == 12);
  // drop_last: floor(10/3) = 3 each, the tail index 9 is dropped.
  CHECK(data::DistributedSampler(10, 3, 0, false, 0, true).indices() == V{0, 3, 6});
  CHECK(data::DistributedSampler(10, 3, 2, false, 0, true).indices() == V{2, 5, 8});
  // More padding than data: m = 2 on 5 ranks pads 0 1 to 0 1 0 1 0.
  V all;
  for (int r = 0; r < 5; ++r) {
    const auto idx = data::DistributedSampler(2, 5, r, false).indices();
    REQUIRE(idx.size() == 1);
    all.push_back(idx[0]);
  }
  CHECK(all == V{0, 1, 0, 1, 0});
  CHECK(data::DistributedSampler(2, 5, 4, false, 0, true).size() == 0);
}

TEST_CASE("DistributedSampler with shuffle: one permutation per epoch, shared by the ranks") {
  // m = 12 on 3 ranks: together they visit every example exactly once.
  auto visit = [](std::uint64_t seed, std::int64_t epoch) {
    V all;
    for (int r = 0; r < 3; ++r) {
      data::DistributedSampler s(12, 3, r, true, seed);
      s.set_epoch(epoch);
      const auto idx = s.indices();
      all.insert(all.end(), idx.begin(), idx.end());
    }
    return all;
  };
  V sorted = visit(5, 0);
  std::sort(sorted.begin(), sorted.end());
  V want(12);
  std::iota(want.begin(), want.end(), 0);
  CHECK(sorted == want);
  CHECK(visit(5, 0) == visit(5, 0));
  CHECK(visit(5, 0) != visit(5, 1));
  CHECK(visit(5, 2) == visit(7, 0));  // epoch e draws from seed + e
  CHECK(visit(5, 0) != want);         // shuffled (1 chance in 12! of a false failure)
}

TEST_CASE("DataLoader with a sampler batches the sampler's indices") {
  std::vector<std::int64_t> ids(10);
  std::iota(ids.begin(), ids.end(), 0);
  data::TensorDataset ds(xg::from_vector(std::vector<float>(10, 1.0f), {10, 1}), xg::from_vector(ids, {10}));
  auto sampler = std::make_shared<data::DistributedSampler>(ds, 3, 1, false);  // 1 4 7 0
  data::DataLoader loader(ds, 3, sampler);
  CHECK(loader.num_batches() == 2);
  std::vector<V> batches;
  for (auto b : loader) batches.push_back(b.target.to_vector<std::int64_t>());
  CHECK(batches == std::vector<V>{{1, 4, 7}, {0}});
  data::DataLoader dropping(ds, 3, sampler, /*drop_last=*/true);
  CHECK(dropping.num_batches() == 1);
  // set_epoch changes the next epoch's order when shuffling.
  auto shuffled = std::make_shared<data::DistributedSampler>(ds, 2, 0, true, 3);
  data::DataLoader l2(ds, 5, shuffled);
  const V e0 = (*l2.begin()).target.to_vector<std::int64_t>();
  shuffled->set_epoch(1);
  const V e1 = (*l2.begin()).target.to_vector<std::int64_t>();
  CHECK(e0 == data::DistributedSampler(10, 2, 0, true, 3).indices());  // batch 5 = the whole epoch
  CHECK(e1 == shuffled->indices());
  CHECK(e0 != e1);
}

TEST_CASE("DistributedSampler and DataLoader bad input") {
  XGT_CHECK_THROWS_MSG(data::DistributedSampler(10, 3, 3), xg::ValueError, "DistributedSampler: rank 3 is not in [0, 2]");
  XGT_CHECK_THROWS_MSG(data::DistributedSampler(10, 3, -1), xg::ValueError, "rank -1");
  XGT_CHECK_THROWS_MSG(data::DistributedSampler(10, 0, 0), xg::ValueError, "num_replicas must be at least 1, got 0");
  XGT_CHECK_THROWS_MSG(data::DistributedSampler(-4, 2, 0), xg::ValueError, "dataset_size must be >= 0, got -4");
  data::TensorDataset ds(xg::zeros({4, 1}), xg::zeros({4}, xg::kInt64));
  XGT_CHECK_THROWS_MSG(data::DataLoader(ds, 2, data::SamplerPtr()), xg::ValueError, "sampler is null");
  XGT_CHECK_THROWS_MSG(data::DataLoader(ds, 2, std::make_shared<data::DistributedSampler>(2, 5, 4, false, 0, true)),
                       xg::ValueError, "sampler gives no indices");
  // A sampler built for a bigger dataset: IndexError when the epoch starts.
  data::DataLoader wrong(ds, 2, std::make_shared<data::DistributedSampler>(40, 2, 1, false));
  XGT_CHECK_THROWS_MSG(wrong.begin(), xg::IndexError, "the sampler gave index 5 for a dataset of 4 examples");
}
