#include "data/gzip.h"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <limits>
#include <memory>

#include "tensor/errors.h"

namespace xg::data {

Bytes read_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw IOError(fmt::format("cannot open '{}' for reading: {}", path, std::strerror(errno)));
  Bytes out;
  unsigned char buf[1 << 16];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) out.insert(out.end(), buf, buf + n);
  if (std::ferror(f.get())) throw IOError(fmt::format("error while reading '{}': {}", path, std::strerror(errno)));
  return out;
}

bool is_gzip(const Bytes& bytes) { return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b; }

Bytes gunzip(const Bytes& compressed, const std::string& source, std::uint64_t max_output) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) throw FormatError(fmt::format("{}: cannot initialise zlib", source));
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, &inflateEnd);
  Bytes out;
  unsigned char buf[1 << 16];
  std::size_t pos = 0;
  while (pos < compressed.size()) {
    // One gzip member per pass; concatenated members (gzip -c a b) are read one after another.
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
      const std::size_t chunk = std::min<std::size_t>(compressed.size() - pos, std::numeric_limits<uInt>::max());
      zs.next_in = const_cast<unsigned char*>(compressed.data() + pos);
      zs.avail_in = static_cast<uInt>(chunk);
      zs.next_out = buf;
      zs.avail_out = sizeof buf;
      rc = inflate(&zs, Z_NO_FLUSH);
      pos += chunk - zs.avail_in;
      if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_MEM_ERROR)
        throw FormatError(fmt::format("{}: corrupt gzip data ({})", source, zs.msg ? zs.msg : "zlib error"));
      const std::size_t produced = sizeof buf - zs.avail_out;
      if (out.size() + produced > max_output)
        throw FormatError(fmt::format("{}: gzip data inflates to more than {} bytes", source, max_output));
      out.insert(out.end(), buf, buf + produced);
      if (rc == Z_BUF_ERROR || (rc == Z_OK && produced == 0 && pos >= compressed.size()))
        throw FormatError(fmt::format("{}: truncated gzip data (the stream ends after {} of its bytes)", source, pos));
    }
    inflateReset(&zs);
  }
  return out;
}

Bytes gzip(const Bytes& plain) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw IOError("gzip: cannot initialise zlib");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, &deflateEnd);
  Bytes out(deflateBound(&zs, static_cast<uLong>(plain.size())) + 64);
  zs.next_in = const_cast<unsigned char*>(plain.data());
  zs.avail_in = static_cast<uInt>(plain.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) throw IOError("gzip: deflate failed");
  out.resize(zs.total_out);
  return out;
}

Bytes read_maybe_gzip(const std::string& path) {
  Bytes bytes = read_file(path);
  return is_gzip(bytes) ? gunzip(bytes, fmt::format("'{}'", path)) : bytes;
}

}  // namespace xg::data
