// libFuzzer harness: the IDX reader (see targets.h).
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  xg::fuzz::idx_input({data, size});
  return 0;
}
