#pragma once
// Loss modules, as LibTorch's: holders around thin Impls over nn::functional that keep their options.
//   xg::nn::CrossEntropyLoss ce;  auto loss = ce(logits, labels);
//   xg::nn::MSELoss mse(xg::nn::MSELossOptions(xg::kSum));
#include "nn/functional.h"
#include "nn/module.h"
#include "nn/module_holder.h"

namespace xg::nn {

using functional::CrossEntropyOptions;
using functional::Reduction;
using MSELossOptions = functional::MSELossFuncOptions;
using L1LossOptions = functional::L1LossFuncOptions;
using SmoothL1LossOptions = functional::SmoothL1LossFuncOptions;
using HuberLossOptions = functional::HuberLossFuncOptions;
using BCELossOptions = functional::BinaryCrossEntropyFuncOptions;
using BCEWithLogitsLossOptions = functional::BinaryCrossEntropyWithLogitsFuncOptions;
using CrossEntropyLossOptions = functional::CrossEntropyFuncOptions;
using NLLLossOptions = functional::NLLLossFuncOptions;

// A loss: forward(input, target) = fn(input, target, options).
#define XG_LOSS(Name, Options, fn)                                                                          \
  class Name##Impl : public Module {                                                                        \
   public:                                                                                                  \
    explicit Name##Impl(Options options = {}) : options(std::move(options)) {}                              \
    Tensor forward(const Tensor& input, const Tensor& target) { return functional::fn(input, target, options); } \
    std::string type_name() const override { return #Name; }                                                \
    Options options;                                                                                        \
  };                                                                                                        \
  XG_MODULE(Name)
XG_LOSS(MSELoss, MSELossOptions, mse_loss);
XG_LOSS(L1Loss, L1LossOptions, l1_loss);
XG_LOSS(SmoothL1Loss, SmoothL1LossOptions, smooth_l1_loss);
XG_LOSS(HuberLoss, HuberLossOptions, huber_loss);
XG_LOSS(BCELoss, BCELossOptions, binary_cross_entropy);
XG_LOSS(BCEWithLogitsLoss, BCEWithLogitsLossOptions, binary_cross_entropy_with_logits);
XG_LOSS(CrossEntropyLoss, CrossEntropyLossOptions, cross_entropy);
XG_LOSS(NLLLoss, NLLLossOptions, nll_loss);
#undef XG_LOSS

}  // namespace xg::nn
