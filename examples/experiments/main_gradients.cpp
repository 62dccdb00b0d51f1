// exp_gradients [--fast] [--out DIR]: the lecture's vanishing/exploding gradients experiment.
#include <fmt/format.h>

#include <cstring>
#include <exception>

#include "gradients.h"

int main(int argc, char** argv) {
  xg::experiments::RunOptions o;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--fast") == 0) o.fast = true;
    else if (std::strcmp(argv[i], "--out") == 0 && i + 1 < argc) o.out = argv[++i];
    else {
      fmt::print(stderr, "usage: {} [--fast] [--out DIR]\n", argv[0]);
      return 2;
    }
  }
  try {
    xg::experiments::run_gradients(o);
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return 0;
}
