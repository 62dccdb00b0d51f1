// The optimizer tests of LibTorch's C++ frontend (test/cpp/api/optim.cpp), written again the way
// that file uses the API: Sequential of Linear and Functional(torch::sigmoid), named parameters
// "0.weight", ..., optimizers built from options with chained setters, zero_grad, a closure.
// Expected parameters: tests/reference/port_optim_reference.py (PyTorch, float64).
#include <xgrad/torch.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace {
int failures = 0;
void check(bool ok, const std::string& what) {
  if (!ok) {
    std::printf("FAILED: %s\n", what.c_str());
    ++failures;
  }
}

torch::nn::Sequential sigmoid_net(int64_t hidden) {
  return torch::nn::Sequential(torch::nn::Linear(2, hidden), torch::nn::Functional(torch::sigmoid), torch::nn::Linear(hidden, 1),
                               torch::nn::Functional(torch::sigmoid));
}

// From tests/reference/port_optim_reference.py: all parameters flattened, after steps 0, 10, 100, 500.
const std::map<std::string, std::vector<std::vector<double>>> kExpected = {
    {"sgd", {{-0.20974460808519466, -0.4996585233546255, -0.13804474347297394, -0.33738675473183666, -0.2487839513260942, 0.70162809699056, -0.10913915269430878, -0.29342011258862744, 0.6941204831665416, -0.07918144814413114, -0.41737865285870834, -0.3307491561233867, -0.14150769712927735},
      {-0.20237673915625037, -0.4898120072281828, -0.11744436733329007, -0.30987226206752194, -0.23161864091014606, 0.7246107450250027, -0.08435268071932413, -0.22427894734231893, 0.7522938593514871, -0.31022260546900543, -0.6385067627661885, -0.7336531951200023, -0.7038513747568886},
      {-0.1545299375108483, -0.4259481955089293, -0.0410069558265973, -0.2079324174020579, -0.15817550569588187, 0.8231263691301677, 0.0758174200191898, 0.030745384245394233, 1.003018748260494, -0.821023118500729, -1.1536884743208864, -1.6143145142631274, -1.87569291431672},
      {-0.10057366437363853, -0.35392980665268725, 0.0314968011776103, -0.11118845457923764, -0.09588967648308828, 0.9071135469698064, 0.25643857720951, 0.2731474424315195, 1.220032234528941, -1.1785880656165342, -1.5320006263012027, -2.1991302112200866, -2.603448130464687}}},
    {"sgd_momentum_wd", {{-0.20953460808519464, -0.4991585233546255, -0.13790474347297393, -0.3370467547318367, -0.2485339513260942, 0.7009280969905599, -0.10902915269430878, -0.2931201125886274, 0.6934304831665417, -0.07913144814413113, -0.41698865285870834, -0.3304691561233867, -0.14143769712927734},
      {-0.17105588801872545, -0.4374939211311494, -0.053732268615889256, -0.21748872890862883, -0.1717354633212237, 0.7553868396968918, -0.007581251571927199, -0.018726454096237327, 0.8818323882973305, -0.9363677895037555, -1.2228550178423687, -1.8132341103473786, -2.2294331510587537},
      {0.005793282445007863, -0.07217497330537131, 0.07697671005135268, 0.04712987716752216, 0.04337135859063078, 0.4357202618648945, 0.23734992609603967, 0.3212288833909828, 0.7119993623073282, -1.0413496833234985, -1.171369009817599, -1.7654763407074814, -2.3378235107183647},
      {0.17437434269085636, 0.23429744089971874, 0.17715302726586404, 0.2383654480111983, 0.18310431962740942, 0.25151942835823454, 0.6108078602930345, 0.6191782192624833, 0.6475947084620652, -1.3860255265047525, -1.3987010372991768, -1.441327179478566, -2.0732556712294286}}},
    {"sgd_nesterov", {{-0.20951471546186984, -0.4993510993737885, -0.13628498599865044, -0.33503476939048965, -0.247689460019579, 0.7030932512820639, -0.10836436921918668, -0.28749815691839214, 0.6978287869164291, -0.10544474197384916, -0.4420193663315458, -0.3764233434344347, -0.20586461124562697},
      {-0.17659692820100123, -0.4553764473401888, -0.05623144059651632, -0.22814953729991128, -0.1782186672293817, 0.7961168544186361, 0.0021896258242790506, -0.019190218192565694, 0.933403159249238, -0.9305287757478165, -1.2371697497537077, -1.8161378358801958, -2.209008012674815},
      {-0.12547022277016673, -0.3870781854148631, 0.0317230583459114, -0.11075833953648008, -0.09652047121263489, 0.9056563758129172, 0.17366119217204629, 0.27502809703712944, 1.2125868888815285, -1.5927493519006635, -1.8958613517002718, -2.9680453966813234, -3.7783913397311677},
      {-0.09430865599055116, -0.3453163760702116, 0.06783835647534839, -0.06239316443626019, -0.06589032508402219, 0.9467623417193358, 0.278547935591513, 0.39684706036771, 1.320868083238153, -1.722212805800874, -2.0420609258120517, -3.178641025356563, -4.031438591768932}}},
    {"adam", {{0.7899960844645951, 0.49999707155061646, 0.8599994885584191, 0.6599996173341895, 0.7499991776651714, 1.6999993857863556, 0.8899988383551511, 0.6999998480217386, 1.6899997573100731, -1.0499999657316537, -1.3899999634751947, -1.2799999802952393, -1.0699999860154914},
      {5.78866422519899, 5.5139678172590365, 4.746052197990124, 4.565034656657704, 4.391005688074602, 5.361892173941481, 5.938808500398433, 4.660507887175744, 5.412673484333785, -4.8599385411985185, -5.216170309183443, -4.948522435827864, -4.668448203984553},
      {8.248441023082794, 7.981716522932822, 6.65621335156571, 6.484664769166492, 6.1800576326226, 7.161297641646007, 8.42492902373937, 6.6078139906536855, 7.242210699466569, -6.73416603137178, -7.0984725380984415, -6.752127274449673, -6.437174646561037},
      {8.24882707593379, 7.982103828882983, 6.656513149032772, 6.484966053059791, 6.180338421574847, 7.1615800559669465, 8.425319216513433, 6.608119618831612, 7.242497843686859, -6.734460328658185, -7.098768111747067, -6.752410428927858, -6.437452303729673}}},
    {"adam_amsgrad_wd", {{0.7899960847865284, 0.4999970719793446, 0.8599994885620812, 0.6599996173391685, 0.7499991776820769, 1.6999993857599462, 0.8899988383699945, 0.6999998480224316, 1.6899997573060093, -1.049999965731648, -1.3899999634751425, -1.2799999802952282, -1.06999998601549},
      {5.762262704486081, 5.493560186372045, 4.736974332891933, 4.556770329879376, 4.380966860755617, 5.351637755926299, 5.925635834942428, 4.653296725499733, 5.4049106872227215, -4.8535704535897795, -5.209740681210863, -4.94242991421188, -4.662504512476317},
      {6.796588158448633, 6.919598983842692, 6.425674473230252, 6.3096387999647545, 5.85003507223396, 6.8683780270008565, 7.964057554942828, 6.521277354351487, 7.109636569859243, -6.695202254305122, -7.057613965637355, -6.71997964799971, -6.408138601005665},
      {0.9249496870266457, 1.6234672316366272, 4.661947679570473, 4.966415918750503, 3.468350198737392, 4.654808709990973, 4.649124926719769, 5.933528411640898, 6.103666391931165, -6.553557833210618, -6.898638343289829, -6.63764678628169, -6.352324719420148}}},
    {"adagrad_lr_decay", {{0.7899999608477135, 0.4999999707197086, 0.8599999948856182, 0.6599999961733902, 0.7499999917768141, 1.6999999938575956, 0.8899999883836867, 0.6999999984802241, 1.6899999975730595, -1.0499999996573164, -1.3899999996347514, -1.2799999998029523, -1.0699999998601548},
      {1.9726843082924004, 1.7424673535150477, 1.3324530969652908, 1.157127830052938, 1.004803499204294, 1.9762121464905213, 2.2926049897585026, 1.2694793706695906, 2.0309119058756897, -1.568634814903449, -1.8954205371190391, -1.5928047373517695, -1.307734822238724},
      {2.354094224578049, 2.1964687079114236, 1.68951589967067, 1.5479127734969484, 1.2201361396942902, 2.212141176498729, 2.9135755266831116, 1.7555533496235263, 2.3428218404514416, -2.208453765724476, -2.532900619289037, -1.958633211087103, -1.5792025527961655},
      {2.3614334746886687, 2.3006362282651867, 1.8560738161217232, 1.7441631378075266, 1.3202999569195892, 2.3173824337288758, 3.180028985041358, 2.0247043975778745, 2.5188425910166905, -2.6633411406357377, -2.9978177518926485, -2.21956888765238, -1.7708160301345208}}},
    {"rmsprop_centered_momentum", {{0.7949982690496773, 0.5050082400767301, 0.8650326492435421, 0.6650339500116751, 0.7550295090793827, 1.7050316108487178, 0.8950260817461491, 0.7050362801343705, 1.695035363810145, -1.0550374691143494, -1.3950374463213815, -1.2850376162211499, -1.075037674001556},
      {10.78568978839751, 10.604227794214474, 7.713419215158256, 7.552585435903384, 7.135108566259757, 8.123743406707414, 11.264776795723431, 7.704937599258469, 8.232710552192144, -7.751332331083193, -8.122126440492988, -7.721547484077684, -7.385724941013555},
      {11.635660006836734, 12.609318331610215, 10.790652899499152, 10.802961366984816, 9.67768355803407, 10.836515494121334, 15.374552945206236, 11.274472769326389, 11.438371258619883, -11.296714863072781, -11.679873428617082, -11.144724518314648, -10.748604562787563},
      {0.0022306672869896807, 0.05361281111821453, 3.722782208113886, 4.906981933696802, 1.6624064222876755, 2.963125574064894, 2.467182205947604, 8.283580148186001, 6.939871361559447, -10.538183327558734, -10.846200910209316, -10.706833905134717, -10.446902866246887}}},
};
const std::vector<int> kSamples = {0, 10, 100, 500};

using MakeOptimizer = std::function<std::unique_ptr<torch::optim::Optimizer>(std::vector<torch::Tensor>)>;

void check_exact_values(const std::string& name, const MakeOptimizer& make) {
  auto model = sigmoid_net(3);
  model->to(torch::kFloat64);
  const std::map<std::string, torch::Tensor> start = {
      {"0.weight", torch::tensor({-0.21, -0.5, -0.14, -0.34, -0.25, 0.7}, torch::kFloat64)},
      {"0.bias", torch::tensor({-0.11, -0.3, 0.69}, torch::kFloat64)},
      {"2.weight", torch::tensor({-0.05, -0.39, -0.28}, torch::kFloat64)},
      {"2.bias", torch::tensor({-0.07}, torch::kFloat64)}};
  for (auto& [key, p] : model->named_parameters()) {
    torch::NoGradGuard no_grad;
    p.copy_(start.at(key).reshape(p.shape()));
  }
  auto optimizer = make(model->parameters());
  const auto input = torch::tensor({0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, torch::kFloat64).reshape({3, 2});
  const auto& expected = kExpected.at(name);
  std::size_t sample = 0;
  for (int i = 0; i <= kSamples.back(); ++i) {
    optimizer->zero_grad();
    auto loss = model->forward(input).sum();
    loss.backward();
    optimizer->step([] { return torch::tensor({10.0}); });
    if (i != kSamples[sample]) continue;
    std::vector<double> got;
    for (const auto& p : model->parameters())
      for (double v : p.flatten().to_vector<double>()) got.push_back(v);
    bool ok = got.size() == expected[sample].size();
    for (std::size_t k = 0; ok && k < got.size(); ++k)
      ok = std::abs(got[k] - expected[sample][k]) <= 1e-9 * (1 + std::abs(expected[sample][k]));
    check(ok, name + ": parameters after step " + std::to_string(i) + " differ from PyTorch's");
    ++sample;
  }
}

// XOR, as LibTorch's XORConvergence tests: the running loss must fall below 0.1.
bool xor_converges(const MakeOptimizer& make) {
  torch::manual_seed(0);
  auto model = sigmoid_net(8);
  auto optimizer = make(model->parameters());
  const auto inputs = torch::tensor({0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0}).reshape({4, 2});
  const auto labels = torch::tensor({0.0, 1.0, 1.0, 0.0}).reshape({4, 1});
  double running_loss = 1;
  for (int epoch = 0; epoch < 3000; ++epoch) {
    optimizer->zero_grad();
    auto loss = torch::nn::functional::binary_cross_entropy(model->forward(inputs), labels);
    loss.backward();
    optimizer->step();
    running_loss = running_loss * 0.99 + loss.item<double>() * 0.01;
    if (running_loss < 0.1) return true;
  }
  std::printf("running loss still %g after 3000 epochs\n", running_loss);
  return false;
}

template <class O, class Options> MakeOptimizer maker(Options options) {
  return [options](std::vector<torch::Tensor> params) { return std::make_unique<O>(params, options); };
}
}  // namespace

int main() {
  using namespace torch::optim;
  check_exact_values("sgd", maker<SGD>(SGDOptions(0.1)));
  check_exact_values("sgd_momentum_wd", maker<SGD>(SGDOptions(0.1).momentum(0.9).weight_decay(1e-2)));
  check_exact_values("sgd_nesterov", maker<SGD>(SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(1e-6)));
  check_exact_values("adam", maker<Adam>(AdamOptions(1.0)));
  check_exact_values("adam_amsgrad_wd", maker<Adam>(AdamOptions(1.0).weight_decay(1e-6).amsgrad(true)));
  check_exact_values("adagrad_lr_decay", maker<Adagrad>(AdagradOptions(1.0).weight_decay(1e-6).lr_decay(1e-3)));
  check_exact_values("rmsprop_centered_momentum",
                     maker<RMSprop>(RMSpropOptions(0.1).weight_decay(1e-6).centered(true).momentum(0.9)));

  check(xor_converges(maker<SGD>(SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(1e-6))), "XOR with SGD");
  check(xor_converges(maker<Adagrad>(AdagradOptions(1.0).weight_decay(1e-6).lr_decay(1e-3))), "XOR with Adagrad");
  check(xor_converges(maker<RMSprop>(RMSpropOptions(0.1).momentum(0.9).weight_decay(1e-6))), "XOR with RMSprop");
  check(xor_converges(maker<Adam>(AdamOptions(0.1).weight_decay(1e-6).amsgrad(true))), "XOR with Adam (amsgrad)");

  // ZeroGrad: as LibTorch 2.x, zero_grad() drops the gradients (set_to_none = true);
  // zero_grad(false) keeps zero-filled ones, LibTorch 1.x's default.
  {
    torch::manual_seed(0);
    torch::nn::Linear model(2, 8);
    SGD optimizer(model->parameters(), 0.1);
    for (const auto& p : model->parameters()) check(!p.grad().defined(), "no gradient before backward");
    model->forward(torch::ones({5, 2})).sum().backward();
    // d(sum)/d(bias) = 5 per output; d/d(weight) = 5 per entry (inputs are ones).
    for (const auto& p : model->parameters()) check(p.grad().defined() && p.grad().sum().item<double>() == 5.0 * p.numel(), "gradients of sum");
    optimizer.zero_grad(false);
    for (const auto& p : model->parameters()) check(p.grad().defined() && p.grad().sum().item<double>() == 0, "zero_grad(false) zero-fills");
    optimizer.zero_grad();
    for (const auto& p : model->parameters()) check(!p.grad().defined(), "zero_grad() sets the gradients to none");
    model->forward(torch::ones({5, 2})).sum().backward();
    model->zero_grad();
    for (const auto& p : model->parameters()) check(!p.grad().defined(), "Module::zero_grad() sets them to none too");
  }

  // ExternalVectorOfParameters: SGD(lr = 1) with unit gradients subtracts 1.
  {
    torch::manual_seed(0);
    std::vector<torch::Tensor> params = {torch::randn({2, 2}), torch::randn({3, 3})};
    std::vector<torch::Tensor> before = {params[0].clone(), params[1].clone()};
    for (auto& p : params) p.set_grad(torch::ones_like(p));
    SGD optimizer(params, 1.0);
    optimizer.step();
    for (std::size_t i = 0; i < params.size(); ++i)
      check(torch::allclose(params[i], before[i] - 1.0), "a step of SGD(1.0) with unit gradients");
    check(optimizer.parameters().size() == 2 && optimizer.size() == 2, "optimizer.size()");
  }

  if (failures) return 1;
  std::printf("port_optim: all checks passed\n");
  return 0;
}
