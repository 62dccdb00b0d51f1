// Writes the seed corpora of the fuzz harnesses (valid files, see targets.h):
//   fuzz_make_seeds DIR   ->  DIR/idx/*, DIR/safetensors/*, DIR/load_state_dict/*
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "targets.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: {} DIR\n", argv[0]);
    return 2;
  }
  for (const char* harness : xg::fuzz::kHarnesses) {
    const std::filesystem::path dir = std::filesystem::path(argv[1]) / harness;
    std::filesystem::create_directories(dir);
    for (const auto& [name, bytes] : xg::fuzz::seeds(harness))
      std::ofstream(dir / name, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  return 0;
}
