#pragma once
// torch::nn::utils: gradient clipping under LibTorch's names (the same functions as
// xg::optim::clip_grad_norm_ and clip_grad_value_, see optim/clip_grad.h).
//   xg::nn::utils::clip_grad_norm_(model->parameters(), /*max_norm=*/1.0);
#include "optim/clip_grad.h"

namespace xg::nn::utils {
using optim::clip_grad_norm_;
using optim::clip_grad_value_;
}  // namespace xg::nn::utils
