#pragma once
// xgrad's optim/: optimizers with param groups, learning-rate schedules, gradual unfreezing,
// an exponential moving average, gradient clipping and a gradient-norm report.
// Everything lives in namespace xg::optim (clip_grad_norm_ too; LibTorch has it in
// torch::nn::utils).
#include "optim/adagrad.h"
#include "optim/adam.h"
#include "optim/adamax.h"
#include "optim/adamw.h"
#include "optim/clip_grad.h"
#include "optim/ema.h"
#include "optim/grad_report.h"
#include "optim/lbfgs.h"
#include "optim/lr_scheduler.h"
#include "optim/momentum.h"
#include "optim/nadam.h"
#include "optim/optimizer.h"
#include "optim/radam.h"
#include "optim/rmsprop.h"
#include "optim/sgd.h"
#include "optim/unfreeze.h"
