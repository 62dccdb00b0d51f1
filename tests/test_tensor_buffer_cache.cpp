// The buffer cache behind tensor storage: a freed block is reused for the next tensor of its
// size class, and the cache stays within its bounds.
#include "check.h"

#include <cstdint>
#include <vector>

TEST_CASE("buffer cache: a freed block is reused for the next tensor of its size class, within bounds") {
  xg::empty_buffer_cache();
  CHECK(xg::buffer_cache_stats().cached_bytes == 0);
  const auto before = xg::buffer_cache_stats();
  const void* first = nullptr;
  {
    const xg::Tensor a = xg::ones({64, 64});  // 16 KiB
    first = a.raw_data();
  }
  if (!xg::buffer_cache_enabled()) {
    CHECK(xg::buffer_cache_stats().cached_bytes == 0);  // sanitizer builds: straight back to malloc
    return;
  }
  CHECK(xg::buffer_cache_stats().cached_bytes == 16384);
  const xg::Tensor b = xg::zeros({4000}, xg::kFloat32);  // 16000 bytes: the same class
  CHECK(b.raw_data() == first);
  CHECK(xg::buffer_cache_stats().hits == before.hits + 1);
  CHECK(xg::buffer_cache_stats().cached_bytes == 0);
  for (float v : b.to_vector<float>()) REQUIRE(v == 0.0f);  // the old values do not show through
  CHECK(reinterpret_cast<std::uintptr_t>(b.raw_data()) % 64 == 0);

  // Blocks above kMaxCachedBlock are never kept; the cache never holds more than kMaxCachedBytes.
  { const xg::Tensor huge = xg::empty({static_cast<std::int64_t>(xg::kMaxCachedBlock / 4 + 1)}); }
  CHECK(xg::buffer_cache_stats().cached_bytes == 0);
  {
    std::vector<xg::Tensor> many;
    for (int i = 0; i < 20; ++i) many.push_back(xg::empty({std::int64_t{4} << 20}));  // 16 MiB each, 320 MiB in all
  }
  CHECK(xg::buffer_cache_stats().cached_bytes <= xg::kMaxCachedBytes);
  CHECK(xg::buffer_cache_stats().cached_bytes >= xg::kMaxCachedBytes - (std::size_t{20} << 20));
  xg::empty_buffer_cache();
  CHECK(xg::buffer_cache_stats().cached_bytes == 0);
}
