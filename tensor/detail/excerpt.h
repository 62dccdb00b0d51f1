#pragma once
// Internal: how an error message quotes untrusted text (a file's names, keys, JSON values).
// At most `max` bytes of it, printable ASCII kept, every other byte written as \xNN, and "..."
// when it was cut, so a message never carries raw invalid UTF-8 or a whole megabyte of input.
#include <cstddef>
#include <string>
#include <string_view>

namespace xg::detail {

inline std::string excerpt(std::string_view s, std::size_t max = 64) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == max) return out + "...";
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace xg::detail
