// exp_regularization [--fast] [--out DIR]: the lecture's L2 and dropout against overfitting.
#include <cstdio>
#include <cstring>

#include "regularization.h"

int main(int argc, char** argv) {
  xg::experiments::RunOptions o;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--fast")) o.fast = true;
    else if (!std::strcmp(argv[i], "--out") && i + 1 < argc) o.out = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--fast] [--out DIR]\n", argv[0]);
      return 2;
    }
  }
  xg::experiments::run_regularization(o);
}
