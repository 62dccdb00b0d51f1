#include "io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "io/atomic_file.h"
#include "tensor/detail/excerpt.h"

namespace xg {
namespace io {

namespace {
using nlohmann::json;

const char* dtype_code(DType d) {
  switch (d) {
    case kFloat32: return "F32";
    case kFloat64: return "F64";
    case kInt64: return "I64";
    case kBool: return "BOOL";
    case kUInt8: return "U8";
    case kInt32: return "I32";
  }
  return "?";
}

bool parse_dtype(const std::string& code, DType& out) {
  if (code == "F32") out = kFloat32;
  else if (code == "F64") out = kFloat64;
  else if (code == "I64") out = kInt64;
  else if (code == "BOOL") out = kBool;
  else if (code == "U8") out = kUInt8;
  else if (code == "I32") out = kInt32;
  else return false;
  return true;
}

bool is_safetensors_dtype(const std::string& code) {
  static const char* known[] = {"BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "U64", "F8_E4M3", "F8_E5M2"};
  return std::any_of(std::begin(known), std::end(known), [&](const char* k) { return code == k; });
}

// Copies n elements of `size` bytes, converting between little-endian and the host order.
void copy_le(void* dst, const void* src, std::size_t n, std::size_t size) {
  std::memcpy(dst, src, n * size);
  if constexpr (std::endian::native == std::endian::big) {
    auto* p = static_cast<unsigned char*>(dst);
    for (std::size_t i = 0; i < n; ++i) std::reverse(p + i * size, p + (i + 1) * size);
  }
}

// The header nests three levels: the header object, an entry (or "__metadata__") object, and a
// "shape" or "data_offsets" array. Deeper input is refused while parsing, so nothing later
// (freeing, quoting) walks a deep value.
constexpr int kMaxJsonDepth = 3;

// A header value as an error message quotes it: a scalar (a string cut short and sanitized), a
// short array of scalars, or else only the kind and size of the value, never the whole of it.
std::string quote_scalar(const json& v) {
  if (v.is_string()) return "\"" + xg::detail::excerpt(v.get_ref<const std::string&>(), 32) + "\"";
  if (v.is_array()) return "[...]";
  if (v.is_object()) return "{...}";
  return xg::detail::excerpt(v.dump(), 32);
}

std::string quote(const json& v) {
  if (v.is_object()) return fmt::format("an object of {} member(s)", v.size());
  if (!v.is_array()) return quote_scalar(v);
  if (v.size() > Shape::kMaxDims) return fmt::format("an array of {} elements", v.size());
  std::string out = "[";
  for (const json& e : v) out += (out.size() > 1 ? ", " : "") + quote_scalar(e);
  return out + "]";
}

std::string quote_name(const std::string& name) { return xg::detail::excerpt(name, 64); }

json parse_header(std::string_view text, const std::string& source) {
  const json::parser_callback_t limit_depth = [&](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= kMaxJsonDepth)
      throw FormatError(fmt::format("{}: the JSON header nests deeper than the {} levels the format has", source,
                                    kMaxJsonDepth));
    return true;
  };
  try {
    return json::parse(text.begin(), text.end(), limit_depth);
  } catch (const json::exception& e) {
    throw FormatError(fmt::format("{}: bad JSON header: {}", source, xg::detail::excerpt(e.what(), 200)));
  }
}

struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  std::uint64_t begin, end;
};

bool as_u64(const json& v, std::uint64_t& out) {
  if (v.is_number_unsigned()) {
    out = v.get<std::uint64_t>();
    return true;
  }
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
    out = static_cast<std::uint64_t>(v.get<std::int64_t>());
    return true;
  }
  return false;
}

Entry parse_entry(const std::string& source, const std::string& name, const json& v, std::uint64_t buffer) {
  auto bad = [&](const std::string& why) {
    return FormatError(fmt::format("{}: tensor '{}': {}", source, quote_name(name), why));
  };
  if (!v.is_object()) throw bad(fmt::format("the header entry must be an object, got {}", quote(v)));
  for (const char* field : {"dtype", "shape", "data_offsets"})
    if (!v.contains(field)) throw bad(fmt::format("the header entry has no \"{}\" field", field));
  Entry e;
  e.name = name;
  const json& dt = v["dtype"];
  if (!dt.is_string()) throw bad(fmt::format("\"dtype\" must be a string, got {}", quote(dt)));
  const std::string code = xg::detail::excerpt(dt.get<std::string>(), 32);
  if (!parse_dtype(code, e.dtype)) {
    if (is_safetensors_dtype(code))
      throw bad(fmt::format("dtype \"{}\" is not supported (xgrad reads F32, F64, I64, I32, U8 and BOOL)", code));
    throw bad(fmt::format("unknown dtype \"{}\"", code));
  }
  const json& sh = v["shape"];
  if (!sh.is_array()) throw bad(fmt::format("\"shape\" must be an array, got {}", quote(sh)));
  if (sh.size() > Shape::kMaxDims)
    throw bad(fmt::format("shape has {} entries: more than {} dimensions", sh.size(), Shape::kMaxDims));
  // Bytes the shape needs, with 64-bit overflow detected.
  std::uint64_t need = dtype_size(e.dtype);
  bool too_big = false;
  for (const json& d : sh) {
    std::uint64_t n;
    if (!as_u64(d, n)) throw bad(fmt::format("shape {} must hold non-negative integers", quote(sh)));
    if (n > static_cast<std::uint64_t>(INT64_MAX)) throw bad(fmt::format("shape {} has a dimension too large", quote(sh)));
    e.shape.push_back(static_cast<std::int64_t>(n));
    too_big = __builtin_mul_overflow(need, n, &need) || too_big;
  }
  if (std::find(e.shape.begin(), e.shape.end(), 0) != e.shape.end()) too_big = false, need = 0;
  const json& off = v["data_offsets"];
  if (!off.is_array() || off.size() != 2 || !as_u64(off[0], e.begin) || !as_u64(off[1], e.end))
    throw bad(fmt::format("\"data_offsets\" must be two non-negative integers [begin, end], got {}", quote(off)));
  if (e.begin > e.end) throw bad(fmt::format("data_offsets [{}, {}] end before they begin", e.begin, e.end));
  if (e.end > buffer)
    throw bad(fmt::format("data_offsets [{}, {}] reach past the end of the {}-byte data buffer", e.begin, e.end, buffer));
  if (too_big || need != e.end - e.begin)
    throw bad(fmt::format("shape {} of {} needs {} bytes but data_offsets [{}, {}] hold {}", quote(sh), code,
                          too_big ? std::string("more than 2^64") : std::to_string(need), e.begin, e.end,
                          e.end - e.begin));
  return e;
}
}  // namespace

std::string to_safetensors(const StateDict& tensors, const Metadata& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    if (name == "__metadata__") throw ValueError("save: \"__metadata__\" is reserved for the metadata and cannot name a tensor");
    if (!t.defined()) throw ValueError(fmt::format("save: tensor '{}' is undefined", name));
    const std::uint64_t bytes = static_cast<std::uint64_t>(t.numel()) * dtype_size(t.dtype());
    header[name] = {{"dtype", dtype_code(t.dtype())}, {"shape", t.sizes()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const json::exception& e) {
    throw ValueError(fmt::format("save: a tensor name or metadata string is not valid UTF-8 ({})", e.what()));
  }
  text.append((8 - text.size() % 8) % 8, ' ');  // the data buffer starts 8-byte aligned
  std::string out(8, '\0');
  const std::uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  out += text;
  out.reserve(out.size() + offset);
  for (const auto& [name, t] : tensors) {
    const std::size_t at = out.size();
    const std::size_t size = dtype_size(t.dtype());
    out.resize(at + static_cast<std::size_t>(t.numel()) * size);
    if (t.numel() > 0) copy_le(out.data() + at, t.raw_data(), static_cast<std::size_t>(t.numel()), size);
  }
  return out;
}

SafetensorsData from_safetensors(std::string_view bytes, const std::string& source) {
  if (bytes.size() < 8)
    throw FormatError(fmt::format("{}: truncated header: {} bytes is shorter than the 8-byte header length", source,
                                  bytes.size()));
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  const std::uint64_t after = bytes.size() - 8;
  if (n > after)
    throw FormatError(fmt::format("{}: header length {} is larger than the {} bytes that follow it", source, n, after));
  if (n > kMaxHeaderBytes)
    throw FormatError(fmt::format("{}: header length {} exceeds the limit of {} bytes", source, n, kMaxHeaderBytes));
  const std::string_view text = bytes.substr(8, static_cast<std::size_t>(n));
  if (text.empty() || text.front() != '{')
    throw FormatError(fmt::format("{}: the header must be a JSON object starting with '{{'", source));
  const json header = parse_header(text, source);
  if (!header.is_object()) throw FormatError(fmt::format("{}: the header must be a JSON object", source));

  const std::uint64_t buffer = after - n;
  SafetensorsData out;
  std::vector<Entry> entries;
  for (const auto& [name, v] : header.items()) {
    if (name == "__metadata__") {
      if (!v.is_object()) throw FormatError(fmt::format("{}: \"__metadata__\" must be an object of strings", source));
      for (const auto& [k, s] : v.items()) {
        if (!s.is_string())
          throw FormatError(fmt::format("{}: metadata \"{}\" must be a string, got {}", source, quote_name(k), quote(s)));
        out.metadata[k] = s.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(source, name, v, buffer));
  }
  // The tensors must tile the buffer: sorted by offset, each begins where the previous ended.
  std::vector<const Entry*> order;
  for (const auto& e : entries) order.push_back(&e);
  std::sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  std::uint64_t pos = 0;
  const Entry* prev = nullptr;
  for (const Entry* e : order) {
    if (e->begin < pos)
        throw FormatError(fmt::format("{}: tensors '{}' [{}, {}] and '{}' [{}, {}] overlap", source, quote_name(prev->name),
                                    prev->begin, prev->end, quote_name(e->name), e->begin, e->end));
    if (e->begin > pos)
      throw FormatError(fmt::format("{}: bytes [{}, {}) before tensor '{}' belong to no tensor", source, pos, e->begin,
                                    quote_name(e->name)));
    pos = e->end;
    prev = e;
  }
  if (pos != buffer)
    throw FormatError(fmt::format("{}: the data buffer has {} bytes but the tensors cover {} ({} bytes unaccounted for)",
                                  source, buffer, pos, buffer - pos));
  const char* data = bytes.data() + 8 + n;
  // A BOOL byte other than 0 or 1 is no bool value (reading it would be undefined behaviour).
  for (const auto& e : entries)
    if (e.dtype == kBool)
      for (std::uint64_t i = e.begin; i < e.end; ++i)
        if (static_cast<unsigned char>(data[i]) > 1)
          throw FormatError(fmt::format("{}: tensor {} has dtype BOOL but byte {} of its data is {}, not 0 or 1", source,
                                        quote_name(e.name), i - e.begin, static_cast<unsigned>(static_cast<unsigned char>(data[i]))));
  for (const auto& e : entries) {
    Tensor t = empty(e.shape, e.dtype);
    if (t.numel() > 0) copy_le(t.raw_data(), data + e.begin, static_cast<std::size_t>(t.numel()), dtype_size(e.dtype));
    out.tensors[e.name] = t;
  }
  return out;
}

SafetensorsData read_safetensors(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw IOError(fmt::format("cannot read '{}': it is a directory", path));
  std::ifstream f(path, std::ios::binary);
  if (!f) throw IOError(fmt::format("cannot open '{}' for reading: {}", path, std::strerror(errno)));
  // One read of the whole file (a character iterator managed only ~130 MB/s).
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  f.seekg(0, std::ios::beg);
  std::string bytes(size > 0 ? static_cast<std::size_t>(size) : 0, '\0');
  if (size > 0) f.read(bytes.data(), size);
  if (f.bad() || (size > 0 && f.gcount() != size)) throw IOError(fmt::format("error while reading '{}'", path));
  return from_safetensors(bytes, fmt::format("'{}'", path));
}

}  // namespace io

void save(const StateDict& tensors, const std::string& path, const io::Metadata& metadata) {
  io::write_file_atomic(path, io::to_safetensors(tensors, metadata));
}

StateDict load(const std::string& path) { return io::read_safetensors(path).tensors; }

}  // namespace xg
