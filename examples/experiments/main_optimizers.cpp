// exp_optimizers [--fast] [--out DIR]: the lecture's optimizers experiment (GD, momentum, RMSProp,
// Adam on a ravine, Rosenbrock and a saddle; then on Fashion-MNIST; learning rates and decay).
#include "optimizers.h"

int main(int argc, char** argv) { return xg::experiments::experiment_main(argc, argv, xg::experiments::run_optimizers); }
