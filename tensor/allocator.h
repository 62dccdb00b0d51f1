#pragma once
// Where tensor data lives. Blocks a thread frees are kept in that thread's cache, by size class,
// and handed to the next tensor of the same class: training steps and long graphs allocate the
// same sizes over and over, and reusing blocks avoids page faults for big buffers and the heap
// fragmentation that interleaving tensor data with small graph-node allocations causes in malloc
// (a chain of 64x64 ops held 11x its live graph in RSS before; see bench/ chain_long).
//
// The cache holds at most kMaxCachedBytes per thread; blocks above kMaxCachedBlock bytes are never
// cached. Builds with AddressSanitizer bypass the cache so use-after-free stays visible.
#include <cstddef>
#include <cstdint>

namespace xg {

inline constexpr std::size_t kMaxCachedBlock = std::size_t{64} << 20;
inline constexpr std::size_t kMaxCachedBytes = std::size_t{256} << 20;

namespace detail {
// 64-byte aligned, at least `bytes`; std::bad_alloc when the system has no memory.
void* allocate_buffer(std::size_t bytes);
// `bytes` as passed to allocate_buffer.
void free_buffer(void* p, std::size_t bytes) noexcept;
}  // namespace detail

struct BufferCacheStats {
  std::size_t cached_bytes = 0;  // held by this thread's cache, ready for reuse
  std::uint64_t hits = 0, misses = 0;
};
BufferCacheStats buffer_cache_stats();
// False in AddressSanitizer builds, where every block goes straight back to the system.
bool buffer_cache_enabled();
// Returns every block cached by the calling thread to the system (like torch.cuda.empty_cache).
void empty_buffer_cache();

}  // namespace xg
