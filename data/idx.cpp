#include "data/idx.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fmt/format.h>
#include <fstream>

namespace xg::data {

namespace {
bool known_type(std::uint8_t code) {
  switch (code) {
    case 0x08: case 0x09: case 0x0B: case 0x0C: case 0x0D: case 0x0E: return true;
    default: return false;
  }
}

std::uint64_t read_be(const unsigned char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

void write_be(Bytes& out, std::uint64_t v, std::size_t n) {
  for (std::size_t i = n; i-- > 0;) out.push_back(static_cast<unsigned char>(v >> (8 * i)));
}
}  // namespace

std::size_t idx_type_size(IdxType t) {
  switch (t) {
    case IdxType::UInt8: case IdxType::Int8: return 1;
    case IdxType::Int16: return 2;
    case IdxType::Int32: case IdxType::Float32: return 4;
    case IdxType::Float64: return 8;
  }
  return 0;
}

std::int64_t IdxArray::numel() const {
  // parse_idx guarantees the product fits unless a size is 0 (then the others may be anything).
  if (std::find(dims.begin(), dims.end(), 0) != dims.end()) return 0;
  std::int64_t n = 1;
  for (auto d : dims) n *= d;
  return n;
}

double IdxArray::value(std::int64_t i) const {
  const std::size_t sz = idx_type_size(type);
  const unsigned char* p = data.data() + static_cast<std::size_t>(i) * sz;
  const std::uint64_t raw = read_be(p, sz);
  switch (type) {
    case IdxType::UInt8: return static_cast<double>(raw);
    case IdxType::Int8: return static_cast<double>(static_cast<std::int8_t>(raw));
    case IdxType::Int16: return static_cast<double>(static_cast<std::int16_t>(raw));
    case IdxType::Int32: return static_cast<double>(static_cast<std::int32_t>(raw));
    case IdxType::Float32: return static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(raw)));
    case IdxType::Float64: return std::bit_cast<double>(raw);
  }
  return 0;
}

IdxArray parse_idx(const Bytes& bytes, const std::string& source) {
  if (bytes.size() < 4)
    throw FormatError(fmt::format("{}: not an IDX file: {} bytes is shorter than the 4-byte magic number", source, bytes.size()));
  if (bytes[0] != 0 || bytes[1] != 0)
    throw FormatError(fmt::format("{}: not an IDX file: bad magic number {:02x} {:02x} {:02x} {:02x} (must start with 00 00)",
                                  source, bytes[0], bytes[1], bytes[2], bytes[3]));
  if (!known_type(bytes[2]))
    throw FormatError(fmt::format("{}: unknown IDX type code 0x{:02x} (expected 08, 09, 0b, 0c, 0d or 0e)", source, bytes[2]));
  IdxArray a;
  a.type = static_cast<IdxType>(bytes[2]);
  const std::size_t ndim = bytes[3];
  if (ndim == 0) throw FormatError(fmt::format("{}: IDX header declares 0 dimensions", source));
  const std::size_t header = 4 + 4 * ndim;
  if (bytes.size() < header)
    throw FormatError(fmt::format("{}: truncated IDX header: {} dimensions need {} header bytes, the file has {}", source, ndim,
                                  header, bytes.size()));
  const std::uint64_t available = bytes.size() - header;
  const std::size_t elem = idx_type_size(a.type);
  // Count the bytes the dims need, stopping as soon as they exceed what the file holds (no overflow).
  std::uint64_t need = elem;
  bool too_big = false;  // the product overflows 64 bits
  for (std::size_t k = 0; k < ndim; ++k) {
    const std::uint64_t d = read_be(bytes.data() + 4 + 4 * k, 4);
    a.dims.push_back(static_cast<std::int64_t>(d));
    too_big = __builtin_mul_overflow(need, d, &need) || too_big;
  }
  if (std::find(a.dims.begin(), a.dims.end(), 0) != a.dims.end()) too_big = false, need = 0;
  std::string dims_text = fmt::format("{}", a.dims[0]);
  for (std::size_t k = 1; k < ndim; ++k) dims_text += fmt::format(" x {}", a.dims[k]);
  if (too_big || need > available)
    throw FormatError(fmt::format("{}: truncated IDX data: dims {} need {} bytes of data, the file has {}", source, dims_text,
                                  too_big ? std::string("more than 2^64") : std::to_string(need),
                                  available));
  if (need < available)
    throw FormatError(fmt::format("{}: IDX dims {} need {} bytes of data but the file has {} ({} trailing bytes)", source,
                                  dims_text, need, available, available - need));
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return a;
}

IdxArray read_idx(const std::string& path) { return parse_idx(read_maybe_gzip(path), fmt::format("'{}'", path)); }

Tensor to_tensor(const IdxArray& a) {
  const Shape shape(a.dims);
  const std::int64_t n = a.numel();
  if (a.type == IdxType::Float32) {
    std::vector<float> v(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<float>(a.value(i));
    return from_vector(v, shape);
  }
  if (a.type == IdxType::Float64) {
    std::vector<double> v(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = a.value(i);
    return from_vector(v, shape);
  }
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(a.value(i));
  return from_vector(v, shape);
}

Bytes serialize_idx(const IdxArray& a) {
  if (a.dims.empty() || a.dims.size() > 255) throw ValueError(fmt::format("write_idx: need 1 to 255 dims, got {}", a.dims.size()));
  for (auto d : a.dims)
    if (d < 0 || d > 0xffffffffLL) throw ValueError(fmt::format("write_idx: dimension {} does not fit an IDX header", d));
  const std::uint64_t need = static_cast<std::uint64_t>(a.numel()) * idx_type_size(a.type);
  if (a.data.size() != need)
    throw ValueError(fmt::format("write_idx: the dims need {} data bytes, the array holds {}", need, a.data.size()));
  Bytes out{0, 0, static_cast<unsigned char>(a.type), static_cast<unsigned char>(a.dims.size())};
  for (auto d : a.dims) write_be(out, static_cast<std::uint64_t>(d), 4);
  out.insert(out.end(), a.data.begin(), a.data.end());
  return out;
}

void write_idx(const std::string& path, const IdxArray& a, bool compress) {
  Bytes bytes = serialize_idx(a);
  if (compress) bytes = gzip(bytes);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw IOError(fmt::format("write_idx: cannot open '{}' for writing: {}", path, std::strerror(errno)));
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  f.flush();
  if (!f) throw IOError(fmt::format("write_idx: error while writing '{}'", path));
}

IdxArray idx_from_tensor(const Tensor& t, bool as_uint8) {
  if (!t.defined() || t.dim() == 0) throw ValueError("idx_from_tensor: need a tensor with at least one dimension");
  IdxArray a;
  a.dims = t.sizes();
  const std::int64_t n = t.numel();
  if (t.dtype() == kInt64) {
    a.type = as_uint8 ? IdxType::UInt8 : IdxType::Int32;
    const auto* p = t.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < n; ++i) {
      const bool ok = as_uint8 ? (p[i] >= 0 && p[i] <= 255) : (p[i] >= INT32_MIN && p[i] <= INT32_MAX);
      if (!ok) throw ValueError(fmt::format("idx_from_tensor: value {} at {} does not fit the IDX type", p[i], i));
      write_be(a.data, static_cast<std::uint64_t>(p[i]), as_uint8 ? 1 : 4);
    }
  } else if (t.dtype() == kFloat32) {
    a.type = IdxType::Float32;
    const auto* p = t.data_ptr<float>();
    for (std::int64_t i = 0; i < n; ++i) write_be(a.data, std::bit_cast<std::uint32_t>(p[i]), 4);
  } else {
    a.type = IdxType::Float64;
    const auto* p = t.data_ptr<double>();
    for (std::int64_t i = 0; i < n; ++i) write_be(a.data, std::bit_cast<std::uint64_t>(p[i]), 8);
  }
  return a;
}

}  // namespace xg::data
