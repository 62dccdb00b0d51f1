// libFuzzer harness: large safetensors headers made from small inputs (see targets.h).
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  xg::fuzz::safetensors_expand_input({data, size});
  return 0;
}
