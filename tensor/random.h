#pragma once
#include <array>
#include <cstdint>

namespace xg {

// A random stream that is identical on every machine and compiler: xoshiro256** seeded through
// splitmix64, with our own uniform, normal (Box-Muller) and integer transforms (the standard
// library's distributions differ between implementations).
class Generator {
 public:
  explicit Generator(std::uint64_t seed = 0x5eed) { manual_seed(seed); }
  void manual_seed(std::uint64_t seed);
  std::uint64_t initial_seed() const { return seed_; }

  std::uint64_t next_u64();
  double uniform();                  // [0, 1) with 53 random bits
  double normal();                   // standard normal
  std::uint64_t below(std::uint64_t n);  // uniform integer in [0, n), unbiased

  // Full state, for checkpoints: restoring it continues the stream exactly.
  using State = std::array<std::uint64_t, 6>;
  State get_state() const;
  void set_state(const State& s);

 private:
  std::uint64_t s_[4]{};
  std::uint64_t seed_ = 0;
  bool has_spare_ = false;
  double spare_ = 0;
};

Generator& default_generator();
void manual_seed(std::uint64_t seed);

}  // namespace xg
