#include "io/module_io.h"

namespace xg {

void save(const nn::Module& module, const std::string& path, const io::Metadata& metadata) {
  save(module.state_dict(), path, metadata);
}

void load(nn::Module& module, const std::string& path, bool strict) { module.load_state_dict(load(path), strict); }

}  // namespace xg
