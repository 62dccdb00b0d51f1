// exp_gradients [--fast] [--out DIR] [--conv]: the lecture's vanishing/exploding gradients
// experiment (with --conv: vanishing gradients through a deep plain conv stack).
#include "gradients.h"

int main(int argc, char** argv) {
  return xg::experiments::experiment_main(
      argc, argv,
      [](const xg::experiments::RunOptions& o) { o.conv ? (void)xg::experiments::run_gradients_conv(o) : (void)xg::experiments::run_gradients(o); },
      /*has_conv=*/true);
}
