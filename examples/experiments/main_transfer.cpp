// exp_transfer [--fast] [--out DIR]: the lecture's transfer-learning experiment (frozen layers,
// gradual unfreezing, training from scratch on a small Fashion-MNIST set).
#include "transfer.h"

int main(int argc, char** argv) { return xg::experiments::experiment_main(argc, argv, xg::experiments::run_transfer); }
