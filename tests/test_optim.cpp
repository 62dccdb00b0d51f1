// optim/: the optimizers' update rules on the fixed problem of tests/check.h (xgt::problem_loss),
// in float64 and float32, and on a ravine. Expected trajectories come from
// tests/reference/optim_reference.py (PyTorch 1.13 in float64 for SGD/Adam/AdamW/RMSprop/Adagrad;
// the plain float64 formulas for the lecture's EMA momentum and Adam with ε inside the square
// root), pasted below. Param groups: test_optim_groups.cpp; state and options: test_optim_state.cpp.
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
using Factory = xgt::OptimizerFactory;

}  // namespace

TEST_CASE("optim: SGD trajectories match PyTorch (plain, momentum, dampening, nesterov, weight decay)") {
  // optim_reference.py: "SGD lr=0.1"
  check_rows(trajectory(factory<optim::SGD>(optim::SGDOptions(0.1))),
             {{0.5475, -1.9325, 1.765},
              {0.5894676690625, -1.8556594009375, 1.5917825575},
              {0.6264244303917093, -1.8722017831933, 1.4565291573602006},
              {0.6588657136198565, -1.868753430918919, 1.3469028319235177},
              {0.6872588170463084, -1.8694773133324716, 1.2556880892622362},
              {0.7120407493028054, -1.869325576330125, 1.178305496173141}});
  // Step 1 by hand: ∇ = a(θ−c) + 0.2θ³ = [−0.475, 4.325, 2.35] → θ − 0.1∇ = [0.5475, −1.9325, 1.765].
  // optim_reference.py: "SGD lr=0.05 momentum=0.9"
  check_rows(trajectory(factory<optim::SGD>(optim::SGDOptions(0.05).momentum(0.9))),
             {{0.52375, -1.71625, 1.8825},
              {0.5675007800976563, -2.002197614902344, 1.67547534734375},
              {0.626673766424844, -2.1781876571981904, 1.4127320367724743},
              {0.6961346925228757, -2.144140721250872, 1.1252492835376193},
              {0.7704692982297348, -1.9428546914059313, 0.8366358252060334},
              {0.8442732959582121, -1.7169332868255138, 0.5626117051049047}});
  // optim_reference.py: "SGD lr=0.05 momentum=0.9 dampening=0.3 weight_decay=0.1"
  // (the first step uses the plain gradient as the buffer: no dampening)
  check_rows(trajectory(factory<optim::SGD>(optim::SGDOptions(0.05).momentum(0.9).dampening(0.3).weight_decay(0.1))),
             {{0.52125, -1.70875, 1.8725},
              {0.5543155039238281, -1.9576570995292968, 1.681219246203125},
              {0.5965410556506582, -2.1371237367927387, 1.4492472219469439},
              {0.6450912207210929, -2.1748443045911534, 1.1974810532362212},
              {0.6970712073468955, -2.067977054473033, 0.9424744124442889},
              {0.7496449651854734, -1.8788602922808606, 0.696066349894185}});
  // optim_reference.py: "SGD lr=0.05 momentum=0.8 nesterov weight_decay=0.1"
  check_rows(trajectory(factory<optim::SGD>(optim::SGDOptions(0.05).momentum(0.8).nesterov(true).weight_decay(0.1))),
             {{0.53825, -1.87575, 1.7705},
              {0.5857563649939688, -1.9854984664767812, 1.51589419380275},
              {0.6370844562332738, -1.9381894895271163, 1.2670410523214533},
              {0.687802283316859, -1.8722300676822898, 1.0396734163694985},
              {0.734527616620089, -1.8407543742606154, 0.8405902359400388},
              {0.77492258442656, -1.8389410026539306, 0.6716832407099095}});
}

TEST_CASE("optim: Adam trajectories match PyTorch; eps inside the square root follows the lecture") {
  // optim_reference.py: "Adam lr=0.1" (first step moves each coordinate by lr·sign(∇), up to ε)
  check_rows(trajectory(factory<optim::Adam>(optim::AdamOptions(0.1))),
             {{0.5999999978947369, -1.5999999997687862, 1.900000000425532},
              {0.6982717760293612, -1.6980720819971307, 1.8005246960992227},
              {0.7923543108162848, -1.791638301191258, 1.701949831786074},
              {0.878054298281028, -1.8766204347475728, 1.6046609915433894},
              {0.9493401291302699, -1.9476153256420783, 1.5090446435507547},
              {1.0001708765112394, -1.9995325942933253, 1.4154788116452464}});
  // optim_reference.py: "Adam lr=0.1 betas=(0.8,0.9) eps=1e-3 weight_decay=0.1 amsgrad"
  check_rows(trajectory(factory<optim::Adam>(
                 optim::AdamOptions(0.1).betas({0.8, 0.9}).eps(1e-3).weight_decay(0.1).amsgrad(true))),
             {{0.5997652582159624, -1.5999760536398466, 1.9000392003136024},
              {0.6969122225205236, -1.6977363086182111, 1.8006105550785572},
              {0.7871710374144636, -1.7901125382945582, 1.7020905117413858},
              {0.858924038895637, -1.8684634231729793, 1.6048641292182275},
              {0.905386980744693, -1.9264418817361402, 1.5093174095969748},
              {0.9248451262014544, -1.9614163048358544, 1.4158295306005462}});
  // optim_reference.py: "Adam lr=0.1 eps=1e-2 eps_inside_sqrt" (formula θ −= lr·m̂/√(v̂ + ε))
  check_rows(trajectory(factory<optim::Adam>(optim::AdamOptions(0.1).eps(1e-2).eps_inside_sqrt(true))),
             {{0.5978549784986749, -1.599973280785068, 1.9000904159316878},
              {0.6935333689867519, -1.6980122878096906, 1.8007156424646906},
              {0.7846544795687502, -1.791540019203, 1.702251362967126},
              {0.8674515024492742, -1.8764836692740254, 1.6050828105572483},
              {0.9368512436942852, -1.9474519704078141, 1.5095957981693706},
              {0.9879064253298545, -1.9993680087315389, 1.416167394044475}});
  const optim::AdamOptions d;
  CHECK(d.lr() == 1e-3);
  CHECK(std::get<0>(d.betas()) == 0.9);
  CHECK(std::get<1>(d.betas()) == 0.999);
  CHECK(d.eps() == 1e-8);
  CHECK(d.weight_decay() == 0);
  CHECK_FALSE(d.amsgrad());
  CHECK_FALSE(d.eps_inside_sqrt());
}

TEST_CASE("optim: AdamW trajectories match PyTorch (decoupled weight decay, default 1e-2)") {
  CHECK(optim::AdamWOptions().weight_decay() == 1e-2);
  // optim_reference.py: "AdamW lr=0.1 (weight_decay 1e-2 default)"
  check_rows(trajectory(factory<optim::AdamW>(optim::AdamWOptions(0.1))),
             {{0.5994999978947368, -1.598499999768786, 1.898000000425532},
              {0.6971879699415323, -1.6950256677528608, 1.7966414408938483},
              {0.7906423238987762, -1.7871023006819515, 1.6963095638595522},
              {0.8757562580480669, -1.8708439382952973, 1.5973987142226274},
              {0.9466310142624821, -1.941095418713176, 1.500302889188453},
              {0.9973188015620416, -1.992900138129667, 1.4054059713566316}});
  // optim_reference.py: "AdamW lr=0.1 weight_decay=0.5 amsgrad"
  check_rows(trajectory(factory<optim::AdamW>(optim::AdamWOptions(0.1).weight_decay(0.5).amsgrad(true))),
             {{0.5749999978947369, -1.524999999768786, 1.8000000004255319},
              {0.6452029830004551, -1.5485152214018814, 1.6114725644631824},
              {0.7097741465117551, -1.570460770714768, 1.4348129977994766},
              {0.7675626494353084, -1.5907585657194618, 1.2703144068365608},
              {0.8171329152501864, -1.609341235330116, 1.1181298174924124},
              {0.8569445090038752, -1.6261561343846647, 0.9782558806456804}});
}

TEST_CASE("optim: RMSprop trajectories match PyTorch (plain; centered with momentum and weight decay)") {
  // optim_reference.py: "RMSprop lr=0.01" (step 1: s = 0.01·∇², so θ moves by lr·∇/√s = 0.1·sign(∇))
  check_rows(trajectory(factory<optim::RMSprop>(optim::RMSpropOptions(0.01))),
             {{0.5999999789473728, -1.5999999976878614, 1.9000000042553191},
              {0.6602521077151511, -1.6594401269086643, 1.8336820479654972},
              {0.7034458250603067, -1.7018253773797791, 1.7815293444187918},
              {0.7364069333149119, -1.734121042713279, 1.7376182677719896},
              {0.7623106351279612, -1.7595347580223284, 1.6992459848846386},
              {0.7829810776274013, -1.779888623229253, 1.6649170489576823}});
  // optim_reference.py: "RMSprop lr=0.01 alpha=0.9 eps=1e-4 weight_decay=0.1 momentum=0.5 centered"
  check_rows(trajectory(factory<optim::RMSprop>(
                 optim::RMSpropOptions(0.01).alpha(0.9).eps(1e-4).weight_decay(0.1).momentum(0.5).centered(true))),
             {{0.533307210031348, -1.5333306722018203, 1.9666710233956346},
              {0.5741379092864737, -1.574287716628045, 1.9250013340272234},
              {0.6141697912309417, -1.6146550093273142, 1.8826593834255125},
              {0.6506991866997244, -1.6518371767369868, 1.841880476712019},
              {0.6830115847046534, -1.6852246053250066, 1.8030105222598758},
              {0.7110545964300438, -1.714856935293908, 1.7657820863506717}});
  const optim::RMSpropOptions d;
  CHECK(d.lr() == 1e-2);
  CHECK(d.alpha() == 0.99);
  CHECK(d.eps() == 1e-8);
}

TEST_CASE("optim: Adagrad trajectories match PyTorch (lr_decay, weight decay, initial accumulator)") {
  // optim_reference.py: "Adagrad lr=0.1"
  check_rows(trajectory(factory<optim::Adagrad>(optim::AdagradOptions(0.1))),
             {{0.5999999999789474, -1.599999999997688, 1.9000000000042554},
              {0.6600592347781649, -1.659246938767616, 1.8338688797835418},
              {0.7029944353300581, -1.701376102749921, 1.7820044826160588},
              {0.7356827528774033, -1.7334021698892783, 1.7384531462429746},
              {0.7613289322719976, -1.758560050829102, 1.7004962380613082},
              {0.7817751631978542, -1.7786881274429258, 1.6666283660594055}});
  // optim_reference.py: "Adagrad lr=0.1 lr_decay=0.1 weight_decay=0.1 initial_accumulator_value=0.5 eps=1e-6"
  check_rows(trajectory(factory<optim::Adagrad>(
                 optim::AdagradOptions(0.1).lr_decay(0.1).weight_decay(0.1).initial_accumulator_value(0.5).eps(1e-6))),
             {{0.5515150890726193, -1.598595856336256, 1.9036363020717662},
              {0.5878551931397186, -1.6515802629127674, 1.8444181696581505},
              {0.6152063768155982, -1.6866564457459887, 1.8012592160542422},
              {0.6366589354923209, -1.712005810042563, 1.7673867886490382},
              {0.6539839823326303, -1.7312807138575523, 1.7396369150954438},
              {0.6682884522211454, -1.7464467417527634, 1.7162434025861624}});
  CHECK(optim::AdagradOptions().eps() == 1e-10);
}

TEST_CASE("optim: EMAMomentum is the lecture's v = βv + (1−β)∇ and equals SGD momentum at lr·(1−β)") {
  // optim_reference.py: "EMAMomentum lr=0.1 beta=0.9" (formula). Step 1 by hand: v = 0.1·∇ =
  // [−0.0475, 0.4325, 0.235], θ − 0.1·v = [0.50475, −1.54325, 1.9765].
  const Rows lecture = trajectory(factory<optim::EMAMomentum>(optim::MomentumOptions(0.1).beta(0.9)));
  check_rows(lecture, {{0.50475, -1.54325, 1.9765},
                       {0.5137203070981563, -1.6204991281338437, 1.93252489895575},
                       {0.526385230048779, -1.7194625127478904, 1.8713500656884028},
                       {0.5422281052799262, -1.8264159492584027, 1.7963292126957522},
                       {0.5607455695352107, -1.9278473480065634, 1.71073601361647},
                       {0.5814511949374119, -2.0120208149189795, 1.6176351137537341}});
  // PyTorch's buffer b = βb + ∇ is v/(1−β): SGD(lr·(1−β), momentum β) takes the same steps.
  check_rows(trajectory(factory<optim::SGD>(optim::SGDOptions(0.1 * (1 - 0.9)).momentum(0.9))), lecture, 1e-12);
  // optim_reference.py: "EMAMomentum lr=0.1 beta=0.9 bias_correction" — the first corrected step
  // is a plain gradient step (v/(1−β) = ∇), matching "SGD lr=0.1" step 1.
  check_rows(trajectory(factory<optim::EMAMomentum>(optim::MomentumOptions(0.1).beta(0.9).bias_correction(true))),
             {{0.5475, -1.9325, 1.765},
              {0.592088246875, -2.096926000493421, 1.5625171355263157},
              {0.6337434969823638, -2.0968649859425463, 1.3869938844365717},
              {0.6724559677316463, -2.015037270483475, 1.2340960799012575},
              {0.7082284078757999, -1.9095603883898231, 1.1003925815860545},
              {0.7410769791054971, -1.8161748920949765, 0.9831299920229195}});
}

TEST_CASE("optim: float32 parameters are updated in float32 and agree with the float64 run") {
  for (int which = 0; which < 3; ++which) {
    CAPTURE(which);
    Factory make = which == 0   ? factory<optim::SGD>(optim::SGDOptions(0.05).momentum(0.9))
                   : which == 1 ? factory<optim::Adam>(optim::AdamOptions(0.1))
                                : factory<optim::RMSprop>(optim::RMSpropOptions(0.01));
    Tensor p32 = theta0().detach().to(xg::kFloat32).requires_grad_();
    auto opt = make({p32});
    for (int i = 0; i < 6; ++i) {
      opt->zero_grad();
      problem_loss(p32.to(xg::kFloat64)).backward();
      opt->step();
    }
    CHECK(p32.dtype() == xg::kFloat32);
    const auto want = trajectory(make).back();
    const auto got = p32.to_vector<double>();
    for (std::size_t i = 0; i < 3; ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-5));
  }
}

TEST_CASE("optim: on a ravine, momentum, RMSprop and Adam reach the loss in fewer steps than SGD at the same lr") {
  // f(x, y) = ½(0.1·x² + 10·y²) from (4, 0.3): curvature 100× larger across the ravine than along
  // it. lr = 0.1 for all; count the steps until f < 1e-2. (PyTorch takes 219 / 24 / 12 / 46.)
  auto steps_to_target = [](const Factory& make) {
    Tensor th = xgt::f64({4.0, 0.3}, {2});
    const Tensor a = xg::tensor({0.1, 10.0}, xg::kFloat64);
    auto opt = make({th});
    for (int t = 0; t < 10000; ++t) {
      opt->zero_grad();
      const Tensor loss = (0.5 * a * th * th).sum();
      if (loss.item<double>() < 1e-2) return t;
      loss.backward();
      opt->step();
    }
    return 10000;
  };
  const int sgd = steps_to_target(factory<optim::SGD>(optim::SGDOptions(0.1)));
  const int momentum = steps_to_target(factory<optim::SGD>(optim::SGDOptions(0.1).momentum(0.9)));
  const int ema = steps_to_target(factory<optim::EMAMomentum>(optim::MomentumOptions(0.1).beta(0.5)));
  const int rmsprop = steps_to_target(factory<optim::RMSprop>(optim::RMSpropOptions(0.1)));
  const int adam = steps_to_target(factory<optim::Adam>(optim::AdamOptions(0.1)));
  MESSAGE("steps to f < 1e-2: SGD " << sgd << ", momentum " << momentum << ", EMA momentum " << ema << ", RMSprop "
                                    << rmsprop << ", Adam " << adam);
  CHECK(sgd == 219);
  CHECK(momentum == 24);
  CHECK(rmsprop == 12);
  CHECK(adam == 46);
  CHECK(momentum < sgd / 2);
  CHECK(rmsprop < sgd / 2);
  CHECK(adam < sgd / 2);
  // The lecture's EMA momentum at the same lr does not enlarge the step by 1/(1 − β) as PyTorch's
  // buffer does; it damps the oscillation across the ravine but is hardly faster along it.
  CHECK(ema <= sgd);
}
