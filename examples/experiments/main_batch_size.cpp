// exp_batch_size [--fast] [--out DIR]: the lecture's full-batch, mini-batch and stochastic gradient descent.
#include <cstdio>
#include <cstring>

#include "batch_size.h"

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
  xg::experiments::run_batch_size(o);
}
