#pragma once
// Layers: each is a few lines of autodiff ops around its parameters. As in LibTorch, XxxImpl is
// the module and Xxx its holder (nn/module_holder.h); options have chained setters:
//   nn::Linear fc(nn::LinearOptions(784, 64).bias(false));  nn::Dropout drop(0.2);
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <functional>
#include <type_traits>

#include "nn/functional.h"
#include "nn/module.h"
#include "nn/module_holder.h"
#include "optim/option_list.h"

namespace xg::nn {

// y = x Wᵀ + b, W: [out, in]. Initialized as PyTorch's Linear: W, b ~ U(-1/√in, 1/√in)
// (kaiming_uniform_ with a = √5), so runs line up with PyTorch's.
#define XG_LINEAR_OPTIONS(option)        \
  option(std::int64_t, in_features, 0)   \
  option(std::int64_t, out_features, 0)  \
  option(bool, bias, true)               \
  option(DType, dtype, kFloat32)  // not in LibTorch: the parameters' dtype
struct LinearOptions {
  LinearOptions(std::int64_t in_features, std::int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  XG_OPTIONS(LinearOptions, XG_LINEAR_OPTIONS)
};

class LinearImpl : public Module {
 public:
  explicit LinearImpl(const LinearOptions& o) : LinearImpl(o.in_features(), o.out_features(), o.bias(), o.dtype()) {}
  LinearImpl(std::int64_t in_features, std::int64_t out_features, bool bias = true, DType dtype = kFloat32);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Linear"; }
  std::string extra_repr() const override;
  void reset_parameters(Generator* gen = nullptr);

  std::int64_t in_features, out_features;
  Tensor weight, bias;
};
XG_MODULE(Linear);

#define XG_ACTIVATION(Name, expr)                             \
  class Name##Impl : public Module {                          \
   public:                                                    \
    Tensor forward(const Tensor& x) override { return expr; } \
    std::string type_name() const override { return #Name; } \
  };                                                          \
  XG_MODULE(Name);
XG_ACTIVATION(ReLU, xg::relu(x))
XG_ACTIVATION(Sigmoid, xg::sigmoid(x))
XG_ACTIVATION(Tanh, xg::tanh(x))
XG_ACTIVATION(GELU, xg::gelu(x))
XG_ACTIVATION(SiLU, xg::silu(x))
XG_ACTIVATION(Identity, x)
#undef XG_ACTIVATION

// PyTorch's default slope is 0.01; the lecture uses 0.001.
#define XG_LEAKY_RELU_OPTIONS(option) option(double, negative_slope, 0.01)
struct LeakyReLUOptions {
  XG_OPTIONS(LeakyReLUOptions, XG_LEAKY_RELU_OPTIONS)
};
class LeakyReLUImpl : public Module {
 public:
  explicit LeakyReLUImpl(double negative_slope = 0.01) : negative_slope(negative_slope) {}
  explicit LeakyReLUImpl(const LeakyReLUOptions& o) : negative_slope(o.negative_slope()) {}
  Tensor forward(const Tensor& x) override { return xg::leaky_relu(x, negative_slope); }
  std::string type_name() const override { return "LeakyReLU"; }
  std::string extra_repr() const override;
  double negative_slope;
};
XG_MODULE(LeakyReLU);

#define XG_ELU_OPTIONS(option) option(double, alpha, 1.0)
struct ELUOptions {
  XG_OPTIONS(ELUOptions, XG_ELU_OPTIONS)
};
class ELUImpl : public Module {
 public:
  explicit ELUImpl(double alpha = 1.0) : alpha(alpha) {}
  explicit ELUImpl(const ELUOptions& o) : alpha(o.alpha()) {}
  Tensor forward(const Tensor& x) override { return xg::elu(x, alpha); }
  std::string type_name() const override { return "ELU"; }
  std::string extra_repr() const override;
  double alpha;
};
XG_MODULE(ELU);

#define XG_SOFTMAX_OPTIONS(option) option(std::int64_t, dim, 0)
struct SoftmaxOptions {
  SoftmaxOptions(std::int64_t dim) : dim_(dim) {}
  XG_OPTIONS(SoftmaxOptions, XG_SOFTMAX_OPTIONS)
};
class SoftmaxImpl : public Module {
 public:
  explicit SoftmaxImpl(std::int64_t dim) : dim(dim) {}
  explicit SoftmaxImpl(const SoftmaxOptions& o) : dim(o.dim()) {}
  Tensor forward(const Tensor& x) override { return xg::softmax(x, dim); }
  std::string type_name() const override { return "Softmax"; }
  std::string extra_repr() const override;
  std::int64_t dim;
};
XG_MODULE(Softmax);

#define XG_LOGSOFTMAX_OPTIONS(option) option(std::int64_t, dim, 0)
struct LogSoftmaxOptions {
  LogSoftmaxOptions(std::int64_t dim) : dim_(dim) {}
  XG_OPTIONS(LogSoftmaxOptions, XG_LOGSOFTMAX_OPTIONS)
};
class LogSoftmaxImpl : public Module {
 public:
  explicit LogSoftmaxImpl(std::int64_t dim) : dim(dim) {}
  explicit LogSoftmaxImpl(const LogSoftmaxOptions& o) : dim(o.dim()) {}
  Tensor forward(const Tensor& x) override { return xg::log_softmax(x, dim); }
  std::string type_name() const override { return "LogSoftmax"; }
  std::string extra_repr() const override;
  std::int64_t dim;
};
XG_MODULE(LogSoftmax);

#define XG_FLATTEN_OPTIONS(option)    \
  option(std::int64_t, start_dim, 1)  \
  option(std::int64_t, end_dim, -1)
struct FlattenOptions {
  XG_OPTIONS(FlattenOptions, XG_FLATTEN_OPTIONS)
};
class FlattenImpl : public Module {
 public:
  explicit FlattenImpl(std::int64_t start_dim = 1, std::int64_t end_dim = -1) : start_dim(start_dim), end_dim(end_dim) {}
  explicit FlattenImpl(const FlattenOptions& o) : start_dim(o.start_dim()), end_dim(o.end_dim()) {}
  Tensor forward(const Tensor& x) override { return xg::flatten(x, start_dim, end_dim); }
  std::string type_name() const override { return "Flatten"; }
  std::int64_t start_dim, end_dim;
};
XG_MODULE(Flatten);

// p = drop probability (PyTorch's meaning); the lecture's keep probability is 1 - p.
// Training: inverted dropout, survivors scaled by 1/(1-p); eval: identity. Masks come from
// `generator` if set, else the global generator: same seed, same masks.
#define XG_DROPOUT_OPTIONS(option) option(double, p, 0.5)
struct DropoutOptions {
  DropoutOptions(double p = 0.5) : p_(p) {}
  XG_OPTIONS(DropoutOptions, XG_DROPOUT_OPTIONS)
};
class DropoutImpl : public Module {
 public:
  explicit DropoutImpl(double p = 0.5);
  explicit DropoutImpl(const DropoutOptions& o) : DropoutImpl(o.p()) {}
  Tensor forward(const Tensor& x) override { return functional::dropout(x, p, is_training(), generator); }
  std::string type_name() const override { return "Dropout"; }
  std::string extra_repr() const override;
  double p;
  Generator* generator = nullptr;
};
XG_MODULE(Dropout);

// Batch normalization of [N, C] or [N, C, L] input over the batch (and length), per channel:
// y = γ (x - μ_B) / √(σ²_B + ε) + β. Training uses the batch's biased variance and updates
// running_mean / running_var (unbiased) with PyTorch's momentum meaning:
// running = (1 - momentum) running + momentum batch. Eval uses the running statistics.
#define XG_BATCH_NORM_OPTIONS(option)             \
  option(std::int64_t, num_features, 0)           \
  option(double, eps, 1e-5)                       \
  option(std::optional<double>, momentum, 0.1)    \
  option(bool, affine, true)                      \
  option(bool, track_running_stats, true)         \
  option(DType, dtype, kFloat32)  // not in LibTorch: the parameters' dtype
struct BatchNormOptions {
  BatchNormOptions(std::int64_t num_features) : num_features_(num_features) {}
  XG_OPTIONS(BatchNormOptions, XG_BATCH_NORM_OPTIONS)
};
using BatchNorm1dOptions = BatchNormOptions;
using BatchNorm2dOptions = BatchNormOptions;

class BatchNorm1dImpl : public Module {
 public:
  explicit BatchNorm1dImpl(const BatchNormOptions& o)
      : BatchNorm1dImpl(o.num_features(), o.eps(), o.momentum(), o.affine(), o.track_running_stats(), o.dtype()) {}
  explicit BatchNorm1dImpl(std::int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1,
                       bool affine = true, bool track_running_stats = true, DType dtype = kFloat32);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "BatchNorm1d"; }
  std::string extra_repr() const override;
  void reset_running_stats();

  std::int64_t num_features;
  double eps;
  std::optional<double> momentum;
  bool affine, track_running_stats;
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;
};
XG_MODULE(BatchNorm1d);

// Wraps a function as a module, for Sequential: nn::Functional(xg::relu), or with the arguments
// after the input bound: nn::Functional(xg::leaky_relu, 0.2).
class FunctionalImpl : public Module {
 public:
  using Function = std::function<Tensor(const Tensor&)>;
  // f(x, args...); xg's ops take a trailing source location, given here when f needs it.
  template <class F, class... Args>
    requires(!std::is_base_of_v<FunctionalImpl, std::remove_cvref_t<F>>)
  explicit FunctionalImpl(F f, Args... args)
      : f_([f, args...](const Tensor& x) -> Tensor {
          if constexpr (std::is_invocable_v<const F&, const Tensor&, const Args&...>) return std::invoke(f, x, args...);
          else return std::invoke(f, x, args..., SourceLocation::current());
        }) {}
  Tensor forward(const Tensor& x) override { return f_(x); }
  std::string type_name() const override { return "Functional"; }

 private:
  Function f_;
};
XG_MODULE(Functional);

// Runs its children in order; each takes one tensor and returns one. Children are owned: holders,
// shared_ptrs to modules, or nn::Functional.
//   xg::nn::Sequential net(xg::nn::Linear(2, 8), xg::nn::Functional(xg::relu), xg::nn::Linear(8, 1));
// A module whose forward takes one tensor and returns one (what Sequential can chain).
template <class M>
concept OneTensorModule = std::derived_from<M, Module> && requires(M& m, const Tensor& x) {
  { m.forward(x) } -> std::convertible_to<Tensor>;
};

// One named entry of Sequential({{"fc1", nn::Linear(2, 3)}, {"act", nn::Functional(xg::relu)}}),
// as LibTorch's NamedAnyModule: a name and a holder or shared_ptr of a one-tensor module.
class NamedAnyModule {
 public:
  template <OneTensorModule M>
  NamedAnyModule(std::string name, const ModuleHolder<M>& m) : name_(std::move(name)), module_(m.ptr()) {}
  template <OneTensorModule M>
  NamedAnyModule(std::string name, std::shared_ptr<M> m) : name_(std::move(name)), module_(std::move(m)) {
    if (module_) detail::bind_forward(static_cast<M&>(*module_));
  }
  const std::string& name() const noexcept { return name_; }
  const std::shared_ptr<Module>& ptr() const noexcept { return module_; }

 private:
  std::string name_;
  std::shared_ptr<Module> module_;
};

class SequentialImpl : public Module {
 public:
  SequentialImpl() = default;
  // Children with names of their own (state_dict keys "fc1.weight"); ValueError for a repeated name.
  explicit SequentialImpl(std::initializer_list<NamedAnyModule> named) {
    for (const auto& m : named) push_back(m.name(), m.ptr());
  }
  template <class First, class... Rest>
    requires(!std::is_base_of_v<SequentialImpl, std::remove_cvref_t<First>>)
  explicit SequentialImpl(First&& first, Rest&&... rest) {
    push_back(std::forward<First>(first));
    (push_back(std::forward<Rest>(rest)), ...);
  }
  // Named "0", "1", ... unless a name is given.
  template <OneTensorModule M> void push_back(std::shared_ptr<M> m) { push_back(std::to_string(layers_.size()), std::move(m)); }
  template <OneTensorModule M> void push_back(const std::string& name, std::shared_ptr<M> m) {
    register_module(name, m);
    layers_.push_back(std::move(m));
  }
  template <OneTensorModule M> void push_back(const ModuleHolder<M>& m) { push_back(m.ptr()); }
  template <OneTensorModule M> void push_back(const std::string& name, const ModuleHolder<M>& m) { push_back(name, m.ptr()); }
  // emplace_back<LinearImpl>(2, 8) or emplace_back<Linear>(2, 8): constructs and appends the module.
  template <class M, class... Args> auto emplace_back(Args&&... args) {
    if constexpr (requires { typename M::ContainedType; }) {
      M m(std::forward<Args>(args)...);
      push_back(m);
      return m;
    } else {
      auto m = std::make_shared<M>(std::forward<Args>(args)...);
      push_back(m);
      return m;
    }
  }
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Sequential"; }
  // Clones each child under its name (a child that cannot be cloned is a ValueError); a subclass
  // is built again as any module (Module::clone).
  std::shared_ptr<Module> clone() const override;
  std::size_t size() const { return layers_.size(); }
  bool is_empty() const { return layers_.empty(); }
  Module& operator[](std::size_t i) const;  // IndexError past the end
  std::shared_ptr<Module> ptr(std::size_t i) const { return layers_.at(checked(i)); }
  // The i-th module as T (LinearImpl, or the holder's Impl for a holder), ValueError if it is not one.
  template <class T> auto& at(std::size_t i) const {
    auto* m = (*this)[i].template as<T>();
    if (!m) throw ValueError("Sequential::at: module " + std::to_string(i) + " is a " + (*this)[i].type_name());
    return *m;
  }

 private:
  std::size_t checked(std::size_t i) const;
  std::vector<std::shared_ptr<Module>> layers_;
};
// The holder, with LibTorch's Sequential({{"name", module}, ...}) besides XG_MODULE's constructors.
class Sequential : public ModuleHolder<SequentialImpl> {
 public:
  using ModuleHolder<SequentialImpl>::ModuleHolder;
  Sequential() = default;
  Sequential(std::initializer_list<NamedAnyModule> named) : ModuleHolder(std::make_shared<SequentialImpl>(named)) {}
};

}  // namespace xg::nn
