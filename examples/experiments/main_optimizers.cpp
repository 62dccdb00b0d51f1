// exp_optimizers [--fast] [--out DIR]: the lecture's optimizers experiment (GD, momentum, RMSProp,
// Adam on a ravine, Rosenbrock and a saddle; then on Fashion-MNIST; learning rates and decay).
#include <fmt/format.h>

#include <cstring>
#include <exception>

#include "optimizers.h"

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
    xg::experiments::run_optimizers(o);
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return 0;
}
