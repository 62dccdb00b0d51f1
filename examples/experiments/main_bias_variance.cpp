// exp_bias_variance [--fast] [--out DIR]: the lecture's bias-variance trade-off and L2 sweep.
#include "bias_variance.h"

int main(int argc, char** argv) { return xg::experiments::experiment_main(argc, argv, xg::experiments::run_bias_variance); }
