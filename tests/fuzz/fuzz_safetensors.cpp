// libFuzzer harness: the safetensors loader (see targets.h).
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  xg::fuzz::safetensors_input({data, size});
  return 0;
}
