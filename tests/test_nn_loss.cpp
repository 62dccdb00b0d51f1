// Losses against PyTorch (tests/reference/nn_reference.py) and by hand; gradchecks; errors.
#include "check.h"

using xg::Tensor;
using xgt::check_grads;
using xgt::check_values;
namespace F = xg::nn::functional;

namespace {
using xgt::seq;
const Tensor targets = xg::from_vector(std::vector<std::int64_t>{2, 0, 1, 2}, {4});
const Tensor class_w = xg::tensor({0.2, 1.0, 3.0}, xg::kFloat64);

void check_ce(const F::CrossEntropyOptions& opt, double loss, const std::vector<double>& grad) {
  Tensor logits = seq({4, 3}, 0.5, -0.3, 0.04);
  const Tensor l = F::cross_entropy(logits, targets, opt);
  check_values(l, {loss}, 1e-12);
  l.backward();
  check_values(logits.grad(), grad, 1e-12);
  check_grads([&](const std::vector<Tensor>& in) { return F::cross_entropy(in[0], targets, opt); }, {seq({4, 3}, 0.5, -0.3, 0.04)});
}
}  // namespace

// Expected numbers in this file: tests/reference/nn_reference.py (PyTorch 1.13, float64).
TEST_CASE("nn: cross_entropy matches PyTorch: plain, class weights, label smoothing, ignore_index, sum") {
  check_ce({}, 1.0609087340817973,
           {0.10351589643404972, 0.079816096101351777, -0.1833319925354015, -0.16724620384522287, 0.081115161202010219,
            0.086131042643212655, 0.063643929946123501, -0.17069477985100215, 0.10705084990487866, 0.047148853980278287,
            0.074687273012462349, -0.12183612699274063});
  check_ce(F::CrossEntropyFuncOptions().weight(class_w), 1.0192966665038499,
           {0.17252649405674955, 0.13302682683558631, -0.30555332089233583, -0.018582911538358098, 0.009012795689112247,
            0.0095701158492458513, 0.035357738858957502, -0.094830433250556748, 0.05947269439159926, 0.078581423300463818,
            0.12447878835410392, -0.20306021165456772});
  check_ce(F::CrossEntropyFuncOptions().label_smoothing(0.1), 1.0677420674151308,
           {0.095182563100716391, 0.071482762768018446, -0.16666532586873484, -0.15057953717855621, 0.072781827868676888,
            0.077797709309879323, 0.055310596612790169, -0.15402811318433549, 0.09871751657154533, 0.038815520646944955,
            0.066353939679129018, -0.10516946032607397});
  check_ce(F::CrossEntropyFuncOptions().weight(class_w).label_smoothing(0.2), 0.97598609924543356,
           {0.15227181617217778, 0.10957803938053119, -0.26184985555270895, -0.0038453683473507749, 0.010568891256787685,
            -0.0067235229094369034, 0.036334506115822257, -0.072787238280971653, 0.03645273216514943, 0.068347552963229169,
            0.10194179167040693, -0.17028934463363607});
  check_ce(F::CrossEntropyFuncOptions().ignore_index(1), 1.0318259909318004,
           {0.13802119524539963, 0.10642146146846904, -0.24444265671386867, -0.22299493846029714, 0.10815354826934695,
            0.1148413901909502, 0, 0, 0, 0.062865138640371049, 0.099583030683283127, -0.16244816932365416});
  check_ce(F::CrossEntropyFuncOptions().weight(class_w).ignore_index(0).label_smoothing(0.3), 0.89457869940268109,
           {0.14620574800788874, 0.10064946410023227, -0.24685521210812103, 0, 0, 0, 0.037874972308376186, -0.063530373390355652,
            0.025655401081979487, 0.065037206874457867, 0.093263958852231488, -0.15830116572668937});
  check_ce(F::CrossEntropyFuncOptions().reduction(F::Reduction::Sum), 4.2436349363271892,
           {0.41406358573619889, 0.31926438440540711, -0.733327970141606, -0.6689848153808915, 0.32446064480804088,
            0.34452417057285062, 0.254575719784494, -0.68277911940400859, 0.42820339961951465, 0.18859541592111315,
            0.2987490920498494, -0.48734450797096251});
  check_values(F::cross_entropy(seq({4, 3}, 0.5, -0.3, 0.04), targets, F::CrossEntropyFuncOptions().label_smoothing(0.1).reduction(F::Reduction::None)),
               {1.3010690615489182, 1.1049243630084313, 1.1454902968651206, 0.7194845482380523}, 1e-12);
}

TEST_CASE("nn: cross_entropy by hand, stability at +-1e4, nll_loss, and clear errors") {
  // logits [0, ln 3] for class 1: p = 3/4, loss = -ln(3/4).
  const Tensor l = xg::tensor({{0.0, std::log(3.0)}}, xg::kFloat64);
  check_values(F::cross_entropy(l, xg::from_vector(std::vector<std::int64_t>{1}, {1})), {-std::log(0.75)});
  const Tensor extreme = xg::tensor({{1e4, -1e4}, {-1e4, 1e4}}, xg::kFloat32);
  const Tensor t01 = xg::from_vector(std::vector<std::int64_t>{1, 1}, {2});
  check_values(F::cross_entropy(extreme, t01).to(xg::kFloat64), {1e4}, 1e-6);
  check_values(F::nll_loss(xg::log_softmax(seq({4, 3}, 0.5, -0.3, 0.04, false), 1), targets), {1.0609087340817973}, 1e-12);
  XGT_CHECK_THROWS_MSG(
      F::cross_entropy(seq({4, 3}, 0, 1, 0), xg::from_vector(std::vector<std::int64_t>{0, 3, 1, 2}, {4})),
      xg::IndexError, "target 3 of sample 1 is out of range for 3 classes");
  XGT_CHECK_THROWS_MSG(F::cross_entropy(seq({4, 3}, 0, 1, 0), xg::zeros({4}, xg::kFloat64)), xg::DTypeError,
                       "int64 class indices");
  CHECK_THROWS_AS(F::cross_entropy(seq({4, 3}, 0, 1, 0), xg::narrow(targets, 0, 0, 3)), xg::ShapeError);
}

TEST_CASE("nn: binary cross-entropy (probabilities and logits with pos_weight) matches PyTorch") {
  Tensor z = seq({6}, -2.0, 0.9, 0);
  const Tensor y = xg::tensor({0.0, 1.0, 1.0, 0.0, 1.0, 0.5}, xg::kFloat64);
  const Tensor pw = xg::tensor({2.0, 2.0, 0.5, 1.0, 3.0, 1.0}, xg::kFloat64);
  const Tensor loss = F::binary_cross_entropy_with_logits(z, y, {}, pw);
  check_values(loss, {1.0474076836346091}, 1e-12);
  loss.backward();
  check_values(z.grad(), {0.019867153670352924, -0.25008670186503923, -0.045819499776039822, 0.11136462869469436,
                          -0.083990807433037773, 0.070690303329792759}, 1e-12);
  check_values(F::binary_cross_entropy(xg::sigmoid(seq({6}, -2.0, 0.9, 0, false)), y), {0.82139645493439051}, 1e-12);
  check_grads([&](const std::vector<Tensor>& in) { return F::binary_cross_entropy_with_logits(in[0], y, {}, pw); }, {seq({6}, -2.0, 0.9, 0)});
  check_grads([&](const std::vector<Tensor>& in) { return F::binary_cross_entropy(xg::sigmoid(in[0]), y); }, {seq({6}, -2.0, 0.9, 0)});
  // Stable at +-100: loss of a confident right answer is ~0, of a confident wrong one ~100.
  const Tensor big = xg::tensor({100.0, -100.0}, xg::kFloat32);
  const auto v = F::binary_cross_entropy_with_logits(big, xg::tensor({1.0, 1.0}, xg::kFloat32), {}, {}, F::Reduction::None).to_vector<double>();
  CHECK(v[0] == doctest::Approx(0).epsilon(1e-6));
  CHECK(v[1] == doctest::Approx(100).epsilon(1e-6));
  XGT_CHECK_THROWS_MSG(
      F::binary_cross_entropy(xg::tensor({0.5, 1.5}, xg::kFloat64), xg::tensor({0.0, 1.0}, xg::kFloat64)),
      xg::ValueError, "element 1 is 1.5");
}

TEST_CASE("nn: mse and l1 losses by hand, with reductions") {
  Tensor a = xg::tensor({1.0, 2.0, 4.0}, xg::kFloat64).requires_grad_();
  const Tensor b = xg::tensor({0.0, 2.0, 1.0}, xg::kFloat64);
  check_values(F::mse_loss(a, b), {10.0 / 3});
  check_values(F::mse_loss(a, b, F::Reduction::Sum), {10});
  check_values(F::l1_loss(a, b, F::Reduction::None), {1, 0, 3});
  F::mse_loss(a, b).backward();
  check_values(a.grad(), {2.0 / 3, 0, 2});
  check_grads([&](const std::vector<Tensor>& in) { return F::mse_loss(in[0], b) + F::l1_loss(in[0], b + 0.5); }, {xg::tensor({1.0, 2.2, 4.0}, xg::kFloat64).requires_grad_()});
  CHECK_THROWS_AS(F::mse_loss(a, xg::tensor({1.0, 2.0}, xg::kFloat64)), xg::ShapeError);
  xg::nn::MSELoss mse;
  check_values(mse(a, b), {10.0 / 3});
}

TEST_CASE("nn: smooth_l1_loss and huber_loss by hand, gradchecked; the modules and torch::smooth_l1_loss agree") {
  // d = input − target = [0.2, −1.5, 2.0, −0.1]
  const auto input = [] { return xg::tensor({0.2, -1.5, 3.0, 0.9}, xg::TensorOptions(xg::kFloat64).requires_grad(true)); };
  const Tensor target = xg::tensor({0.0, 0.0, 1.0, 1.0}, xg::kFloat64);
  // β = 1: 0.5·d² inside, |d| − 0.5 outside: [0.02, 1.0, 1.5, 0.005]
  check_values(F::smooth_l1_loss(input(), target, F::SmoothL1LossFuncOptions(F::Reduction::None)), {0.02, 1.0, 1.5, 0.005}, 1e-15);
  Tensor x = input();
  const Tensor mean = F::smooth_l1_loss(x, target);
  check_values(mean, {2.525 / 4}, 1e-15);
  mean.backward();
  check_values(x.grad(), {0.2 / 4, -0.25, 0.25, -0.1 / 4}, 1e-15);  // d/β inside, sign(d) outside, over 4
  // β = 0.5: d²/(2·0.5) inside, |d| − 0.25 outside; β = 0 is l1_loss.
  check_values(F::smooth_l1_loss(input(), target, F::SmoothL1LossFuncOptions(xg::kSum).beta(0.5)), {0.04 + 1.25 + 1.75 + 0.01},
               1e-14);
  check_values(F::smooth_l1_loss(input(), target, F::SmoothL1LossFuncOptions().beta(0)), {(0.2 + 1.5 + 2.0 + 0.1) / 4}, 1e-15);
  // Huber, δ = 2: 0.5·d² inside, δ·(|d| − 0.5·δ) outside (|d| = 2 is outside): [0.02, 1.125, 2, 0.005]
  check_values(F::huber_loss(input(), target, F::HuberLossFuncOptions(xg::kNone).delta(2.0)), {0.02, 1.125, 2.0, 0.005}, 1e-15);
  check_grads([&](const std::vector<Tensor>& in) { return F::smooth_l1_loss(in[0], target, F::SmoothL1LossFuncOptions().beta(0.7)); },
              {input()});
  check_grads([&](const std::vector<Tensor>& in) { return F::huber_loss(in[0], target, F::HuberLossFuncOptions().delta(1.3)); },
              {input()});
  xg::nn::SmoothL1Loss module(xg::nn::SmoothL1LossOptions().beta(0.5));
  check_values(module(input(), target), F::smooth_l1_loss(input(), target, F::SmoothL1LossFuncOptions().beta(0.5)).to_vector<double>());
  check_values(xg::smooth_l1_loss(input(), target), {2.525 / 4}, 1e-15);
  xg::nn::HuberLoss huber;
  check_values(huber(input(), target), F::huber_loss(input(), target).to_vector<double>());
  XGT_CHECK_THROWS_MSG(F::smooth_l1_loss(input(), target, F::SmoothL1LossFuncOptions().beta(-1)), xg::ValueError, "smooth_l1_loss",
                       "beta", "-1");
  XGT_CHECK_THROWS_MSG(F::huber_loss(input(), target, F::HuberLossFuncOptions().delta(0)), xg::ValueError, "huber_loss", "delta");
  XGT_CHECK_THROWS_MSG(F::smooth_l1_loss(input(), xg::zeros({3}, xg::kFloat64)), xg::ShapeError, "smooth_l1_loss");
}
