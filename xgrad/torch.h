#pragma once
// LibTorch compatibility: a LibTorch program ports by replacing `#include <torch/torch.h>` with
// `#include <xgrad/torch.h>`. Only names, nothing clever: torch:: is xg::.
#include "xgrad.h"

namespace torch = xg;
namespace at = xg;  // LibTorch code also spells tensors and guards at::Tensor, at::NoGradGuard

#define TORCH_MODULE XG_MODULE
