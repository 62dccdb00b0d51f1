#pragma once
// torch::save(model, path) and torch::load(model, path), in xgrad's form: the module's state_dict
// (parameters and buffers, with PyTorch's dotted key names such as "fc1.weight") as a safetensors
// file, which PyTorch reads with safetensors.torch.load_file and model.load_state_dict.
//   xg::save(model, "model.safetensors");   xg::load(model, "model.safetensors");
// load checks every key, shape and dtype before copying (load_state_dict, strict by default): on
// error the module is unchanged.
#include <string>

#include "io/safetensors.h"
#include "nn/module.h"
#include "nn/module_holder.h"

namespace xg {

void save(const nn::Module& module, const std::string& path, const io::Metadata& metadata = {});
void load(nn::Module& module, const std::string& path, bool strict = true);

template <class M> void save(const nn::ModuleHolder<M>& module, const std::string& path, const io::Metadata& metadata = {}) {
  save(static_cast<const nn::Module&>(*module), path, metadata);
}
template <class M> void load(const nn::ModuleHolder<M>& module, const std::string& path, bool strict = true) {
  load(static_cast<nn::Module&>(*module), path, strict);
}

}  // namespace xg
