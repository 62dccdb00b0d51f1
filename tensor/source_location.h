#pragma once
// The user's call site, recorded by each op (used by DetectAnomalyGuard and to_dot).
#include <cstdint>
#include <version>

#if defined(__cpp_lib_source_location)
#include <source_location>
namespace xg {
using SourceLocation = std::source_location;
}  // namespace xg
#else
// clang before 15 with libstdc++ has no std::source_location; the compiler builtins behind it give
// the same answers as default arguments evaluated at the call site.
namespace xg {
class SourceLocation {
 public:
  static constexpr SourceLocation current(const char* file = __builtin_FILE(), const char* function = __builtin_FUNCTION(),
                                          std::uint_least32_t line = __builtin_LINE(),
                                          std::uint_least32_t column = __builtin_COLUMN()) noexcept {
    SourceLocation s;
    s.file_ = file;
    s.function_ = function;
    s.line_ = line;
    s.column_ = column;
    return s;
  }
  constexpr const char* file_name() const noexcept { return file_; }
  constexpr const char* function_name() const noexcept { return function_; }
  constexpr std::uint_least32_t line() const noexcept { return line_; }
  constexpr std::uint_least32_t column() const noexcept { return column_; }

 private:
  const char* file_ = "";
  const char* function_ = "";
  std::uint_least32_t line_ = 0, column_ = 0;
};
}  // namespace xg
#endif

#define XG_HERE ::xg::SourceLocation loc = ::xg::SourceLocation::current()
