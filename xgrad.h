#pragma once
// xgrad: reverse-mode automatic differentiation over n-dimensional tensors.
// The one header users include. It pulls in no xtensor header (see tensor/xtensor_interop.h).
#include "autodiff/autograd.h"
#include "autodiff/grad_mode.h"
#include "autodiff/gradcheck.h"
#include "autodiff/ops.h"
#include "nn/nn.h"
#include "optim/optim.h"
#include "data/data.h"
#include "io/io.h"
#include "tensor/allocator.h"
#include "tensor/dtype.h"
#include "tensor/errors.h"
#include "tensor/format.h"
#include "tensor/random.h"
#include "tensor/shape.h"
#include "tensor/state_dict.h"
#include "tensor/tensor.h"
