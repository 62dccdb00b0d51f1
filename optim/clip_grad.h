#pragma once
// Gradient clipping for exploding gradients, as torch.nn.utils (here in xg::optim, since nn and
// optim are separate folders): call after backward() and before step().
#include <limits>
#include <vector>

#include "tensor/tensor.h"

namespace xg::optim {

// Scales all gradients together so that their total norm is at most max_norm, exactly as
// PyTorch: total = ‖(‖g₁‖_p, …, ‖g_k‖_p)‖_p over the parameters that have a gradient (the max
// |g| for p = inf); when max_norm / (total + 1e-6) is below 1, every gradient is multiplied by it in
// place. Returns the total norm before clipping (0 if no parameter has a gradient). Norms are
// accumulated in double.
// ValueError for max_norm < 0, norm_type <= 0, or (error_if_nonfinite) a NaN/inf total norm, in
// which case no gradient is changed.
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);
double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

// Clamps every gradient element into [-clip_value, clip_value]. ValueError for clip_value < 0.
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);
void clip_grad_value_(const Tensor& parameter, double clip_value);

// ‖g‖_p of one gradient (p > 0 or inf), accumulated in double.
double grad_norm(const Tensor& grad, double norm_type = 2.0);

inline constexpr double kInfNorm = std::numeric_limits<double>::infinity();

}  // namespace xg::optim
