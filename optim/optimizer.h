#pragma once
// The optimizer base: parameter groups with their own options, zero_grad, step (with an optional
// closure that re-evaluates the loss, as LibTorch), and state_dict()/load_state_dict() so that a
// resumed run continues bit-for-bit. Names follow LibTorch's torch::optim.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tensor/state_dict.h"
#include "tensor/tensor.h"

namespace xg::optim {

using xg::NamedTensors;  // parameters with their dotted names, as nn's named_parameters() gives them
std::vector<Tensor> tensors_of(const NamedTensors& named);

// Re-evaluates the model and returns the loss (after calling backward), as torch's closure.
using LossClosure = std::function<Tensor()>;

// A comma inside an XG_OPTIM_ARG type: XG_OPTIM_ARG(std::tuple<double XG_COMMA double>, betas).
#define XG_COMMA ,

// An option with a chainable setter and a getter, like LibTorch's TORCH_ARG:
// SGDOptions(0.1).momentum(0.9).nesterov(true); opts.momentum() reads it back.
#define XG_OPTIM_ARG(T, name) XG_CHAINED_OPTION(std::remove_reference_t<decltype(*this)>, name, T)

// The same with the setter returning Self& (the type comes last, so it may hold commas): options
// declared once in a base that several options types share (Adam's, for AdamOptions and
// AdamWOptions) keep the derived type along a chain.
#define XG_CHAINED_OPTION(Self, name, ...)                                  \
 public:                                                                    \
  auto name(const __VA_ARGS__& new_##name)->Self& {                         \
    name##_ = new_##name;                                                   \
    return static_cast<Self&>(*this);                                       \
  }                                                                         \
  const __VA_ARGS__& name() const noexcept { return name##_; }              \
                                                                            \
 private:                                                                   \
  __VA_ARGS__ name##_

// The options of one parameter group. Each optimizer has its own subclass (SGDOptions, ...).
class OptimizerOptions {
 public:
  virtual ~OptimizerOptions() = default;
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  virtual const char* optimizer_name() const = 0;  // "SGD", used in error messages
  virtual double get_lr() const = 0;
  virtual void set_lr(double lr) = 0;
  // Throws ValueError naming the first invalid option and its value.
  virtual void validate() const = 0;
  // Writes every option as a 0-d tensor (or a 1-D tensor for betas) under prefix + name.
  virtual void save(StateDict& dict, const std::string& prefix) const = 0;
  // Reads every option back (ValueError on a missing or mistyped key); the caller validates.
  virtual void load(const StateDict& dict, const std::string& prefix) = 0;
  // "Adam(lr=0.001, betas=(0.9, 0.999), ...)", for logs and error messages.
  virtual std::string to_string() const;
};
std::ostream& operator<<(std::ostream& out, const OptimizerOptions& options);

template <class Derived> class OptimizerCloneableOptions : public OptimizerOptions {
 public:
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

// Parameters updated with one set of options. A group built without options takes the
// optimizer's defaults when it is added.
class OptimizerParamGroup {
 public:
  OptimizerParamGroup(std::vector<Tensor> params);  // NOLINT: implicit, as LibTorch
  OptimizerParamGroup(std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options);
  OptimizerParamGroup(const OptimizerParamGroup& other);
  OptimizerParamGroup& operator=(const OptimizerParamGroup& other);
  OptimizerParamGroup(OptimizerParamGroup&&) noexcept = default;
  OptimizerParamGroup& operator=(OptimizerParamGroup&&) noexcept = default;
  ~OptimizerParamGroup() = default;

  bool has_options() const { return options_ != nullptr; }
  OptimizerOptions& options();  // ValueError if the group has none
  const OptimizerOptions& options() const;
  void set_options(std::unique_ptr<OptimizerOptions> options) { options_ = std::move(options); }
  std::vector<Tensor>& params() { return params_; }
  const std::vector<Tensor>& params() const { return params_; }
  double lr() const { return options().get_lr(); }
  void set_lr(double lr) { options().set_lr(lr); }

 private:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
};

// Per-parameter state: the number of updates applied and the named buffers (moments, ...).
struct ParamState {
  std::int64_t step = 0;
  std::map<std::string, Tensor> buffers;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // Runs the closure (with grad mode on) if given, then updates every parameter that has a
  // gradient under NoGradGuard; parameters without a gradient (frozen) are skipped. Returns the
  // closure's loss, or an undefined tensor. Options and gradients are checked before anything
  // is written, so a failed step leaves parameters and state as they were.
  virtual Tensor step(LossClosure closure = nullptr);
  // Clears every parameter's gradient (set_to_none) or fills it with zeros.
  void zero_grad(bool set_to_none = true);
  // Adds a group; without options it takes a copy of the defaults. ValueError for a parameter
  // that is already optimized, a non-leaf or non-float tensor, or invalid options.
  void add_param_group(const OptimizerParamGroup& group);

  std::vector<OptimizerParamGroup>& param_groups() noexcept { return groups_; }
  const std::vector<OptimizerParamGroup>& param_groups() const noexcept { return groups_; }
  const OptimizerOptions& defaults() const noexcept { return *defaults_; }
  std::vector<Tensor> parameters() const;  // every parameter, in group order
  std::size_t size() const;                // number of parameters
  const char* name() const { return defaults_->optimizer_name(); }
  // The state of one parameter, or nullptr before its first update.
  const ParamState* state(const Tensor& param) const;

  // Keys: "param_groups.<g>.params" (int64 ids of the group's parameters, numbered over all
  // groups in order), "param_groups.<g>.<option>" (0-d tensors), "state.<id>.step" (int64) and
  // "state.<id>.<buffer>" (copies of the buffers).
  virtual StateDict state_dict() const;
  // Replaces options and state. The optimizer must have the same groups with the same number of
  // parameters (the shapes are checked); on any error nothing changes.
  virtual void load_state_dict(const StateDict& dict);

 protected:
  Optimizer(std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults);
  // One parameter's update (grad mode off). `grad` is defined with p's shape and dtype;
  // `options` has the optimizer's own options type.
  virtual void update(Tensor& p, const Tensor& grad, ParamState& state, const OptimizerOptions& options) = 0;
  // The buffer names this optimizer may keep per parameter (checked by load_state_dict).
  virtual std::vector<std::string> buffer_names() const = 0;

 private:
  void check_options(const OptimizerOptions& options) const;
  std::vector<OptimizerParamGroup> groups_;
  std::unique_ptr<OptimizerOptions> defaults_;
  std::unordered_map<const TensorImpl*, ParamState> state_;
};

namespace detail {
// The buffer `name` of a state, created as zeros like p (filled with `init`) when missing.
Tensor& buffer(ParamState& state, const std::string& name, const Tensor& p, double init = 0.0);
// Records an in-place update of p's data in its version counter.
void mark_updated(Tensor& p);
}  // namespace detail

}  // namespace xg::optim
