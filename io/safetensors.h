#pragma once
// The safetensors format (https://github.com/huggingface/safetensors), readable by PyTorch's
// `safetensors.torch.load_file` and written by its `save_file`:
//
//   8 bytes   N, the header length, little-endian uint64
//   N bytes   a JSON object: {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [b, e]}, ...,
//             "__metadata__": {"key": "value"}} (optional string map), padded with spaces
//   rest      the tensors' raw little-endian bytes; offsets are relative to the start of this
//             buffer, and the tensors cover it exactly, without holes or overlap
//
// xgrad reads and writes the dtypes F32, F64 and I64 (float32, float64, int64).
//
//   xg::save(model.state_dict(), "model.safetensors", {{"epoch", "3"}});
//   model.load_state_dict(xg::load("model.safetensors"));
#include <map>
#include <string>
#include <string_view>

#include "tensor/state_dict.h"

namespace xg {
namespace io {

using Metadata = std::map<std::string, std::string>;

struct SafetensorsData {
  StateDict tensors;
  Metadata metadata;
};

// The file's bytes. ValueError for an undefined tensor or the reserved name "__metadata__".
std::string to_safetensors(const StateDict& tensors, const Metadata& metadata = {});
// Parses and validates everything before allocating a tensor: the header length against the
// buffer, the JSON, each entry's dtype, shape and offsets (inside the buffer, matching the bytes
// the shape needs, no overlap, no holes). FormatError naming `source`, the tensor and the reason.
SafetensorsData from_safetensors(std::string_view bytes, const std::string& source = "safetensors data");
// Reads a file: IOError when it cannot be read, FormatError when it is malformed.
SafetensorsData read_safetensors(const std::string& path);

// Headers larger than this are rejected (the limit of the reference implementation).
inline constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

}  // namespace io

// Writes a StateDict as safetensors, atomically (see io/atomic_file.h): on IOError the previous
// file at `path` is left intact.
void save(const StateDict& tensors, const std::string& path, const io::Metadata& metadata = {});
// Reads a safetensors file (io::read_safetensors for the metadata too).
StateDict load(const std::string& path);

}  // namespace xg
