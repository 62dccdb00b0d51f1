#include "tensor/random.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <numbers>

namespace xg {

namespace {
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

void Generator::manual_seed(std::uint64_t seed) {
  seed_ = seed;
  std::uint64_t x = seed;
  for (auto& s : s_) s = splitmix64(x);
  has_spare_ = false;
  spare_ = 0;
}

std::uint64_t Generator::next_u64() {
  const std::uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = std::rotl(s_[3], 45);
  return result;
}

double Generator::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Generator::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = 0;
  while (u1 == 0) u1 = uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 2.0 * std::numbers::pi * u2;
  spare_ = r * std::sin(theta);
  has_spare_ = true;
  return r * std::cos(theta);
}

std::uint64_t Generator::below(std::uint64_t n) {
  if (n <= 1) return 0;
  // Rejection sampling on the top of the range keeps it unbiased.
  const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
  std::uint64_t x;
  do x = next_u64();
  while (x >= limit);
  return x % n;
}

Generator::State Generator::get_state() const {
  State st{s_[0], s_[1], s_[2], s_[3], has_spare_ ? 1u : 0u, 0};
  std::memcpy(&st[5], &spare_, sizeof(double));
  return st;
}

void Generator::set_state(const State& st) {
  for (int i = 0; i < 4; ++i) s_[i] = st[i];
  has_spare_ = st[4] != 0;
  std::memcpy(&spare_, &st[5], sizeof(double));
}

Generator& default_generator() {
  static Generator g(0x5eed);
  return g;
}

void manual_seed(std::uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace xg
