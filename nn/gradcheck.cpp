#include "nn/gradcheck.h"

#include <fmt/format.h>

#include <string>
#include <utility>

namespace xg {

namespace {

// Swaps copies of a module's parameters and buffers into their handles (float64 for floats; the
// forward may update buffers, as BatchNorm's running statistics), and the original data back when
// destroyed (also on exceptions).
class Float64Swap {
 public:
  explicit Float64Swap(nn::Module& module) {
    for (const auto& named : {module.named_parameters(), module.named_buffers()})
      for (const auto& [name, t] : named) {
        Tensor handle = t;
        originals_.emplace_back(handle, t.detach());
        handle.set_data(t.is_floating_point() ? t.detach().to(kFloat64).clone() : t.detach().clone());
      }
  }
  ~Float64Swap() {
    // Backwards, so a tensor listed twice (shared) gets its first, true original last.
    for (auto it = originals_.rbegin(); it != originals_.rend(); ++it) it->first.set_data(it->second);
  }
  Float64Swap(const Float64Swap&) = delete;
  Float64Swap& operator=(const Float64Swap&) = delete;

 private:
  std::vector<std::pair<Tensor, Tensor>> originals_;
};

template <class Check>
GradcheckResult check_module(nn::Module& module, const GradcheckFn& fn, const std::vector<Tensor>& inputs,
                             const GradcheckOptions& options, const char* who, Check&& check) {
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (!inputs[i].defined()) throw ValueError(fmt::format("{}: input {} is undefined", who, i));
  const Float64Swap swap(module);
  std::vector<Tensor> all;
  std::vector<std::string> names;
  for (const auto& [name, p] : module.named_parameters())
    if (p.requires_grad()) {
      all.push_back(p);
      names.push_back(fmt::format("parameter '{}'", name));
    }
  const std::size_t n_params = all.size();
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    all.push_back(x.is_floating_point() ? x.detach().to(kFloat64).clone().requires_grad_(x.requires_grad()) : x);
    names.push_back(fmt::format("input {}", i));
  }
  const GradcheckFn on_inputs = [&fn, n_params](const std::vector<Tensor>& xs) {
    return fn(std::vector<Tensor>(xs.begin() + static_cast<std::ptrdiff_t>(n_params), xs.end()));
  };
  return check(on_inputs, all, names, options, who);
}

GradcheckFn call_forward(nn::Module& module, std::size_t n_inputs, const char* who) {
  if (n_inputs != 1)
    throw ValueError(fmt::format("{}: a module is called with one input, got {}; pass a function that calls it "
                                 "(xg::{}(module, fn, inputs))",
                                 who, n_inputs, who));
  return [&module](const std::vector<Tensor>& in) { return module(in[0]); };
}

}  // namespace

GradcheckResult gradcheck(nn::Module& module, const GradcheckFn& fn, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options) {
  return check_module(module, fn, inputs, options, "gradcheck", detail::gradcheck_named);
}
GradcheckResult gradgradcheck(nn::Module& module, const GradcheckFn& fn, const std::vector<Tensor>& inputs,
                              const GradcheckOptions& options) {
  return check_module(module, fn, inputs, options, "gradgradcheck", detail::gradgradcheck_named);
}
GradcheckResult gradcheck(nn::Module& module, const std::vector<Tensor>& inputs, const GradcheckOptions& options) {
  return gradcheck(module, call_forward(module, inputs.size(), "gradcheck"), inputs, options);
}
GradcheckResult gradgradcheck(nn::Module& module, const std::vector<Tensor>& inputs, const GradcheckOptions& options) {
  return gradgradcheck(module, call_forward(module, inputs.size(), "gradgradcheck"), inputs, options);
}

}  // namespace xg
