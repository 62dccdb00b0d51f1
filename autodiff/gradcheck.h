#pragma once
// Gradient checking as public API, for users' own tests:
//   auto r = xg::gradcheck([&](const std::vector<xg::Tensor>& x) { return my_op(x[0], x[1]); }, {a, b});
//   CHECK_MESSAGE(r.ok, r.report);
// Compares the Jacobian from backward with central finite differences in float64. As PyTorch's
// gradcheck, the inputs themselves are perturbed in place (and restored bit for bit afterwards,
// also when the function throws), so a function that closes over them sees the perturbation.
// Each input is an independent variable: one computed by other ops (a non-leaf) is replaced by a
// detached copy, whose history would otherwise add gradient paths its perturbation does not.
// The module form, xg::gradcheck(module, {x}), is in nn/gradcheck.h.
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

// Thrown instead of returning a failed result when raise_exception is set.
class GradcheckError : public AutogradError {
 public:
  using AutogradError::AutogradError;
};

// PyTorch's options, with its defaults except raise_exception (xgrad returns the result).
struct GradcheckOptions {
  double eps = 1e-6;                  // finite-difference step
  double atol = 1e-5;                 // an element passes when |analytic - numeric| <= atol + rtol * |numeric|
  double rtol = 1e-3;
  bool raise_exception = false;       // throw GradcheckError with the report instead of returning it
  double nondet_tol = 0.0;            // how far two backward passes over the same graph may differ
  bool check_undefined_grad = true;   // zero output gradients must give zero (or no) input gradients
  bool fast_mode = false;             // compare vᵀJu for random u, v instead of the whole Jacobian
};

using GradcheckFn = std::function<Tensor(const std::vector<Tensor>&)>;

// Inputs that require grad must be float64 and are checked; the others are constants.
GradcheckResult gradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, const GradcheckOptions& options = {});
GradcheckResult gradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, double eps, double atol = 1e-5,
                          double rtol = 1e-3);

// Checks second derivatives: gradcheck of the function inputs -> d<fn(inputs), v>/d inputs for a
// fixed random v, computed with create_graph=true.
GradcheckResult gradgradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs,
                              const GradcheckOptions& options = {});
GradcheckResult gradgradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, double eps, double atol = 1e-5,
                              double rtol = 1e-3);

namespace detail {
// The same, naming input i as names[i] in the reports ("parameter 'fc1.weight'"); `who` names
// the caller in errors.
GradcheckResult gradcheck_named(const GradcheckFn& fn, const std::vector<Tensor>& inputs,
                                const std::vector<std::string>& names, const GradcheckOptions& options, const char* who);
GradcheckResult gradgradcheck_named(const GradcheckFn& fn, const std::vector<Tensor>& inputs,
                                    const std::vector<std::string>& names, const GradcheckOptions& options,
                                    const char* who);
}  // namespace detail

}  // namespace xg
