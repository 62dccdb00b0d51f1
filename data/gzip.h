#pragma once
// Whole-file reads with transparent gzip (zlib), for the IDX reader.
#include <cstdint>
#include <string>
#include <vector>

namespace xg::data {

using Bytes = std::vector<unsigned char>;

// The file's bytes; IOError naming the path and the system's reason when it cannot be read.
Bytes read_file(const std::string& path);
bool is_gzip(const Bytes& bytes);  // starts with the gzip magic 1f 8b
// Inflates gzip data (all members). FormatError naming `source` for corrupt or truncated data
// or output beyond max_output bytes.
Bytes gunzip(const Bytes& compressed, const std::string& source, std::uint64_t max_output = std::uint64_t{1} << 32);
Bytes gzip(const Bytes& plain);
// read_file, inflated when the content is gzip (whatever the file is called).
Bytes read_maybe_gzip(const std::string& path);

}  // namespace xg::data
