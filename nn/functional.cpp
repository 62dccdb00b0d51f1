#include "nn/functional.h"

#include <fmt/format.h>

#include <cmath>
#include <utility>

#include "autodiff/grad_mode.h"
#include "optim/option_io.h"

namespace xg::nn::functional {

namespace {

Tensor reduce(const Tensor& loss, Reduction r) {
  switch (r) {
    case Reduction::None: return loss;
    case Reduction::Sum: return sum(loss);
    case Reduction::Mean: return mean(loss);
  }
  return loss;
}

void check_pair(const char* op, const Tensor& input, const Tensor& target) {
  if (!input.defined() || !target.defined()) throw ValueError(fmt::format("{}: input or target is undefined", op));
  if (!input.is_floating_point())
    throw DTypeError(fmt::format("{}: input must be float32 or float64, got {}", op, dtype_name(input.dtype())));
  if (target.dtype() != input.dtype())
    throw DTypeError(fmt::format("{}: target dtype {} differs from input dtype {}", op, dtype_name(target.dtype()),
                                 dtype_name(input.dtype())));
  if (!(input.shape() == target.shape()))
    throw ShapeError(fmt::format("{}: input shape {} and target shape {} differ", op, to_string(input.shape()),
                                 to_string(target.shape())));
}

// An optional per-element weight (BCE's weight, pos_weight): the input's dtype, and a shape that
// broadcasts to the input's without growing it.
void check_elementwise_weight(const char* op, const char* what, const Tensor& input, const Tensor& weight) {
  if (!weight.defined()) return;
  if (weight.dtype() != input.dtype())
    throw DTypeError(fmt::format("{}: {} has dtype {} but the input has dtype {}", op, what, dtype_name(weight.dtype()),
                                 dtype_name(input.dtype())));
  bool ok = weight.dim() <= input.dim();
  for (std::int64_t i = 1; ok && i <= weight.dim(); ++i)
    ok = weight.size(-i) == 1 || weight.size(-i) == input.size(-i);
  if (!ok)
    throw ShapeError(fmt::format("{}: {} of shape {} does not broadcast to the input's shape {}", op, what,
                                 to_string(weight.shape()), to_string(input.shape())));
}

// A class weight (nll_loss, cross_entropy): [C] and the input's dtype.
void check_class_weight(const char* op, const Tensor& input, const Tensor& weight) {
  if (!weight.defined()) return;
  if (weight.dtype() != input.dtype())
    throw DTypeError(fmt::format("{}: weight has dtype {} but the input has dtype {}; convert it with .to(...)", op,
                                 dtype_name(weight.dtype()), dtype_name(input.dtype())));
  if (!(weight.shape() == Shape{input.size(1)}))
    throw ShapeError(fmt::format("{}: weight must have shape [{}], got {}", op, input.size(1), to_string(weight.shape())));
}

}  // namespace

Tensor dropout(const Tensor& x, double p, bool training, Generator* gen) {
  if (!(p >= 0 && p < 1)) throw ValueError(fmt::format("dropout: p (drop probability) must be in [0, 1), got {}", p));
  if (!x.defined() || !x.is_floating_point()) throw DTypeError("dropout: expected a float tensor");
  if (!training || p == 0) return x;
  const Tensor mask = bernoulli(x.shape(), 1 - p, x.dtype(), gen);
  return x * (mask * (1 / (1 - p)));
}

Tensor batch_norm(const Tensor& x, Tensor running_mean, Tensor running_var, const Tensor& weight, const Tensor& bias,
                  bool training, std::optional<double> momentum, double eps, Tensor num_batches_tracked) {
  if (!x.defined() || !x.is_floating_point()) throw DTypeError("batch_norm: expected a float input");
  if (x.dim() != 2 && x.dim() != 3)
    throw ShapeError(fmt::format("batch_norm: expected input of shape [N, C] or [N, C, L], got {}", to_string(x.shape())));
  const std::int64_t C = x.size(1);
  for (const Tensor* t : {&std::as_const(running_mean), &std::as_const(running_var), &weight, &bias})
    if (t->defined() && !(t->shape() == Shape{C}))
      throw ShapeError(fmt::format("batch_norm: parameters and running stats must have shape [{}], got {}", C, to_string(t->shape())));
  const std::vector<std::int64_t> dims = x.dim() == 2 ? std::vector<std::int64_t>{0} : std::vector<std::int64_t>{0, 2};
  const Shape bshape = x.dim() == 2 ? Shape{1, C} : Shape{1, C, 1};
  const bool use_batch = training || !running_mean.defined();
  Tensor mu, var, centered;
  if (use_batch) {
    const std::int64_t per_channel = x.numel() / std::max<std::int64_t>(C, 1);
    if (per_channel <= 1)
      throw ValueError(fmt::format("batch_norm: expected more than 1 value per channel when training, got input shape {}",
                                   to_string(x.shape())));
    mu = mean(x, dims, true);
    centered = x - mu;
    var = mean(centered * centered, dims, true);  // biased, as PyTorch normalizes with it
    if (training && running_mean.defined()) {
      NoGradGuard ng;
      double m = momentum.value_or(0);
      if (num_batches_tracked.defined()) {
        num_batches_tracked.add_(1.0);
        if (!momentum) m = 1.0 / num_batches_tracked.item<double>();
      }
      const double n = static_cast<double>(per_channel);
      running_mean.mul_(1 - m).add_(reshape(mu, {C}).detach(), m);
      running_var.mul_(1 - m).add_(reshape(var, {C}).detach() * (n / (n - 1)), m);
    }
  } else {
    mu = reshape(running_mean, bshape);
    var = reshape(running_var, bshape);
    centered = x - mu;
  }
  // The per-channel factors are folded first, so the full-size tensor is touched by one multiply
  // and one add.
  Tensor scale = rsqrt(var + eps);
  if (weight.defined()) scale = scale * reshape(weight, bshape);
  Tensor y = centered * scale;
  if (bias.defined()) y = y + reshape(bias, bshape);
  return y;
}

Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossFuncOptions& options) {
  const Reduction r = options.reduction();
  check_pair("mse_loss", input, target);
  return reduce(square(input - target), r);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& options) {
  const Reduction r = options.reduction();
  check_pair("l1_loss", input, target);
  return reduce(abs(input - target), r);
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& options) {
  optim::detail::validate_options(options, "smooth_l1_loss");
  check_pair("smooth_l1_loss", input, target);
  const double beta = options.beta();
  const Tensor d = input - target;
  if (beta == 0) return reduce(abs(d), options.reduction());
  const Tensor ad = abs(d);
  return reduce(where(lt(ad, beta), d * d * (0.5 / beta), ad - 0.5 * beta), options.reduction());
}

Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossFuncOptions& options) {
  optim::detail::validate_options(options, "huber_loss");
  check_pair("huber_loss", input, target);
  const double delta = options.delta();
  const Tensor d = input - target;
  const Tensor ad = abs(d);
  return reduce(where(lt(ad, delta), d * d * 0.5, (ad - 0.5 * delta) * delta), options.reduction());
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, Reduction r) {
  check_pair("binary_cross_entropy", input, target);
  check_elementwise_weight("binary_cross_entropy", "weight", input, weight);
  {
    const auto v = input.to_vector<double>();
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!(v[i] >= 0 && v[i] <= 1))
        throw ValueError(fmt::format("binary_cross_entropy: input values must be probabilities in [0, 1]; element {} is {} "
                                     "(use binary_cross_entropy_with_logits for logits)",
                                     i, v[i]));
  }
  const Tensor log_p = clamp(log(input), -100.0, std::nullopt);
  const Tensor log_1mp = clamp(log(1.0 - input), -100.0, std::nullopt);
  Tensor loss = neg(target * log_p + (1.0 - target) * log_1mp);
  if (weight.defined()) loss = loss * weight;
  return reduce(loss, r);
}

Tensor binary_cross_entropy_with_logits(const Tensor& x, const Tensor& y, const Tensor& weight, const Tensor& pos_weight,
                                        Reduction r) {
  check_pair("binary_cross_entropy_with_logits", x, y);
  check_elementwise_weight("binary_cross_entropy_with_logits", "weight", x, weight);
  check_elementwise_weight("binary_cross_entropy_with_logits", "pos_weight", x, pos_weight);
  // log(1 + e^-|x|) + max(-x, 0) = -log sigmoid(x), computed without overflow.
  const Tensor log_sig_neg = log1p(exp(neg(abs(x)))) + relu(neg(x));
  Tensor loss;
  if (pos_weight.defined()) loss = (1.0 - y) * x + (1.0 + (pos_weight - 1.0) * y) * log_sig_neg;
  else loss = (1.0 - y) * x + log_sig_neg;
  if (weight.defined()) loss = loss * weight;
  return reduce(loss, r);
}

namespace {

// Checks targets, returns (targets with ignored entries replaced by 0, 1/0 mask of kept entries).
std::pair<Tensor, Tensor> checked_targets(const char* op, const Tensor& input, const Tensor& target, std::int64_t ignore_index) {
  if (!input.defined() || !target.defined()) throw ValueError(fmt::format("{}: input or target is undefined", op));
  if (!input.is_floating_point())
    throw DTypeError(fmt::format("{}: input must be float32 or float64 scores, got {}", op, dtype_name(input.dtype())));
  if (target.dtype() != kInt64)
    throw DTypeError(fmt::format("{}: targets must be int64 class indices, got {} (for probabilities use "
                                 "binary_cross_entropy or soft targets)",
                                 op, dtype_name(target.dtype())));
  if (input.dim() != 2 || target.dim() != 1 || target.size(0) != input.size(0))
    throw ShapeError(fmt::format("{}: expected input [N, C] and target [N], got {} and {}", op, to_string(input.shape()),
                                 to_string(target.shape())));
  const std::int64_t C = input.size(1);
  auto t = target.to_vector<std::int64_t>();
  std::vector<std::int64_t> safe(t.size());
  std::vector<double> keep(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == ignore_index) continue;
    if (t[i] < 0 || t[i] >= C)
      throw IndexError(fmt::format("{}: target {} of sample {} is out of range for {} classes", op, t[i], i, C));
    safe[i] = t[i];
    keep[i] = 1;
  }
  const auto n = static_cast<std::int64_t>(t.size());
  return {from_vector(safe, {n}), from_vector(keep, {n}).to(input.dtype())};
}

}  // namespace

Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& opt) {
  if (input.defined() && input.dim() == 1 && target.defined() && target.dim() == 0)
    return nll_loss(unsqueeze(input, 0), unsqueeze(target, 0), opt).reshape({});
  auto [safe, keep] = checked_targets("nll_loss", input, target, opt.ignore_index());
  check_class_weight("nll_loss", input, opt.weight());
  Tensor w = keep;
  if (opt.weight().defined()) w = w * index_select(opt.weight(), 0, safe);
  const Tensor picked = squeeze(gather(input, 1, unsqueeze(safe, 1)), 1);
  const Tensor loss = neg(picked) * w;
  switch (opt.reduction()) {
    case Reduction::None: return loss;
    case Reduction::Sum: return sum(loss);
    case Reduction::Mean: return sum(loss) / sum(w);
  }
  return loss;
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& opt) {
  if (input.defined() && input.dim() == 1 && target.defined() && target.dim() == 0)
    return cross_entropy(unsqueeze(input, 0), unsqueeze(target, 0), opt).reshape({});
  if (!(opt.label_smoothing() >= 0 && opt.label_smoothing() <= 1))
    throw ValueError(fmt::format("cross_entropy: label_smoothing must be in [0, 1], got {}", opt.label_smoothing()));
  auto [safe, keep] = checked_targets("cross_entropy", input, target, opt.ignore_index());
  check_class_weight("cross_entropy", input, opt.weight());
  const Tensor logp = log_softmax(input, 1);
  const Tensor nll = nll_loss(logp, target, NLLLossFuncOptions().weight(opt.weight()).ignore_index(opt.ignore_index()).reduction(opt.reduction()));
  if (opt.label_smoothing() == 0) return nll;
  // As PyTorch: (1 - ε)·nll + ε/C · smooth, where smooth_i = -Σ_c w_c log p_ic over kept samples.
  const auto C = static_cast<double>(input.size(1));
  const Tensor wlogp = opt.weight().defined() ? logp * reshape(opt.weight(), {1, -1}) : logp;
  const Tensor smooth = neg(sum(wlogp, {1})) * keep;
  Tensor smooth_red;
  switch (opt.reduction()) {
    case Reduction::None: smooth_red = smooth; break;
    case Reduction::Sum: smooth_red = sum(smooth); break;
    case Reduction::Mean:
      smooth_red = sum(smooth) / (opt.weight().defined() ? sum(index_select(opt.weight(), 0, safe) * keep) : sum(keep));
      break;
  }
  return nll * (1 - opt.label_smoothing()) + smooth_red * (opt.label_smoothing() / C);
}

}  // namespace xg::nn::functional
