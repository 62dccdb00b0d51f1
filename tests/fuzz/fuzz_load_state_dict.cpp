// libFuzzer harness: load_state_dict (model, optimizer, checkpoint) from a loaded file (see targets.h).
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  xg::fuzz::load_state_dict_input({data, size});
  return 0;
}
