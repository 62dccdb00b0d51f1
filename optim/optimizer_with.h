#pragma once
// The base of an optimizer with options type Options: it holds what every optimizer shares, so
// an optimizer is its options and its update rule.
//   class My : public OptimizerWith<My, MyOptions> {
//    public:
//     using OptimizerWith::OptimizerWith;  // My(params, defaults), My(param_groups, defaults)
//     static constexpr std::array kBufferNames{"velocity"};  // the buffers it may keep per parameter
//     // One parameter's update (grad mode off), with its group's options.
//     static void update_param(Tensor& p, const Tensor& grad, ParamState& state, const MyOptions& o);
//   };
#include <string>
#include <utility>
#include <vector>

#include "optim/optimizer.h"

namespace xg::optim {

template <class Derived, class Options> class OptimizerWith : public Optimizer {
 public:
  // Without defaults only where Options has a default lr (Adam's has, SGD's has not, as LibTorch).
  OptimizerWith(std::vector<Tensor> params, Options defaults = {})
      : OptimizerWith(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}
  OptimizerWith(std::vector<OptimizerParamGroup> param_groups, Options defaults = {})
      : Optimizer(std::move(param_groups), std::make_unique<Options>(std::move(defaults))) {}

 protected:
  void update(Tensor& p, const Tensor& grad, ParamState& state, const OptimizerOptions& options) override {
    Derived::update_param(p, grad, state, static_cast<const Options&>(options));  // the base checked the type
  }
  std::vector<std::string> buffer_names() const override {
    return {std::begin(Derived::kBufferNames), std::end(Derived::kBufferNames)};
  }
};

}  // namespace xg::optim
