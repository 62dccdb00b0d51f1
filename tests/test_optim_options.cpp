// optim/: the options machinery. Each options type lists its options once; these tests pin what
// that list produces (the state_dict keys and formats checkpoints rely on, the printed form,
// the checks) and that a new optimizer is only its options and its update.
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "check.h"
#include "optim/optim.h"

using xg::Tensor;
namespace optim = xg::optim;

namespace {

// "key: dtype shape" of every param_groups.0.* entry but params: the saved options.
std::map<std::string, std::string> saved_options(const optim::Optimizer& opt) {
  std::map<std::string, std::string> out;
  const std::string prefix = "param_groups.0.";
  for (const auto& [key, t] : opt.state_dict())
    if (key.rfind(prefix, 0) == 0 && key != prefix + "params")
      out[key.substr(prefix.size())] = std::string(xg::dtype_name(t.dtype())) + " " + xg::to_string(t.shape());
  return out;
}

std::vector<Tensor> one_param() { return {xgt::f64({1.0, 2.0}, {2})}; }

// A new optimizer, as a user would add one: sign descent θ ← θ − lr·scale·sign(∇).
#define SIGN_OPTIONS(option)                   \
  option(double, lr, 0.1, optim::rule::nonneg) \
  option(double, scale, 1, optim::rule::positive)
struct SignOptions : public optim::OptimizerOptionsFor<SignOptions> {
  static constexpr const char* kOptimizerName = "Sign";
  SignOptions(double lr = 0.1) { this->lr(lr); }  // NOLINT
  XG_OPTIONS(SignOptions, SIGN_OPTIONS)
};
class Sign : public optim::OptimizerWith<Sign, SignOptions> {
 public:
  using OptimizerWith::OptimizerWith;
  static constexpr std::array<const char*, 0> kBufferNames{};
  static void update_param(Tensor& p, const Tensor& grad, optim::ParamState& state, const SignOptions& o) {
    ++state.step;
    p.sub_(xg::sign(grad), o.lr() * o.scale());
  }
};

}  // namespace

TEST_CASE("optim options: the saved keys and formats are those of existing checkpoints") {
  using M = std::map<std::string, std::string>;
  const std::string d = "float64 []", i = "int64 []";
  CHECK(saved_options(optim::SGD(one_param(), optim::SGDOptions(0.1))) ==
        M{{"lr", d}, {"momentum", d}, {"dampening", d}, {"weight_decay", d}, {"nesterov", i}});
  const M adam{{"lr", d}, {"betas", "float64 [2]"}, {"eps", d}, {"weight_decay", d}, {"amsgrad", i}, {"eps_inside_sqrt", i}};
  CHECK(saved_options(optim::Adam(one_param())) == adam);
  CHECK(saved_options(optim::AdamW(one_param())) == adam);
  CHECK(saved_options(optim::RMSprop(one_param())) ==
        M{{"lr", d}, {"alpha", d}, {"eps", d}, {"weight_decay", d}, {"momentum", d}, {"centered", i}});
  CHECK(saved_options(optim::Adagrad(one_param())) ==
        M{{"lr", d}, {"lr_decay", d}, {"weight_decay", d}, {"initial_accumulator_value", d}, {"eps", d}});
  CHECK(saved_options(optim::EMAMomentum(one_param(), optim::MomentumOptions(0.1))) ==
        M{{"lr", d}, {"beta", d}, {"bias_correction", i}, {"weight_decay", d}});

  optim::SGD sgd(one_param(), optim::SGDOptions(0.1));
  std::vector<std::string> keys;
  for (const auto& [key, t] : optim::StepLR(sgd, 3, 0.5).state_dict()) keys.push_back(key);
  CHECK(keys == std::vector<std::string>{"base_lrs", "gamma", "last_epoch", "last_lr", "step_count", "step_size"});
  const auto multi = optim::MultiStepLR(sgd, {5, 2}, 0.5).state_dict();
  CHECK(multi.at("milestones").to_vector<std::int64_t>() == std::vector<std::int64_t>{2, 5});
  const auto plateau = optim::ReduceLROnPlateau(sgd, optim::ReduceLROnPlateauOptions().mode(optim::PlateauMode::max)).state_dict();
  CHECK(plateau.at("mode").dtype() == xg::kInt64);
  CHECK(plateau.at("mode").item<std::int64_t>() == 1);
  CHECK(plateau.at("patience").item<std::int64_t>() == 10);
  CHECK(plateau.at("min_lrs").to_vector<double>() == std::vector<double>{0.0});
  const auto ema = optim::ExponentialMovingAverage(0.5).state_dict();
  CHECK(ema.size() == 4);
  CHECK(ema.at("bias_correction").dtype() == xg::kInt64);
}

TEST_CASE("optim options: printed with every option, for logs and errors") {
  const auto adam = optim::AdamOptions(1e-3).betas({0.9, 0.99}).weight_decay(0.01);
  CHECK(adam.to_string() ==
        "Adam(lr=0.001, betas=(0.9, 0.99), eps=1e-08, weight_decay=0.01, amsgrad=false, eps_inside_sqrt=false)");
  std::ostringstream out;
  out << optim::SGDOptions(0.1).momentum(0.9).nesterov(true);
  CHECK(out.str() == "SGD(lr=0.1, momentum=0.9, dampening=0, weight_decay=0, nesterov=true)");
  CHECK(optim::AdamWOptions().to_string().rfind("AdamW(lr=0.001, ", 0) == 0);
  CHECK(optim::AdamWOptions().weight_decay() == 0.01);  // PyTorch's default; Adam's is 0
  CHECK(optim::AdamOptions().weight_decay() == 0);
  // A param group with another optimizer's options is named with its options.
  optim::SGD sgd(one_param(), optim::SGDOptions(0.1));
  CHECK(xgt::thrown_message<xg::ValueError>([&] {
          sgd.add_param_group(optim::OptimizerParamGroup({xgt::f64({1.0}, {1})}, std::make_unique<optim::AdamOptions>(0.5)));
        }) == "SGD: a param group has options of another optimizer (Adam(lr=0.5, betas=(0.9, 0.999), eps=1e-08, "
              "weight_decay=0, amsgrad=false, eps_inside_sqrt=false))");
}

TEST_CASE("optim options: chained setters keep the options type, also for options declared in a shared base") {
  static_assert(std::is_same_v<decltype(optim::AdamWOptions().betas({0.9, 0.9})), optim::AdamWOptions&>);
  static_assert(std::is_same_v<decltype(optim::AdamOptions().amsgrad(true)), optim::AdamOptions&>);
  static_assert(std::is_same_v<decltype(optim::SGDOptions(0.1).momentum(0.9)), optim::SGDOptions&>);
  const optim::AdamW w(one_param(), optim::AdamWOptions(0.1).betas({0.8, 0.9}).weight_decay(0.5));
  const auto& o = static_cast<const optim::AdamWOptions&>(w.defaults());
  CHECK(std::get<0>(o.betas()) == 0.8);
  CHECK(o.weight_decay() == 0.5);
}

TEST_CASE("optim options: a new optimizer is its options and its update") {
  Tensor p = xgt::f64({1.0, -2.0}, {2});
  Sign opt({p}, SignOptions(0.5).scale(2));
  p.set_grad(xgt::f64({3.0, -0.1}, {2}, false));
  opt.step();
  xgt::check_values(p, {0.0, -1.0});
  const auto saved = opt.state_dict();
  CHECK(saved.at("param_groups.0.scale").item<double>() == 2);
  Sign other({xgt::f64({0.0, 0.0}, {2})}, SignOptions(0.1));
  other.load_state_dict(saved);
  CHECK(other.param_groups()[0].lr() == 0.5);
  CHECK(other.state(other.parameters()[0])->step == 1);
  CHECK(xgt::thrown_message<xg::ValueError>([&] { Sign bad({p}, SignOptions(0.1).scale(0)); }) ==
        "Sign: invalid scale 0 (must be finite and > 0)");
  auto broken = saved;
  broken["param_groups.0.scale"] = xg::scalar_tensor(-1.0, xg::kFloat64);
  CHECK(xgt::thrown_message<xg::ValueError>([&] { other.load_state_dict(broken); }) ==
        "Sign.load_state_dict: param group 0: Sign: invalid scale -1 (must be finite and > 0)");
  CHECK(other.param_groups()[0].lr() == 0.5);  // unchanged
}

TEST_CASE("optim options: clip_grad_norm_ writes the gradients only when it clips") {
  Tensor p = xgt::f64({0.0, 0.0}, {2});
  p.set_grad(xgt::f64({3.0, 4.0}, {2}, false));
  const auto version = p.grad().version();
  CHECK(optim::clip_grad_norm_(p, 10.0) == doctest::Approx(5.0));
  CHECK(p.grad().version() == version);
  CHECK(optim::clip_grad_norm_(p, 1.0) == doctest::Approx(5.0));
  CHECK(p.grad().version() != version);
  xgt::check_values(p.grad(), {0.6 * 5 / (5 + 1e-6), 0.8 * 5 / (5 + 1e-6)});
}
