#pragma once
// The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): two zero bytes,
// a type code, the number of dimensions d, d big-endian uint32 sizes, then the values big-endian
// in row-major order. Files may be gzip-compressed (detected from the content, not the name).
#include <cstdint>
#include <string>
#include <vector>

#include "data/gzip.h"
#include "tensor/tensor.h"

namespace xg::data {

enum class IdxType : std::uint8_t { UInt8 = 0x08, Int8 = 0x09, Int16 = 0x0B, Int32 = 0x0C, Float32 = 0x0D, Float64 = 0x0E };
std::size_t idx_type_size(IdxType t);

// A parsed IDX array; `data` holds the values exactly as in the file (big-endian).
struct IdxArray {
  IdxType type = IdxType::UInt8;
  std::vector<std::int64_t> dims;
  Bytes data;
  std::int64_t numel() const;
  double value(std::int64_t i) const;  // element i converted to double
};

// Parses IDX bytes; FormatError naming `source` for a bad magic, an unknown type, a header cut
// short, or sizes that disagree with the number of bytes (truncated or trailing data). Never
// reads past the buffer.
IdxArray parse_idx(const Bytes& bytes, const std::string& source);
// Reads a plain or gzip IDX file; IOError when it cannot be read, FormatError when malformed.
IdxArray read_idx(const std::string& path);
// Integers become int64 tensors, floats float32, doubles float64, with the array's dims.
Tensor to_tensor(const IdxArray& a);

// The IDX bytes of an array (the inverse of parse_idx); and a file, gzip-compressed if asked.
Bytes serialize_idx(const IdxArray& a);
void write_idx(const std::string& path, const IdxArray& a, bool gzip = false);
// An IDX array from a tensor: int64 as Int32 (ValueError when out of range) or UInt8 when asked,
// float32 as Float32, float64 as Float64.
IdxArray idx_from_tensor(const Tensor& t, bool as_uint8 = false);

}  // namespace xg::data
