#pragma once
// A sampler decides which examples an epoch visits and in what order; a DataLoader given one
// batches its indices instead of 0..m-1 (shuffled or not).
#include <cstdint>
#include <memory>
#include <vector>

namespace xg::data {

class Sampler {
 public:
  virtual ~Sampler() = default;
  // The indices of the current epoch, each in [0, dataset size).
  virtual std::vector<std::int64_t> indices() const = 0;
  virtual std::int64_t size() const = 0;  // indices().size()
};
using SamplerPtr = std::shared_ptr<const Sampler>;

}  // namespace xg::data
