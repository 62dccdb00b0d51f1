#pragma once
// Internal: the p-norms of clip_grad_norm_, grad_norm and the gradient-norm report, computed with
// the tensor reductions in float64 whatever the tensors' dtype (p > 0 or inf, already checked).
#include <vector>

#include "tensor/tensor.h"

namespace xg::optim::detail {

// ‖x‖_p over all elements: (Σ|x|^p)^(1/p), max |x| for inf; 0 for an empty tensor.
double p_norm(const Tensor& x, double p);
// ‖(n₁, …, n_k)‖_p: the norm of several tensors from their norms, as PyTorch's total norm.
double norm_of_norms(const std::vector<double>& norms, double p);

}  // namespace xg::optim::detail
