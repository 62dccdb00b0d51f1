// exp_batch_norm [--fast] [--out DIR] [--conv]: the lecture's deep sigmoid MLP (or, with --conv, a
// sigmoid conv net) with and without batch norm.
#include "batch_norm.h"

int main(int argc, char** argv) {
  return xg::experiments::experiment_main(
      argc, argv,
      [](const xg::experiments::RunOptions& o) { o.conv ? xg::experiments::run_batch_norm_conv(o) : xg::experiments::run_batch_norm(o); },
      /*has_conv=*/true);
}
