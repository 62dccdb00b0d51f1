#pragma once
// Everything in xg::nn.
#include "nn/functional.h"
#include "nn/gradcheck.h"
#include "nn/init.h"
#include "nn/layers.h"
#include "nn/loss.h"
#include "nn/module.h"
#include "nn/module_holder.h"
#include "nn/monitor.h"
#include "nn/regularization.h"
#include "nn/utils.h"
#include "nn/conv_layers.h"
