// The fuzz harnesses' checks (tests/fuzz/targets.h) in the unit suite: every valid seed loads,
// and every input the fuzzers ever crashed on (tests/fuzz/regressions/<harness>/) now loads or is
// rejected with an xg::Error, with the invariants intact.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "data/idx.h"
#include "fuzz/targets.h"
#include "io/safetensors.h"

namespace fs = std::filesystem;

namespace {
std::vector<std::uint8_t> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
std::span<const std::uint8_t> as_bytes(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }
}  // namespace

TEST_CASE("fuzz seeds: valid files every harness starts from are accepted by the loaders") {
  for (const auto& [name, bytes] : xg::fuzz::seeds("idx")) {
    INFO(name);
    CHECK_NOTHROW(xg::fuzz::idx_input(as_bytes(bytes)));
    xg::data::Bytes b(bytes.begin(), bytes.end());
    if (xg::data::is_gzip(b)) b = xg::data::gunzip(b, name);
    CHECK(xg::data::parse_idx(b, name).numel() > 0);
  }
  for (const char* harness : {"safetensors", "load_state_dict"})
    for (const auto& [name, bytes] : xg::fuzz::seeds(harness)) {
      INFO(name);
      CHECK_NOTHROW(xg::fuzz::run_input(harness, as_bytes(bytes)));
      CHECK_NOTHROW((void)xg::io::from_safetensors(bytes, name));
    }
}

TEST_CASE("fuzz regressions: every input a fuzzer once crashed on is handled") {
  int replayed = 0;
  for (const char* harness : xg::fuzz::kHarnesses) {
    const fs::path dir = fs::path(XGRAD_FUZZ_REGRESSIONS) / harness;
    if (!fs::exists(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      INFO(entry.path().string());
      const auto bytes = read_bytes(entry.path());
      CHECK_NOTHROW(xg::fuzz::run_input(harness, bytes));
      ++replayed;
    }
  }
  CHECK(replayed >= 1);
}

TEST_CASE("fuzz finding: IDX sizes whose product overflows int64 but include a 0 make an empty array") {
  // fuzz_idx's first finding (tests/fuzz/regressions/idx/zero-size-dim-overflow.idx): int8 data, 5
  // dims 151192065 x 33554432 x 16711680 x 0 x 0. IdxArray::numel multiplied them in order and
  // overflowed (undefined behaviour) before reaching the 0.
  const xg::data::Bytes bytes = {0, 0, 0x09, 5, 9, 3, 2, 1, 2, 0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  const auto a = xg::data::parse_idx(bytes, "finding");
  CHECK(a.numel() == 0);
  const xg::Tensor t = xg::data::to_tensor(a);
  CHECK(t.numel() == 0);
  CHECK(t.sizes() == std::vector<std::int64_t>{151192065, 33554432, 16711680, 0, 0});
}
