// Modules the way LibTorch programs write them: holders, TORCH_MODULE, register_module returning
// the module, Sequential of holders and Functional, options with chained setters, loss modules.
// Every expected number is computed by hand in the comments.
#include <xgrad/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {
int failures = 0;
void check(bool ok, const char* what) {
  if (!ok) {
    std::printf("FAILED: %s\n", what);
    ++failures;
  }
}
bool close(const torch::Tensor& a, const std::vector<double>& want, double tol = 1e-6) {
  const auto v = a.to(torch::kFloat64).to_vector<double>();
  if (v.size() != want.size()) return false;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (std::abs(v[i] - want[i]) > tol) return false;
  return true;
}
template <class F> bool throws_value_error(F f) {
  try {
    f();
  } catch (const torch::ValueError&) {
    return true;
  }
  return false;
}

// A user's module as in pytorch/examples: forward takes the tensor by value and is not virtual.
struct NetImpl : torch::nn::Module {
  NetImpl(int64_t in, int64_t hidden, int64_t out) {
    fc1 = register_module("fc1", torch::nn::Linear(in, hidden));
    fc2 = register_module("fc2", torch::nn::Linear(torch::nn::LinearOptions(hidden, out).bias(false)));
  }
  torch::Tensor forward(torch::Tensor x) { return fc2(torch::relu(fc1->forward(x))); }
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(Net);

// Two inputs: works through the holder, as LibTorch's non-virtual forward does.
struct BilinearImpl : torch::nn::Module {
  BilinearImpl() { w = register_parameter("w", torch::ones({2})); }
  torch::Tensor forward(torch::Tensor a, torch::Tensor b) { return torch::sum(a * w * b); }
  torch::Tensor w;
};
TORCH_MODULE(Bilinear);

// Members constructed in place and registered by reference (xgrad's older style) still work.
struct InPlace : torch::nn::Module {
  torch::nn::Linear fc{3, 2};
  InPlace() { register_module("fc", fc); }
  torch::Tensor forward(const torch::Tensor& x) override { return fc(x); }
};

template <class M>
concept SequentialAccepts = requires(torch::nn::Sequential s, M m) { s->push_back(m); };

}  // namespace

int main() {
  // ----- holders: shared_ptr semantics -----
  torch::nn::Linear a(2, 1);
  torch::nn::Linear b = a;  // copies share the module
  check(a.get() == b.get() && a.ptr() == b.ptr(), "copied holders share one module");
  {
    torch::NoGradGuard no_grad;
    a->weight.copy_(torch::tensor({2.0, -1.0}).reshape({1, 2}));
    a->bias.fill_(0.5);
  }
  check(close(b->weight, {2.0, -1.0}), "a write through one holder is seen through the other");
  // y = 2·3 − 1·4 + 0.5 = 2.5, by ->forward, by operator(), and through the Impl reference.
  const auto x = torch::tensor({3.0, 4.0}).reshape({1, 2});
  check(close(a->forward(x), {2.5}) && close(a(x), {2.5}) && close((*a)(x), {2.5}), "Linear: forward, () and * agree");
  torch::nn::Linear empty{nullptr};
  check(empty.is_empty() && !empty && static_cast<bool>(a), "nullptr holder is empty");
  check(throws_value_error([&] { empty->forward(x); }), "an empty holder throws ValueError when used");
  empty = a;
  check(!empty.is_empty() && empty.get() == a.get(), "an empty holder can be assigned later");

  // ----- TORCH_MODULE, register_module returning the module -----
  Net net(2, 3, 1);
  const auto names = net->named_parameters();
  check(names.size() == 3 && names[0].first == "fc1.weight" && names[1].first == "fc1.bias" && names[2].first == "fc2.weight",
        "parameters are named fc1.weight, fc1.bias, fc2.weight (fc2 has no bias)");
  {
    torch::NoGradGuard no_grad;
    net->fc1->weight.copy_(torch::tensor({1.0, 0.0, 0.0, 1.0, 1.0, -1.0}).reshape({3, 2}));
    net->fc1->bias.copy_(torch::tensor({0.0, 0.0, 0.0}));
    net->fc2->weight.copy_(torch::tensor({1.0, 1.0, 1.0}).reshape({1, 3}));
  }
  // fc1(3, 4) = (3, 4, −1) → relu (3, 4, 0) → fc2 = 7
  check(close(net(x), {7.0}) && close(net->forward(x), {7.0}), "Net: holder call and forward agree (7)");
  // Forward hooks run when the holder is called.
  int calls = 0;
  auto handle = net->register_forward_hook([&calls](torch::nn::Module&, const torch::Tensor&, const torch::Tensor& y) {
    ++calls;
    return std::optional<torch::Tensor>(y * 2.0);
  });
  check(close(net(x), {14.0}) && calls == 1, "forward hooks run on the holder's operator()");
  handle.remove();
  // The user's forward(Tensor) is the module's forward through a Module& too (Sequential, gradcheck).
  torch::nn::Module& as_module = *net;
  check(close(as_module(x), {7.0}), "Module& reaches the user's forward(Tensor)");
  std::vector<Net> nets;
  for (int i = 0; i < 3; ++i) nets.push_back(Net(2, 3, 1));
  nets.push_back(net);
  check(nets.size() == 4 && nets[3].get() == net.get() && nets[0].get() != nets[1].get(), "std::vector<Net>");

  Bilinear bil;
  // Σ a·w·b = 1·1·3 + 2·1·4 = 11
  check(close(bil(torch::tensor({1.0, 2.0}), torch::tensor({3.0, 4.0})), {11.0}), "a two-input forward through the holder");
  static_assert(!SequentialAccepts<Bilinear>, "Sequential refuses a module that does not take one tensor (compile time)");
  static_assert(SequentialAccepts<Net> && SequentialAccepts<torch::nn::Linear>);
  check(throws_value_error([&] { static_cast<torch::nn::Module&>(*bil)(x); }),
        "a two-input module called through Module& is a ValueError, not a silent result");

  InPlace in_place;
  check(in_place.named_parameters().size() == 2 && in_place.named_parameters()[0].first == "fc.weight",
        "members constructed in place and registered by reference");

  // ----- Sequential: holders, Impls (shared_ptr), Functional, user modules -----
  torch::nn::Sequential seq(a, torch::nn::Functional(torch::relu), torch::nn::Functional(torch::leaky_relu, 0.5),
                            std::make_shared<torch::nn::IdentityImpl>(),
                            torch::nn::Functional([](torch::Tensor t) { return t * 3.0; }));
  seq->push_back(torch::nn::Linear(1, 1));
  seq->push_back("net_head", torch::nn::Flatten());
  check(seq->size() == 7, "Sequential holds 7 modules");
  auto& last_linear = seq->at<torch::nn::Linear>(5);
  {
    torch::NoGradGuard no_grad;
    last_linear.weight.fill_(2.0);
    last_linear.bias.fill_(1.0);
  }
  // a(x) = 2.5 → relu 2.5 → leaky 2.5 → id → ×3 = 7.5 → 2·7.5 + 1 = 16; a(−x) = −1.5 → relu 0 → … → 1
  const auto xs = torch::tensor({3.0, 4.0, -3.0, -4.0}).reshape({2, 2});
  check(close(seq(xs), {16.0, 1.0}), "Sequential output (16, 1)");
  torch::nn::Sequential with_net(net, torch::nn::Functional(torch::tanh));
  check(close(with_net->forward(x), {std::tanh(7.0)}), "Sequential reaches a TORCH_MODULE's forward(Tensor)");
  check(seq->named_parameters().size() == 4 && seq->named_parameters()[2].first == "5.weight", "Sequential names its children 0, 1, ...");
  check(throws_value_error([&] { seq->at<torch::nn::Conv2d>(0); }), "Sequential::at with the wrong type");

  // ----- options with chained setters -----
  torch::nn::Linear nobias(torch::nn::LinearOptions(4, 3).bias(false));
  check(!nobias->bias.defined() && nobias->named_parameters().size() == 1, "LinearOptions().bias(false)");
  torch::nn::BatchNorm1d bn(torch::nn::BatchNorm1dOptions(2).eps(0.5).momentum(0.25).affine(false));
  check(bn->parameters().empty() && bn->eps == 0.5 && bn->momentum == 0.25, "BatchNorm1dOptions");
  // Batch (1, 3) per feature: mean (2, 1)... column 0 = {1, 3}: mean 2, biased var 1 → (x−2)/√1.5.
  const auto bx = torch::tensor({1.0, 0.0, 3.0, 2.0}).reshape({2, 2});
  const double s = 1 / std::sqrt(1.5);
  check(close(bn(bx), {-s, -s, s, s}), "BatchNorm1d with eps 0.5 normalizes by √(var + 0.5)");
  // running_mean = 0.75·0 + 0.25·(2, 1); running_var = 0.75·1 + 0.25·(unbiased 2, 2)
  check(close(bn->running_mean, {0.5, 0.25}) && close(bn->running_var, {1.25, 1.25}), "BatchNorm1d momentum 0.25");
  torch::nn::Dropout drop(torch::nn::DropoutOptions().p(0.25));
  check(drop->p == 0.25, "DropoutOptions().p(0.25)");
  drop->eval();
  check(close(drop(bx), {1.0, 0.0, 3.0, 2.0}), "Dropout in eval is the identity");
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(1, 2, 3).stride(2).padding(1).bias(false));
  const auto img = torch::ones({1, 1, 5, 5});
  check(conv(img).sizes() == std::vector<int64_t>{1, 2, 3, 3} && !conv->bias.defined(), "Conv2dOptions(1, 2, 3).stride(2).padding(1)");
  torch::nn::MaxPool2d pool(torch::nn::MaxPool2dOptions(2).stride(1));
  check(pool(img).sizes() == std::vector<int64_t>{1, 1, 4, 4}, "MaxPool2dOptions(2).stride(1)");

  // ----- functional options and reduction enums -----
  namespace F = torch::nn::functional;
  const auto logits = torch::tensor({0.0, 0.0, 0.0, 1.0, 1.0, 1.0}).reshape({2, 3});
  const auto target = torch::tensor({0, 2}, torch::kInt64);
  // Uniform logits: each sample's loss is ln 3.
  const double ln3 = std::log(3.0);
  check(close(F::cross_entropy(logits, target, F::CrossEntropyFuncOptions().reduction(torch::kSum)), {2 * ln3}), "kSum");
  check(close(F::cross_entropy(logits, target, F::CrossEntropyFuncOptions().reduction(torch::kNone)), {ln3, ln3}), "kNone");
  check(close(F::cross_entropy(logits, target), {ln3}), "kMean by default");
  // NLL picks −input[i, target_i]: −(0) and −(1) summed = −1; with ignore_index 2 only the first.
  check(close(F::nll_loss(logits, target, F::NLLLossFuncOptions().reduction(torch::kSum)), {-1.0}), "NLLLossFuncOptions kSum");
  check(close(F::nll_loss(logits, target, F::NLLLossFuncOptions().ignore_index(2)), {0.0}), "NLLLossFuncOptions ignore_index");
  check(close(F::dropout(bx, F::DropoutFuncOptions().p(0.5).training(false)), {1.0, 0.0, 3.0, 2.0}), "DropoutFuncOptions training(false)");
  check(close(F::mse_loss(bx, torch::zeros({2, 2}), F::MSELossFuncOptions(torch::kSum)), {14.0}), "MSELossFuncOptions(kSum)");

  // ----- loss modules are holders too -----
  torch::nn::CrossEntropyLoss ce;
  torch::nn::CrossEntropyLoss ce_sum(torch::nn::CrossEntropyLossOptions().reduction(torch::kSum));
  check(close(ce(logits, target), {ln3}) && close(ce_sum->forward(logits, target), {2 * ln3}), "CrossEntropyLoss modules");
  torch::nn::MSELoss mse(torch::nn::MSELossOptions(torch::kMean));
  check(close(mse(bx, torch::zeros({2, 2})), {3.5}), "MSELoss (1 + 0 + 9 + 4) / 4");

  // ----- torch::save / torch::load: safetensors with PyTorch's key names -----
  const std::string path = (std::filesystem::temp_directory_path() / "xgrad_port_modules.safetensors").string();
  torch::save(net, path);
  Net restored(2, 3, 1);
  torch::load(restored, path);
  check(close(restored(x), {7.0}), "torch::save then torch::load gives the same function (7)");
  const auto saved = torch::load(path);
  check(saved.size() == 3 && saved.count("fc1.weight") && saved.count("fc1.bias") && saved.count("fc2.weight"),
        "the file's keys are fc1.weight, fc1.bias, fc2.weight");
  Net wider(2, 4, 1);
  const auto before = wider->fc1->weight.clone();
  bool refused = false;
  try {
    torch::load(wider, path);
  } catch (const torch::Error&) {
    refused = true;
  }
  check(refused && torch::equal(before, wider->fc1->weight), "loading mismatched shapes throws and changes nothing");
  std::filesystem::remove(path);

  // ----- nn::utils::clip_grad_norm_ / clip_grad_value_ -----
  std::vector<torch::Tensor> params = {torch::zeros({2}), torch::zeros({1})};
  params[0].set_grad(torch::tensor({3.0, 0.0}));
  params[1].set_grad(torch::tensor({4.0}));
  const double total = torch::nn::utils::clip_grad_norm_(params, 1.0);
  // ‖(3, 0, 4)‖ = 5; every gradient scaled by 1 / (5 + 1e-6).
  check(std::abs(total - 5.0) < 1e-12 && close(params[0].grad(), {0.6, 0.0}, 1e-5) && close(params[1].grad(), {0.8}, 1e-5),
        "clip_grad_norm_ returns 5 and scales to norm 1");
  torch::nn::utils::clip_grad_value_(params, 0.7);
  check(close(params[0].grad(), {0.6, 0.0}, 1e-5) && close(params[1].grad(), {0.7}, 1e-6), "clip_grad_value_ clamps at 0.7");

  // ----- printing -----
  std::ostringstream os;
  os << nobias;
  check(os.str() == "Linear(in_features=4, out_features=3, bias=false)", "a holder prints its module");

  // ----- Sequential of named modules, and clone() -----
  {
    torch::nn::Sequential named({{"fc1", torch::nn::Linear(2, 2)}, {"act", torch::nn::Functional(torch::relu)}});
    std::vector<std::string> keys;
    for (const auto& [key, value] : named->named_parameters()) keys.push_back(key);
    check(keys == std::vector<std::string>{"fc1.weight", "fc1.bias"}, "named Sequential: state_dict keys fc1.weight, fc1.bias");
    {
      torch::NoGradGuard no_grad;
      named->at<torch::nn::Linear>(0).weight.copy_(torch::tensor({{1.0, 0.0}, {0.0, -1.0}}));
      named->at<torch::nn::Linear>(0).bias.zero_();
    }
    // relu([x0, -x1]) at (2, 3) is (2, 0).
    check(close(named->forward(torch::tensor({{2.0, 3.0}})), {2.0, 0.0}), "named Sequential forward");

    Net net(3, 4, 2);
    auto copy = std::dynamic_pointer_cast<NetImpl>(net->clone());
    const auto x = torch::tensor({{1.0, -2.0, 0.5}});
    check(copy && torch::equal(copy->forward(x), net->forward(x)), "a clone computes what the original does");
    {
      torch::NoGradGuard no_grad;
      copy->fc1->weight.fill_(0.0);
    }
    check(!torch::equal(net->fc1->weight, copy->fc1->weight), "a clone's parameters are its own");
    auto seq_copy = std::dynamic_pointer_cast<torch::nn::SequentialImpl>(named->clone());
    check(seq_copy && torch::equal(seq_copy->forward(torch::tensor({{2.0, 3.0}})), named->forward(torch::tensor({{2.0, 3.0}}))),
          "a named Sequential clones with its names and values");
  }

  if (failures) return 1;
  std::printf("port_modules: all checks passed\n");
  return 0;
}
