// NAdam, RAdam and Adamax: trajectories on the fixed problem of tests/check.h against PyTorch 1.13
// in float64 (tests/reference/optim_more_reference.py), float32 agreement, PyTorch's defaults,
// a run resumed from state_dict continues bit for bit, and bad options are refused.
#include "check.h"

using xg::Tensor;
namespace optim = xg::optim;

namespace {

using xgt::check_rows;
using xgt::factory;
using xgt::problem_loss;
using xgt::Rows;
using xgt::theta0;
using xgt::trajectory;

void run_steps(optim::Optimizer& opt, Tensor& p, int n) {
  for (int i = 0; i < n; ++i) {
    opt.zero_grad();
    problem_loss(p.to(xg::kFloat64)).backward();
    opt.step();
  }
}

}  // namespace

TEST_CASE("optim: NAdam trajectories match PyTorch 1.13, its momentum schedule included") {
  // optim_more_reference.py: "NAdam lr=0.1"
  check_rows(trajectory(factory<optim::NAdam>(optim::NAdamOptions(0.1))),
             {{0.6049531147513826, -1.6049531167182556, 1.8950468834856873},
              {0.6716391644221007, -1.6707863940943024, 1.8219163780645273},
              {0.7267900774062139, -1.7249912422191906, 1.755807330505872},
              {0.774365590920228, -1.7717236493533206, 1.6917576328374897},
              {0.8144871938236911, -1.811315461600735, 1.6284221922842568},
              {0.8465422826573947, -1.8433416628123944, 1.5655368970554329}});
  // optim_more_reference.py: "NAdam lr=0.05 betas=(0.8,0.9) eps=1e-3 weight_decay=0.1 momentum_decay=0.01"
  check_rows(trajectory(factory<optim::NAdam>(
                 optim::NAdamOptions(0.05).betas({0.8, 0.9}).eps(1e-3).weight_decay(0.1).momentum_decay(0.01))),
             {{0.5541500576849755, -1.5542644721070618, 1.9457438073528823},
              {0.5939741634296859, -1.594445800237594, 1.903786771538915},
              {0.6305580436875716, -1.6316273233036465, 1.8636204571118078},
              {0.6654402642426216, -1.6674484910581189, 1.8233405512923107},
              {0.698447228809394, -1.701869086413795, 1.782602938045788},
              {0.7289303029890318, -1.7343892878205593, 1.7414808686508099}});
  const optim::NAdamOptions d;
  CHECK(d.lr() == 2e-3);
  CHECK(std::get<0>(d.betas()) == 0.9);
  CHECK(std::get<1>(d.betas()) == 0.999);
  CHECK(d.eps() == 1e-8);
  CHECK(d.weight_decay() == 0);
  CHECK(d.momentum_decay() == 4e-3);
  // By hand, step 1 from θ₀[0] = 0.5 (∇ = −0.5 + 0.2·0.125 = −0.475): m = 0.1∇, v = 0.001∇²,
  // denom = |∇| + ε, μ₁ = 0.9(1 − ½·0.96^0.004), μ₂ = 0.9(1 − ½·0.96^0.008), Π = μ₁, Π' = μ₁²μ₂:
  // θ = 0.5 + 0.1(1 − μ₁)/(1 − μ₁) + 0.1·μ₂·0.1/(1 − μ₁²μ₂) (the ∇/denom ratio is −1 up to ε).
  const double mu1 = 0.9 * (1 - 0.5 * std::pow(0.96, 0.004)), mu2 = 0.9 * (1 - 0.5 * std::pow(0.96, 0.008));
  const double by_hand = 0.5 + 0.1 + 0.1 * mu2 * 0.1 / (1 - mu1 * mu1 * mu2);
  CHECK(trajectory(factory<optim::NAdam>(optim::NAdamOptions(0.1)), 1)[0][0] == doctest::Approx(by_hand).epsilon(1e-7));
}

TEST_CASE("optim: RAdam trajectories match PyTorch 1.13, before and after the rectification starts") {
  // optim_more_reference.py: "RAdam lr=0.1 (rectified from step 6)"; steps 1-5 are momentum steps
  // θ −= lr·m̂: step 1 moves by lr·∇ exactly (∇₀ = [−0.475, 4.325, 1.15]).
  check_rows(trajectory(factory<optim::RAdam>(optim::RAdamOptions(0.1)), 8),
             {{0.5475, -1.9325, 1.765},
              {0.592088246875, -2.096926000493421, 1.5625171355263157},
              {0.6337434969823638, -2.0968649859425463, 1.3869938844365717},
              {0.6724559677316463, -2.015037270483475, 1.2340960799012575},
              {0.7082284078757999, -1.9095603883898231, 1.1003925815860545},
              {0.7106199716281222, -1.9086085934554269, 1.0982523542273255},
              {0.7135919377363307, -1.907430631011074, 1.0956466405100556},
              {0.7170537032456192, -1.9060627164192474, 1.092659175792333}});
  // optim_more_reference.py: "RAdam lr=0.05 betas=(0.8,0.9) eps=1e-3 weight_decay=0.1"
  check_rows(trajectory(factory<optim::RAdam>(optim::RAdamOptions(0.05).betas({0.8, 0.9}).eps(1e-3).weight_decay(0.1))),
             {{0.52125, -1.70875, 1.8725},
              {0.5417583364474826, -1.8499659520073783, 1.7550946398437501},
              {0.5614899855916855, -1.934312431900904, 1.6471931063050478},
              {0.5804141098489544, -1.973419139808187, 1.5481985353747285},
              {0.5985046422213647, -1.979048969142726, 1.4575153502681624},
              {0.6108266528979549, -1.9768316409833946, 1.4457276473147156}});
  const optim::RAdamOptions d;
  CHECK(d.lr() == 1e-3);
  CHECK(std::get<1>(d.betas()) == 0.999);
  CHECK(d.eps() == 1e-8);
  CHECK(d.weight_decay() == 0);
}

TEST_CASE("optim: Adamax trajectories match PyTorch 1.13") {
  // optim_more_reference.py: "Adamax lr=0.1" (step 1: u = |∇| + ε, so θ moves by lr·sign(∇) up to ε)
  check_rows(trajectory(factory<optim::Adamax>(optim::AdamaxOptions(0.1))),
             {{0.5999999978947369, -1.5999999997687862, 1.900000000425532},
              {0.6869900334758494, -1.6861622190164833, 1.8061368207101325},
              {0.7612526215372993, -1.7592178211502152, 1.7180348339640756},
              {0.8232156565537511, -1.8199761508976227, 1.6353431256479494},
              {0.8734603102531134, -1.869314094042791, 1.5577336098894303},
              {0.9127170069276442, -1.9081634325790826, 1.4848993139056892}});
  // optim_more_reference.py: "Adamax lr=0.05 betas=(0.8,0.9) eps=1e-3 weight_decay=0.1"
  check_rows(trajectory(factory<optim::Adamax>(optim::AdamaxOptions(0.05).betas({0.8, 0.9}).eps(1e-3).weight_decay(0.1))),
             {{0.5498826291079812, -1.5499880268199233, 1.9500196001568013},
              {0.6007343220202567, -1.6012832232711653, 1.8986818609558436},
              {0.6516481190874858, -1.653129185361973, 1.8459585121085809},
              {0.7014820340558626, -1.7045734698893398, 1.7918179621032726},
              {0.7488605375654535, -1.7544648804083551, 1.7362235003624915},
              {0.7922050519416838, -1.8014680975302453, 1.6791310118997023}});
  const optim::AdamaxOptions d;
  CHECK(d.lr() == 2e-3);
  CHECK(std::get<0>(d.betas()) == 0.9);
  CHECK(d.eps() == 1e-8);
}

TEST_CASE("optim: NAdam, RAdam and Adamax resume bit for bit from state_dict, in float64 and float32") {
  const std::vector<std::pair<std::string, xgt::OptimizerFactory>> cases = {
      {"NAdam", factory<optim::NAdam>(optim::NAdamOptions(0.05).weight_decay(0.1))},
      {"RAdam", factory<optim::RAdam>(optim::RAdamOptions(0.05).betas({0.8, 0.9}))},
      {"Adamax", factory<optim::Adamax>(optim::AdamaxOptions(0.05).weight_decay(0.1))},
  };
  for (const auto& [name, make] : cases) {
    CAPTURE(name);
    for (xg::DType dtype : {xg::kFloat64, xg::kFloat32}) {
      Tensor straight = theta0().detach().to(dtype).requires_grad_();
      auto opt1 = make({straight});
      run_steps(*opt1, straight, 3);
      const xg::StateDict saved = opt1->state_dict();
      const Tensor saved_param = straight.detach().clone();
      run_steps(*opt1, straight, 4);
      Tensor resumed = saved_param.clone().requires_grad_();
      auto opt2 = make({resumed});
      opt2->load_state_dict(saved);
      run_steps(*opt2, resumed, 4);
      CHECK(xg::equal(resumed.detach(), straight.detach()));
      CHECK(opt2->state(resumed)->step == 7);
      // float32 follows the float64 run closely.
      if (dtype == xg::kFloat32) {
        Tensor p64 = theta0();
        auto opt64 = make({p64});
        run_steps(*opt64, p64, 7);
        xgt::check_values(straight.to(xg::kFloat64), p64.to_vector<double>(), 1e-5);
      }
    }
  }
}

TEST_CASE("optim: NAdam, RAdam and Adamax refuse bad options, naming the option and its value") {
  Tensor p = theta0();
  XGT_CHECK_THROWS_MSG(optim::NAdam({p}, optim::NAdamOptions(-1)), xg::ValueError, "NAdam: invalid lr -1");
  XGT_CHECK_THROWS_MSG(optim::NAdam({p}, optim::NAdamOptions(0.1).momentum_decay(-0.5)), xg::ValueError,
                       "NAdam: invalid momentum_decay -0.5");
  XGT_CHECK_THROWS_MSG(optim::RAdam({p}, optim::RAdamOptions(0.1).betas({0.9, 1.0})), xg::ValueError,
                       "RAdam: invalid beta2 1");
  XGT_CHECK_THROWS_MSG(optim::Adamax({p}, optim::AdamaxOptions(0.1).eps(0)), xg::ValueError, "Adamax: invalid eps 0");
  CHECK(p.grad().defined() == false);
}
