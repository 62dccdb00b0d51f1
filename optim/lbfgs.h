#pragma once
// L-BFGS as PyTorch's torch.optim.LBFGS (1.13): full-batch, one param group, and step(closure)
// runs up to max_iter iterations, calling the closure (which must zero the gradients, compute the
// loss, call backward and return the loss) as often as it needs. Each iteration takes the
// two-loop recursion's direction over the last history_size (s, y) pairs, then a step of lr
// (the first iteration of all: min(1, 1/‖g‖₁)·lr), or the strong-Wolfe line search's step
// (cubic interpolation, c1 = 1e-4, c2 = 0.9, at most 25 evaluations). It stops at max_iter,
// after max_eval closure evaluations, when max|g| <= tolerance_grad, or when the step or the
// change in loss falls below tolerance_change. Trajectories and evaluation counts match PyTorch's
// in float64 (tests/reference/lbfgs_reference.py); the history is kept in float64 whatever the
// parameters' dtype.
//   xg::optim::LBFGS opt(net.parameters(), xg::optim::LBFGSOptions(1).line_search_fn("strong_wolfe"));
//   opt.step([&] { opt.zero_grad(); auto loss = criterion(net(x), y); loss.backward(); return loss; });
#include <cstdint>
#include <string>
#include <vector>

#include "optim/options.h"

namespace xg::optim {

enum class LineSearch { none, strong_wolfe };

// max_eval 0 stands for PyTorch's None: max_iter * 5 / 4.
#define XG_LBFGS_OPTIONS(option)                                \
  option(double, lr, 1, rule::nonneg)                           \
  option(std::int64_t, max_iter, 20, rule::at_least_1)          \
  option(std::int64_t, max_eval, 0, rule::at_least_0)           \
  option(double, tolerance_grad, 1e-7, rule::nonneg)            \
  option(double, tolerance_change, 1e-9, rule::nonneg)          \
  option(std::int64_t, history_size, 100, rule::at_least_1)     \
  option(LineSearch, line_search_fn, LineSearch::none, rule::Enumerator{2, "must be none or strong_wolfe"})

struct LBFGSOptions : public OptimizerOptionsFor<LBFGSOptions> {
  static constexpr const char* kOptimizerName = "LBFGS";
  LBFGSOptions(double lr = 1);  // NOLINT: implicit, as LibTorch
  XG_OPTIONS(LBFGSOptions, XG_LBFGS_OPTIONS)

 public:
  // LibTorch's spelling: line_search_fn("strong_wolfe"); "none" (or "") for a fixed step.
  LBFGSOptions& line_search_fn(const std::string& name);
  LBFGSOptions& line_search_fn(const char* name) { return line_search_fn(std::string(name)); }
  std::int64_t max_evals() const { return max_eval() > 0 ? max_eval() : max_iter() * 5 / 4; }
};

class LBFGS : public Optimizer {
 public:
  // One param group only (as PyTorch): ValueError otherwise.
  LBFGS(std::vector<Tensor> params, LBFGSOptions defaults = {});
  LBFGS(std::vector<OptimizerParamGroup> param_groups, LBFGSOptions defaults = {});

  // The closure is required. Returns the loss of its first evaluation in this step.
  Tensor step(LossClosure closure = nullptr) override;
  // Options as every optimizer's, plus "lbfgs.<name>" for the history (d, t, old_dirs, old_stps,
  // ro, H_diag, prev_flat_grad, prev_loss, al) and the counters func_evals and n_iter.
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& dict) override;

  // PyTorch's state['func_evals'] and state['n_iter']: closure evaluations and iterations so far.
  std::int64_t func_evals() const { return history_.func_evals; }
  std::int64_t n_iter() const { return history_.n_iter; }

  struct History {
    std::int64_t func_evals = 0, n_iter = 0;
    std::vector<double> d, prev_flat_grad, al;
    std::vector<std::vector<double>> old_dirs, old_stps;
    std::vector<double> ro;
    double t = 0, H_diag = 1, prev_loss = 0;
  };

 protected:
  void update(Tensor&, const Tensor&, ParamState&, const OptimizerOptions&) override {}
  std::vector<std::string> buffer_names() const override { return {}; }

 private:
  const LBFGSOptions& options_checked() const;
  History history_;
};

}  // namespace xg::optim
