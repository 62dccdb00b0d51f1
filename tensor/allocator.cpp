#include "tensor/allocator.h"

#include <array>
#include <bit>
#include <cstdlib>
#include <new>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define XGRAD_NO_BUFFER_CACHE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XGRAD_NO_BUFFER_CACHE 1
#endif
#endif

namespace xg {

namespace {

// Size classes: multiples of 64 bytes up to 1 KiB, then four per power of two: the sizes in
// (2^k, 2^(k+1)] round up to 2^k + j * 2^(k-2), j = 1..4 (at most 25% slack).
constexpr std::size_t kNumClasses = 16 + 4 * 16;  // up to kMaxCachedBlock = 2^26

std::size_t class_index(std::size_t bytes) {
  if (bytes <= 1024) return bytes == 0 ? 0 : (bytes - 1) / 64;
  const std::size_t k = static_cast<std::size_t>(std::bit_width(bytes - 1)) - 1;
  const std::size_t quarter = std::size_t{1} << (k - 2);
  const std::size_t j = (bytes - (std::size_t{1} << k) + quarter - 1) / quarter;
  return 16 + 4 * (k - 10) + (j - 1);
}

std::size_t class_size(std::size_t index) {
  if (index < 16) return (index + 1) * 64;
  const std::size_t k = (index - 16) / 4 + 10, j = (index - 16) % 4 + 1;
  return (std::size_t{1} << k) + j * (std::size_t{1} << (k - 2));
}

void* system_allocate(std::size_t bytes) {
  void* p = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (!p) throw std::bad_alloc();
  return p;
}

struct ThreadCache {
  std::array<std::vector<void*>, kNumClasses> free;
  BufferCacheStats stats;
  ~ThreadCache();
  void release_all() {
    for (auto& list : free) {
      for (void* p : list) std::free(p);
      list.clear();
    }
    stats.cached_bytes = 0;
  }
};

thread_local bool cache_gone = false;  // trivially destructible: readable during thread exit
thread_local ThreadCache cache;
ThreadCache::~ThreadCache() {
  release_all();
  cache_gone = true;
}

}  // namespace

namespace detail {

#ifdef XGRAD_NO_BUFFER_CACHE
void* allocate_buffer(std::size_t bytes) { return system_allocate(bytes); }
void free_buffer(void* p, std::size_t) noexcept { std::free(p); }
#else
void* allocate_buffer(std::size_t bytes) {
  if (bytes > kMaxCachedBlock || cache_gone) return system_allocate(bytes);
  const std::size_t c = class_index(bytes);
  auto& list = cache.free[c];
  if (!list.empty()) {
    void* p = list.back();
    list.pop_back();
    cache.stats.cached_bytes -= class_size(c);
    ++cache.stats.hits;
    return p;
  }
  ++cache.stats.misses;
  return system_allocate(class_size(c));
}

void free_buffer(void* p, std::size_t bytes) noexcept {
  if (bytes > kMaxCachedBlock || cache_gone) return std::free(p);
  const std::size_t c = class_index(bytes), size = class_size(c);
  if (cache.stats.cached_bytes + size > kMaxCachedBytes) return std::free(p);
  try {
    cache.free[c].push_back(p);
  } catch (...) {  // no memory to remember the block: give it back instead
    return std::free(p);
  }
  cache.stats.cached_bytes += size;
}
#endif

}  // namespace detail

bool buffer_cache_enabled() {
#ifdef XGRAD_NO_BUFFER_CACHE
  return false;
#else
  return true;
#endif
}

BufferCacheStats buffer_cache_stats() { return cache_gone ? BufferCacheStats{} : cache.stats; }

void empty_buffer_cache() {
  if (!cache_gone) cache.release_all();
}

}  // namespace xg
