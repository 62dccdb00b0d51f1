// xg::autograd::functional (vjp, jvp, jacobian, hessian, vhp, hvp) against PyTorch's
// torch.autograd.functional in float64 (tests/reference/functional_reference.py), for functions
// of one tensor and of several tensors returning one or several; hvp never builds the Hessian;
// create_graph results can be differentiated again; strict and bad arguments are errors.
#include "check.h"

#include <vector>

using xg::Tensor;
using xgt::check_shape;
using xgt::VD;
namespace F = xg::autograd::functional;

namespace {

// The reference script's numbers (functional_reference.py), flattened row-major.
const VD f_out = {0.3562549462272474, 0.4703988867172388, 0.7254678802275119};
const VD f_vjp = {2.8048915692173333, 1.7131685012488878, -0.12375857999815221};
const VD f_jvp = {1.1077407027746942, 0.6855545393090303, -0.8399126948723037};
const VD f_jac = {0.9319903821788948, -0.08270603322155269, 0.020676508305388173, -0.9812081456253039, -0.7189070588108817, 0.4578971346251418, -0.17903020842433856, 0.7161208336973542, 1.5427183618934865};
const VD g_vjp_x = {0.843735542387924, -0.795201368945807, 0.011600969643605671, -0.17974604442106967, 2.97607989340949, -0.6118408508995672};
const VD g_vjp_y = {0.5871740259163063, -0.9309905674925789, 0.31257081727668723};
const VD g_jvp_0 = {1.9, 3.0499999999999994};
const VD g_jvp_1 = {0.9642557490492636, 0.6340835778442637, 0.3322046496743234, 1.6535808652064135, 0.7787412318193674, -0.05655002205389251};
const VD g_jac_00 = {0.7, -1.2, 0.5, 0.0, -0.0, 0.0, 0.0, -0.0, 0.0, 0.7, -1.2, 0.5};
const VD g_jac_01 = {0.3, -0.6, 1.1, 0.9, 0.2, -0.4};
const VD g_jac_10 = {0.6687355423879241, -0.0, 0.0, 0.0, -0.0, 0.0, 0.0, -0.9904027378916139, 0.0, 0.0, -0.0, 0.0, 0.0, -0.0, 0.22679806071278866, 0.0, -0.0, 0.0, 0.0, -0.0, 0.0, 0.4351269777894651, -0.0, 0.0, 0.0, -0.0, 0.0, 0.0, -1.1760798934094898, 0.0, 0.0, -0.0, 0.0, 0.0, -0.0, 0.46053049700144255};
const VD g_jac_11 = {0.29552020666133955, 0.0, 0.0, 0.0, -0.5646424733950354, 0.0, 0.0, 0.0, 0.8912073600614354, 0.7833269096274834, 0.0, 0.0, 0.0, 0.19866933079506122, 0.0, 0.0, 0.0, -0.3894183423086505};
const VD s_out = {8.453436343625789};
const VD s_hess = {12.371221341435163, -2.4911616538010426, 3.7933215768984985, -2.4911616538010426, 16.630995845865332, -9.19278964831617, 3.793321576898498, -9.19278964831617, 24.362416322704295};
const VD s_hvp = {19.250205437486496, -40.34954816968978, 34.360109034882974};
const VD s_vhp = {19.250205437486496, -40.34954816968978, 34.36010903488298};
const VD h_hess_00 = {-0.4879816138234435, 0.8365399094116175, -0.34855829558817397, 0.0, 0.0, 0.0, 0.8365399094116175, -1.4340684161342014, 0.597528506722584, 0.0, 0.0, 0.0, -0.34855829558817397, 0.597528506722584, -0.24897021113441, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.09254085853848523, 0.15864147178026042, -0.06610061324177517, 0.0, 0.0, 0.0, 0.15864147178026042, -0.27195680876616074, 0.11331533698590031, 0.0, 0.0, 0.0, -0.06610061324177517, 0.11331533698590031, -0.04721472374412513};
const VD h_hess_01 = {0.48153664711140526, 1.0182699547058087, -0.16682825029398285, -0.8414828959664495, -1.826362583602791, 0.11456271478968483, 2.050617873319354, 2.4987642533612924, 1.7429371599686077, 2.663023131282075, 1.77355975470329, 1.8528804905934202, 0.6039676065746206, 1.4273303699116304, 0.3093477304112798, -0.8849865027394253, -0.8188858894976501, 0.21977601411257036};
const VD h_hess_10 = {0.48153664711140526, -0.8414828959664495, 2.050617873319354, 2.663023131282075, 0.6039676065746206, -0.8849865027394253, 1.0182699547058087, -1.826362583602791, 2.4987642533612924, 1.77355975470329, 1.4273303699116304, -0.8188858894976501, -0.16682825029398285, 0.11456271478968505, 1.7429371599686077, 1.8528804905934202, 0.3093477304112798, 0.21977601411257036};
const VD h_hess_11 = {-0.242604980939353, 0.14526395092100508, -0.260651476505881, 0.14526395092100508, -0.36607145983261036, 0.6723900689929624, -0.26065147650588105, 0.6723900689929625, -1.2352332450867847};
const VD h_hvp_x = {-1.5338498987707514, 2.6892650766172, -2.000750990078603, -0.32120950565755824, -1.472784914620549, 0.6029923027194719};
const VD h_hvp_y = {2.8286103466019017, 1.9434318139521292, 0.2582823450906888};
const VD h_vhp_x = {-1.5338498987707514, 2.6892650766172, -2.000750990078603, -0.3212095056575582, -1.472784914620549, 0.6029923027194719};
const VD h_vhp_y = {2.8286103466019017, 1.943431813952129, 0.25828234509068904};

constexpr double kTol = 1e-10;

Tensor t64(const VD& v, const xg::Shape& s) { return xg::from_vector(v, s); }
Tensor A() { return t64({0.5, -1.0, 0.25, 1.5, 0.3, -0.7, -0.2, 0.8, 1.1}, {3, 3}); }
Tensor X() { return t64({0.4, -0.9, 1.3}, {3}); }
Tensor XM() { return t64({0.3, -0.6, 1.1, 0.9, 0.2, -0.4}, {2, 3}); }
Tensor Y() { return t64({0.7, -1.2, 0.5}, {3}); }
Tensor V3() { return t64({1.0, -2.0, 0.5}, {3}); }
Tensor V2() { return t64({0.25, -1.5}, {2}); }
Tensor V23() { return t64({1.0, 0.5, -0.5, 2.0, -1.0, 0.3}, {2, 3}); }

// The reference script's functions, in xg ops.
Tensor f(const Tensor& x) { return xg::tanh(xg::matmul(A(), x)) * x; }
std::vector<Tensor> g(const std::vector<Tensor>& in) {
  return {xg::matmul(in[0], in[1]), xg::sin(in[0]) * in[1]};
}
Tensor s(const Tensor& x) { return xg::sum(xg::square(xg::tanh(xg::matmul(A(), x)))) + xg::square(xg::sum(x * x)); }
Tensor h(const std::vector<Tensor>& in) {
  return xg::sum(xg::sin(xg::matmul(in[0], in[1]))) + xg::sum(xg::square(in[0])) * xg::sum(in[1]);
}

void check(const Tensor& t, const xg::Shape& shape, const VD& expected) {
  check_shape(t, shape);
  xgt::check_values(t, expected, kTol);
  CHECK_FALSE(t.requires_grad());
}

}  // namespace

TEST_CASE("functional: vjp, jvp and jacobian of a function of one tensor agree with PyTorch") {
  const Tensor x = X();
  const auto [out, vj] = F::vjp(f, x, V3());
  check(out, {3}, f_out);
  check(vj, {3}, f_vjp);
  const auto [out2, jv] = F::jvp(f, x, V3());
  check(out2, {3}, f_out);
  check(jv, {3}, f_jvp);
  check(F::jacobian(f, x), {3, 3}, f_jac);
  // The caller's tensor is used detached: no gradient reaches it.
  CHECK_FALSE(x.requires_grad());
}

TEST_CASE("functional: vjp, jvp and jacobian of a function of two tensors with two outputs agree with PyTorch") {
  const auto [outs, vj] = F::vjp(g, {XM(), Y()}, {V2(), V23()});
  REQUIRE(outs.size() == 2);
  REQUIRE(vj.size() == 2);
  check(vj[0], {2, 3}, g_vjp_x);
  check(vj[1], {3}, g_vjp_y);
  const auto [outs2, jv] = F::jvp(g, {XM(), Y()}, {V23(), V3()});
  REQUIRE(jv.size() == 2);
  check(jv[0], {2}, g_jvp_0);
  check(jv[1], {2, 3}, g_jvp_1);
  const auto J = F::jacobian(g, {XM(), Y()});
  REQUIRE(J.size() == 2);
  REQUIRE(J[0].size() == 2);
  check(J[0][0], {2, 2, 3}, g_jac_00);
  check(J[0][1], {2, 3}, g_jac_01);
  check(J[1][0], {2, 3, 2, 3}, g_jac_10);
  check(J[1][1], {2, 3, 3}, g_jac_11);
}

TEST_CASE("functional: hessian, hvp and vhp agree with PyTorch, for one input and for two") {
  check(F::hessian(s, X()), {3, 3}, s_hess);
  const auto [o1, hv] = F::hvp(s, X(), V3());
  check(o1, {}, s_out);
  check(hv, {3}, s_hvp);
  const auto [o2, vh] = F::vhp(s, X(), V3());
  check(o2, {}, s_out);
  check(vh, {3}, s_vhp);

  const auto H = F::hessian(h, {XM(), Y()});
  check(H[0][0], {2, 3, 2, 3}, h_hess_00);
  check(H[0][1], {2, 3, 3}, h_hess_01);
  check(H[1][0], {3, 2, 3}, h_hess_10);
  check(H[1][1], {3, 3}, h_hess_11);
  const auto [o3, hv2] = F::hvp(h, {XM(), Y()}, {V23(), V3()});
  check(hv2[0], {2, 3}, h_hvp_x);
  check(hv2[1], {3}, h_hvp_y);
  const auto [o4, vh2] = F::vhp(h, {XM(), Y()}, {V23(), V3()});
  check(vh2[0], {2, 3}, h_vhp_x);
  check(vh2[1], {3}, h_vhp_y);
}

TEST_CASE("functional: by hand on a small case, and v omitted for single-element tensors") {
  // f(x) = x³ at x = 2: vjp with v = 1 is 12, jvp 12, hessian 12, hvp with v = 0.5 is 6.
  const Tensor x = xg::scalar_tensor(2.0, xg::kFloat64);
  const auto cube = [](const Tensor& t) { return t * t * t; };
  CHECK(F::vjp(cube, x).second.item<double>() == 12.0);
  CHECK(F::jvp(cube, x).second.item<double>() == 12.0);
  CHECK(F::jacobian(cube, x).item<double>() == 12.0);
  CHECK(F::hessian(cube, x).item<double>() == 12.0);
  CHECK(F::hvp(cube, x, xg::scalar_tensor(0.5, xg::kFloat64)).second.item<double>() == 6.0);
  // A function of several inputs returning one tensor: p(a, b) = a·b², d/da = b², d/db = 2ab.
  const auto p = [](const std::vector<Tensor>& in) { return in[0] * in[1] * in[1]; };
  const auto [out, gr] = F::vjp(p, {xg::scalar_tensor(3.0, xg::kFloat64), xg::scalar_tensor(-2.0, xg::kFloat64)});
  CHECK(out[0].item<double>() == 12.0);
  CHECK(gr[0].item<double>() == 4.0);
  CHECK(gr[1].item<double>() == -12.0);
  const auto H = F::hessian(p, {xg::scalar_tensor(3.0, xg::kFloat64), xg::scalar_tensor(-2.0, xg::kFloat64)});
  CHECK(H[0][0].item<double>() == 0.0);
  CHECK(H[0][1].item<double>() == -4.0);  // d²/da db = 2b
  CHECK(H[1][0].item<double>() == -4.0);
  CHECK(H[1][1].item<double>() == 6.0);  // 2a
}

TEST_CASE("functional: hvp runs a fixed number of backward passes: the Hessian is never built") {
  // hvp of s along v runs 3 reverse passes whatever the size; the Hessian would take n. Count
  // the backward passes through a hook on an intermediate of size n = 50.
  int passes = 0;
  const auto counted = [&passes](const Tensor& x) {
    Tensor u = x * 1.0;
    u.register_hook([&passes](const Tensor& gr) {
      ++passes;
      return gr;
    });
    return xg::sum(xg::exp(u) * u);
  };
  const Tensor x = xg::linspace(-1, 1, 50, xg::kFloat64);
  const Tensor v = xg::linspace(0.5, -0.5, 50, xg::kFloat64);
  const auto [o, hv] = F::hvp(counted, x, v);
  CHECK(passes <= 3);
  // By hand: d²/dx² (x eˣ) = (x + 2) eˣ, diagonal: H·v = (x + 2) eˣ v.
  const auto xs = x.to_vector<double>(), vs = v.to_vector<double>(), got = hv.to_vector<double>();
  for (std::size_t i = 0; i < xs.size(); ++i) CHECK(got[i] == doctest::Approx((xs[i] + 2) * std::exp(xs[i]) * vs[i]).epsilon(1e-12));
}

TEST_CASE("functional: create_graph results can be differentiated again") {
  // vjp of x³ with v = 1 is 3x²; with create_graph it is differentiable: d/dx = 6x.
  const Tensor x = xg::from_vector(VD{1.5, -0.5}, {2}, true);
  const auto [out, gr] = F::vjp([](const Tensor& t) { return t * t * t; }, x, xg::ones({2}, xg::kFloat64), true);
  CHECK(gr.requires_grad());
  CHECK(out.requires_grad());
  xg::sum(gr).backward();
  xgt::check_values(x.grad(), {9.0, -3.0});
  // The Hessian of s with create_graph agrees with the plain one, and is differentiable.
  const Tensor x2 = X().requires_grad_(true);
  const Tensor Hg = F::hessian(s, x2, true);
  CHECK(Hg.requires_grad());
  xgt::check_values(Hg.detach(), s_hess, kTol);
  // jvp with create_graph: jvp of sin at x along v is cos(x)·v, whose x-gradient is −sin(x)·v.
  const Tensor x3 = xg::from_vector(VD{0.3, 1.1}, {2}, true);
  const auto [o3, jv] = F::jvp([](const Tensor& t) { return xg::sin(t); }, x3, xg::from_vector(VD{2.0, -1.0}, {2}), true);
  xg::sum(jv).backward();
  xgt::check_values(x3.grad(), {-std::sin(0.3) * 2.0, std::sin(1.1)});
}

TEST_CASE("functional: an independent input gives zeros, or an AutogradError with strict") {
  // q(a, b) = 2a: b is unused.
  const auto q = [](const std::vector<Tensor>& in) { return in[0] * 2.0; };
  const Tensor a = xg::from_vector(VD{1.0, 2.0}, {2}), b = xg::from_vector(VD{3.0}, {1});
  const auto J = F::jacobian(q, {a, b});
  xgt::check_values(J[0][0], {2, 0, 0, 2});
  xgt::check_values(J[0][1], {0, 0});
  check_shape(J[0][1], {2, 1});
  XGT_CHECK_THROWS_MSG(F::jacobian(q, {a, b}, false, true), xg::AutogradError, "jacobian: output 0 is independent of input 1",
                       "strict");
  XGT_CHECK_THROWS_MSG(F::vjp(q, {a, b}, {xg::ones({2}, xg::kFloat64)}, false, true), xg::AutogradError,
                       "vjp: every output is independent of input 1");
  // A linear function has a zero Hessian; strict says the gradient does not depend on the input.
  const auto lin = [](const Tensor& t) { return xg::sum(t * 3.0); };
  xgt::check_values(F::hessian(lin, a), {0, 0, 0, 0});
  XGT_CHECK_THROWS_MSG(F::hessian(lin, a, false, true), xg::AutogradError, "hessian:", "independent of input 0");
  xgt::check_values(F::hvp(lin, a, a).second, {0, 0});
  xgt::check_values(F::jvp([](const Tensor&) { return xg::ones({2}, xg::kFloat64); }, a, a).second, {0, 0});
}

TEST_CASE("functional: bad arguments are errors naming the function and the values") {
  const Tensor x = X();
  XGT_CHECK_THROWS_MSG(F::vjp(f, x), xg::ValueError, "vjp: v can be omitted only when the outputs have one element each",
                       "output 0 has shape [3]");
  XGT_CHECK_THROWS_MSG(F::jvp(f, x, xg::ones({2}, xg::kFloat64)), xg::ShapeError, "jvp: v[0] has shape [2] (float64)",
                       "input has shape [3]");
  XGT_CHECK_THROWS_MSG(F::vjp(g, {XM(), Y()}, {V2()}), xg::ValueError, "vjp: got 1 tensors in v for 2 outputs");
  XGT_CHECK_THROWS_MSG(F::hessian(f, x), xg::ValueError, "hessian: the function must return a single-element tensor",
                       "[3]");
  XGT_CHECK_THROWS_MSG(F::hvp(f, x, V3()), xg::ValueError, "hvp: the function must return a single-element tensor");
  XGT_CHECK_THROWS_MSG(F::jacobian(f, xg::from_vector(std::vector<std::int64_t>{1, 2}, {2})), xg::DTypeError,
                       "jacobian: input 0 is int64");
  XGT_CHECK_THROWS_MSG(F::jacobian(f, Tensor{}), xg::ValueError, "jacobian: input 0 is undefined");
  XGT_CHECK_THROWS_MSG(F::vjp(f, x, V2()), xg::ShapeError, "vjp: v[0] has shape [2]");
}
