#pragma once
// What each fuzz harness does with one input, shared with the unit suite's replay of
// tests/fuzz/regressions. Each returns when the input was loaded correctly or rejected with an
// xg::Error, and throws InvariantBroken (a crash under libFuzzer) when a loader misbehaved in a
// way the sanitizers cannot see: a wrong round trip, or a failed load that changed the model.
#include <cstdint>
#include <map>
#include <span>
#include <stdexcept>
#include <string>

namespace xg::fuzz {

struct InvariantBroken : std::logic_error {
  using std::logic_error::logic_error;
};

// IDX bytes as xg::data::read_idx sees a file (gzip inflated when the content says so).
void idx_input(std::span<const std::uint8_t> bytes);
// Safetensors bytes through io::from_safetensors and back through io::to_safetensors.
void safetensors_input(std::span<const std::uint8_t> bytes);
// Safetensors bytes loaded into a model, an Adam optimizer and a checkpoint with generators.
void load_state_dict_input(std::span<const std::uint8_t> bytes);
// A small input expanded into a large safetensors file (up to 4 MiB of header), so the fuzzer
// reaches deep nesting and long values that its 64 KiB inputs cannot hold: two little-endian
// uint16 counts n1, n2, then parts separated by 0xff bytes, p0 r1 p1 r2 p2 data; the header is
// p0 + n1 x r1 + p1 + n2 x r2 + p2. It then goes through safetensors_input and a Checkpoint.
void safetensors_expand_input(std::span<const std::uint8_t> bytes);

inline constexpr const char* kHarnesses[] = {"idx", "safetensors", "load_state_dict", "safetensors_expand"};
void run_input(const std::string& harness, std::span<const std::uint8_t> bytes);

// Valid files, by name, from which a harness's fuzzing starts (make_seeds writes them out).
std::map<std::string, std::string> seeds(const std::string& harness);

}  // namespace xg::fuzz
