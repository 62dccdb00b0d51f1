#pragma once
// Gradient checking as public API, for users' own tests:
//   auto r = xg::gradcheck([](const std::vector<xg::Tensor>& x) { return my_op(x[0], x[1]); }, {a, b});
//   CHECK_MESSAGE(r.ok, r.report);
// Compares the Jacobian from backward with central finite differences in float64.
#include <functional>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace xg {

struct GradcheckResult {
  bool ok = true;
  std::string report;  // on failure: input, element, analytic vs numeric, tolerances
  explicit operator bool() const { return ok; }
};

using GradcheckFn = std::function<Tensor(const std::vector<Tensor>&)>;

// Inputs must be float64; those with requires_grad are checked, the others are constants.
// An element passes when |analytic - numeric| <= atol + rtol * |numeric|.
GradcheckResult gradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, double eps = 1e-6,
                          double atol = 1e-5, double rtol = 1e-3);

// Checks second derivatives: gradcheck of the function inputs -> d<fn(inputs), v>/d inputs for a
// fixed random v, computed with create_graph=true.
GradcheckResult gradgradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, double eps = 1e-6,
                              double atol = 1e-5, double rtol = 1e-3);

}  // namespace xg
