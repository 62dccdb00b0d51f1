// exp_gradients [--fast] [--out DIR]: the lecture's vanishing/exploding gradients experiment.
#include "gradients.h"

int main(int argc, char** argv) { return xg::experiments::experiment_main(argc, argv, xg::experiments::run_gradients); }
