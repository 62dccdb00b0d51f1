#pragma once
// Layers: each is a few lines of autodiff ops around its parameters.
#include <memory>
#include <optional>

#include "nn/functional.h"
#include "nn/module.h"

namespace xg::nn {

// y = x Wᵀ + b, W: [out, in]. Initialized as PyTorch's Linear: W, b ~ U(-1/√in, 1/√in)
// (kaiming_uniform_ with a = √5), so runs line up with PyTorch's.
class Linear : public Module {
 public:
  Linear(std::int64_t in_features, std::int64_t out_features, bool bias = true, DType dtype = kFloat32);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Linear"; }
  std::string extra_repr() const override;
  void reset_parameters(Generator* gen = nullptr);

  std::int64_t in_features, out_features;
  Tensor weight, bias;
};

#define XG_ACTIVATION(Name, expr)                                     \
  class Name : public Module {                                        \
   public:                                                            \
    Tensor forward(const Tensor& x) override { return expr; }         \
    std::string type_name() const override { return #Name; }          \
  };
XG_ACTIVATION(ReLU, xg::relu(x))
XG_ACTIVATION(Sigmoid, xg::sigmoid(x))
XG_ACTIVATION(Tanh, xg::tanh(x))
XG_ACTIVATION(GELU, xg::gelu(x))
XG_ACTIVATION(SiLU, xg::silu(x))
XG_ACTIVATION(Identity, x)
#undef XG_ACTIVATION

// PyTorch's default slope is 0.01; the lecture uses 0.001.
class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : negative_slope(negative_slope) {}
  Tensor forward(const Tensor& x) override { return xg::leaky_relu(x, negative_slope); }
  std::string type_name() const override { return "LeakyReLU"; }
  std::string extra_repr() const override;
  double negative_slope;
};

class ELU : public Module {
 public:
  explicit ELU(double alpha = 1.0) : alpha(alpha) {}
  Tensor forward(const Tensor& x) override { return xg::elu(x, alpha); }
  std::string type_name() const override { return "ELU"; }
  std::string extra_repr() const override;
  double alpha;
};

class Softmax : public Module {
 public:
  explicit Softmax(std::int64_t dim) : dim(dim) {}
  Tensor forward(const Tensor& x) override { return xg::softmax(x, dim); }
  std::string type_name() const override { return "Softmax"; }
  std::string extra_repr() const override;
  std::int64_t dim;
};

class LogSoftmax : public Module {
 public:
  explicit LogSoftmax(std::int64_t dim) : dim(dim) {}
  Tensor forward(const Tensor& x) override { return xg::log_softmax(x, dim); }
  std::string type_name() const override { return "LogSoftmax"; }
  std::string extra_repr() const override;
  std::int64_t dim;
};

class Flatten : public Module {
 public:
  explicit Flatten(std::int64_t start_dim = 1, std::int64_t end_dim = -1) : start_dim(start_dim), end_dim(end_dim) {}
  Tensor forward(const Tensor& x) override { return xg::flatten(x, start_dim, end_dim); }
  std::string type_name() const override { return "Flatten"; }
  std::int64_t start_dim, end_dim;
};

// p = drop probability (PyTorch's meaning); the lecture's keep probability is 1 - p.
// Training: inverted dropout, survivors scaled by 1/(1-p); eval: identity. Masks come from
// `generator` if set, else the global generator: same seed, same masks.
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5);
  Tensor forward(const Tensor& x) override { return functional::dropout(x, p, is_training(), generator); }
  std::string type_name() const override { return "Dropout"; }
  std::string extra_repr() const override;
  double p;
  Generator* generator = nullptr;
};

// Batch normalization of [N, C] or [N, C, L] input over the batch (and length), per channel:
// y = γ (x - μ_B) / √(σ²_B + ε) + β. Training uses the batch's biased variance and updates
// running_mean / running_var (unbiased) with PyTorch's momentum meaning:
// running = (1 - momentum) running + momentum batch. Eval uses the running statistics.
class BatchNorm1d : public Module {
 public:
  explicit BatchNorm1d(std::int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1,
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

// Runs its children in order. Children are owned (shared_ptr).
//   xg::nn::Sequential net{std::make_shared<xg::nn::Linear>(2, 8), std::make_shared<xg::nn::ReLU>()};
class Sequential : public Module {
 public:
  Sequential() = default;
  Sequential(std::initializer_list<std::shared_ptr<Module>> modules);
  void push_back(std::shared_ptr<Module> m);                       // named "0", "1", ...
  void push_back(const std::string& name, std::shared_ptr<Module> m);
  template <class M, class... Args> std::shared_ptr<M> emplace_back(Args&&... args) {
    auto m = std::make_shared<M>(std::forward<Args>(args)...);
    push_back(m);
    return m;
  }
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Sequential"; }
  std::size_t size() const { return layers_.size(); }
  Module& operator[](std::size_t i) const;  // IndexError past the end

 private:
  std::vector<std::shared_ptr<Module>> layers_;
};

}  // namespace xg::nn
