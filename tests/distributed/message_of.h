#pragma once
// The message of the xg::Error that f() throws, or "" when it throws none (the distributed tests
// check what every rank was told).
#include <string>

#include "xgrad.h"

namespace xg::test {

inline std::string message_of(auto&& f) {
  try {
    f();
  } catch (const xg::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace xg::test
