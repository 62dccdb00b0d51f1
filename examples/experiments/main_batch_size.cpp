// exp_batch_size [--fast] [--out DIR]: the lecture's full-batch, mini-batch and stochastic gradient descent.
#include "batch_size.h"

int main(int argc, char** argv) { return xg::experiments::experiment_main(argc, argv, xg::experiments::run_batch_size); }
