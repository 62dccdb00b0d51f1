// exp_batch_norm [--fast] [--out DIR]: the lecture's deep sigmoid MLP with and without batch norm.
#include "batch_norm.h"

int main(int argc, char** argv) { return xg::experiments::experiment_main(argc, argv, xg::experiments::run_batch_norm); }
