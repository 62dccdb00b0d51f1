#pragma once
// gradcheck and gradgradcheck of a module: its parameters and the inputs are checked together.
//   Net net;
//   auto r = xg::gradcheck(net, {x});          // net(x); every trainable parameter and x
//   CHECK_MESSAGE(r.ok, r.report);             // "... for parameter 'fc1.weight' (shape [3, 2]) ..."
// The check runs on float64 copies of the parameters, buffers and float inputs, swapped into the
// module's own tensor handles (set_data) for the check and swapped back afterwards: a float32
// module is checked in float64, and its values, buffers (BatchNorm's running statistics) and
// version counters end exactly as they began. Frozen parameters (requires_grad false) and inputs
// that do not require grad are constants. Put a module with dropout in eval() first: a forward
// that draws random numbers cannot be differentiated numerically.
#include <vector>

#include "autodiff/gradcheck.h"
#include "nn/module.h"

namespace xg {

GradcheckResult gradcheck(nn::Module& module, const std::vector<Tensor>& inputs, const GradcheckOptions& options = {});
GradcheckResult gradgradcheck(nn::Module& module, const std::vector<Tensor>& inputs,
                              const GradcheckOptions& options = {});

// For a module called some other way (several inputs, a method other than forward): fn computes
// the output from the inputs, and the module's parameters are checked along with them.
//   xg::gradcheck(net, [&](const std::vector<xg::Tensor>& in) { return net.score(in[0], in[1]); }, {a, b});
GradcheckResult gradcheck(nn::Module& module, const GradcheckFn& fn, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options = {});
GradcheckResult gradgradcheck(nn::Module& module, const GradcheckFn& fn, const std::vector<Tensor>& inputs,
                              const GradcheckOptions& options = {});

}  // namespace xg
