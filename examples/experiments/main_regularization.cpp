// exp_regularization [--fast] [--out DIR]: the lecture's L2 and dropout against overfitting.
#include "regularization.h"

int main(int argc, char** argv) { return xg::experiments::experiment_main(argc, argv, xg::experiments::run_regularization); }
