// xg::gradcheck(module, inputs) and gradgradcheck(module, inputs): the module's parameters are
// checked with the inputs, in float64 whatever the module's dtype, and the module ends exactly as
// it began (values, dtypes, buffers, version counters). A deliberately wrong parameter gradient
// fails, naming the parameter by its dotted name, in every mode.
#include "check.h"

#include <string>
#include <vector>

using xg::Tensor;
using xgt::Snapshot;
namespace nn = xg::nn;

namespace {

void check_report_has(const std::string& report, const std::vector<std::string>& parts) {
  INFO("report: ", report);
  for (const auto& p : parts) CHECK_MESSAGE(report.find(p) != std::string::npos, "report lacks \"", p, "\"");
}

// y = x ∘ w + detach(w)²: the value depends on w through both terms, the recorded gradient only
// through the first (x instead of x + 2w) when `broken`.
struct Scale : nn::Module {
  Tensor w;
  bool broken;
  explicit Scale(bool broken_) : broken(broken_) {
    w = register_parameter("w", xg::from_vector(std::vector<float>{0.5f, -1.25f}, {2}));
  }
  Tensor forward(const Tensor& x) override {
    return x * w + xg::square(broken ? w.detach() : w);
  }
};

struct Net : nn::Module {
  nn::Linear fc{3, 2};
  Scale scale;
  explicit Net(bool broken) : scale(broken) {
    register_module("fc", fc);
    register_module("scale", scale);
  }
  Tensor forward(const Tensor& x) override { return scale(xg::tanh(fc(x))); }
};

Tensor batch() { return xg::from_vector(std::vector<float>{0.2f, -0.4f, 0.9f, 1.1f, 0.3f, -0.7f}, {2, 3}); }

std::vector<Snapshot> snapshots(const nn::Module& m) {
  std::vector<Snapshot> out;
  for (const auto& [n, t] : m.named_parameters()) out.emplace_back(t);
  for (const auto& [n, t] : m.named_buffers()) out.emplace_back(t);
  return out;
}
bool all_unchanged(const std::vector<Snapshot>& s) {
  bool ok = true;
  for (const auto& x : s) ok = ok && x.unchanged();
  return ok;
}

}  // namespace

TEST_CASE("gradcheck(module, inputs) fails on a wrong parameter gradient, naming the parameter") {
  xg::manual_seed(3);
  Net bad(true);
  const auto before = snapshots(bad);
  const Tensor x = batch();
  const Snapshot sx(x);
  const xg::GradcheckResult r = xg::gradcheck(bad, {x});
  CHECK_FALSE(r.ok);
  // d y / d w = h + 2w is recorded as h: the element where 2|w| is largest, w[1] = -1.25, is the
  // worst, by 2.5 (the hidden h cancels in analytic − numeric).
  check_report_has(r.report, {"for parameter 'scale.w' (shape [2]) at element 1 (index [1]), output element "});
  const auto num = [&] {
    const auto at = r.report.find("vs numeric ");
    const double n = std::stod(r.report.substr(at + 11));
    const auto a0 = r.report.find("analytic ");
    return n - std::stod(r.report.substr(a0 + 9));
  }();
  CHECK(num == doctest::Approx(-2.5).epsilon(1e-6));
  // The module and the input are as they were: float32, the same bits, the same versions.
  CHECK(all_unchanged(before));
  CHECK(sx.unchanged());
  CHECK(bad.scale.w.dtype() == xg::kFloat32);
  CHECK(bad.fc->weight.dtype() == xg::kFloat32);
  CHECK_FALSE(bad.scale.w.grad().defined());

  // The function form with only x as input does not see the broken parameter (x's gradient is
  // right): that is why the module form exists.
  Net bad64(true);
  bad64.to(xg::kFloat64);
  const Tensor x64 = x.to(xg::kFloat64).requires_grad_(true);
  CHECK(xg::gradcheck([&](const std::vector<Tensor>& in) { return bad64(in[0]); }, {x64}).ok);
  // Listing the parameter as an input of that closure is enough, now that inputs are perturbed in place.
  const xg::GradcheckResult r2 = xg::gradcheck([&](const std::vector<Tensor>& in) { return bad64(in[0]); },
                                               {x64, bad64.scale.w});
  CHECK_FALSE(r2.ok);
  check_report_has(r2.report, {"for input 1 (shape [2]) at element 1"});

  // The correct module passes both checks, in float32 as given.
  Net good(false);
  const auto good_before = snapshots(good);
  const xg::GradcheckResult ok1 = xg::gradcheck(good, {x});
  CHECK_MESSAGE(ok1.ok, ok1.report);
  const xg::GradcheckResult ok2 = xg::gradgradcheck(good, {x});
  CHECK_MESSAGE(ok2.ok, ok2.report);
  CHECK(all_unchanged(good_before));
}

TEST_CASE("gradcheck(module) fails in fast mode and with raise_exception, naming the parameter") {
  Net bad(true);
  const auto before = snapshots(bad);
  xg::GradcheckOptions o;
  o.fast_mode = true;
  const xg::GradcheckResult r = xg::gradcheck(bad, {batch()}, o);
  CHECK_FALSE(r.ok);
  check_report_has(r.report, {"gradcheck (fast_mode): vᵀJu mismatch for parameter 'scale.w' (shape [2])"});
  o.raise_exception = true;
  XGT_CHECK_THROWS_MSG(xg::gradcheck(bad, {batch()}, o), xg::GradcheckError, "parameter 'scale.w'");
  CHECK(all_unchanged(before));
  Net good(false);
  o.raise_exception = false;
  CHECK(xg::gradcheck(good, {batch()}, o).ok);
}

TEST_CASE("gradgradcheck(module) fails on a parameter gradient that is right but cut from the graph") {
  // sum(sin(w ∘ x)) with a hook returning u = w ∘ 1's gradient detached: first derivatives exact,
  // second derivatives of w lost.
  struct Cut : nn::Module {
    Tensor w;
    Cut() { w = register_parameter("w", xg::from_vector(std::vector<double>{0.7, -0.4, 1.3}, {3})); }
    Tensor forward(const Tensor& x) override {
      Tensor u = w * 1.0;
      u.register_hook([](const Tensor& g) { return g.detach(); });
      return xg::sum(xg::sin(u * x));
    }
  } cut;
  const Tensor x = xg::from_vector(std::vector<double>{1.5, 2.0, -0.5}, {3});
  CHECK(xg::gradcheck(cut, {x}).ok);
  const xg::GradcheckResult r = xg::gradgradcheck(cut, {x});
  CHECK_FALSE(r.ok);
  check_report_has(r.report, {"gradgradcheck (second derivatives): ", "for parameter 'w' (shape [3])"});
}

TEST_CASE("gradcheck(module) in train mode checks BatchNorm's batch statistics and leaves its buffers alone") {
  nn::BatchNorm1d bn(3);
  const auto before = snapshots(bn);
  const Tensor x = xg::from_vector(std::vector<float>{0.2f, -0.4f, 0.9f, 1.1f, 0.3f, -0.7f, 0.5f, 2.0f, 0.1f}, {3, 3}, true);
  xg::GradcheckOptions o;
  o.atol = 1e-4;
  const xg::GradcheckResult r = xg::gradcheck(bn, {x}, o);
  CHECK_MESSAGE(r.ok, r.report);
  // The forward ran many times in train mode, on copies of the running statistics.
  CHECK(all_unchanged(before));
  CHECK(bn->num_batches_tracked.item<std::int64_t>() == 0);
  CHECK(bn->running_mean.dtype() == xg::kFloat32);
}

TEST_CASE("gradcheck(module) refuses what it cannot call, before touching the module") {
  Net net(false);
  const auto before = snapshots(net);
  XGT_CHECK_THROWS_MSG(xg::gradcheck(net, {batch(), batch()}), xg::ValueError,
                       "gradcheck: a module is called with one input, got 2", "xg::gradcheck(module, fn, inputs)");
  XGT_CHECK_THROWS_MSG(xg::gradgradcheck(net, {Tensor{}}), xg::ValueError, "gradgradcheck: input 0 is undefined");
  // A module whose forward fails: the error reaches the caller and the module is restored.
  XGT_CHECK_THROWS_MSG(xg::gradcheck(net, {xg::ones({2, 5})}), xg::ShapeError, "linear: input [2, 5] has 5 features");
  CHECK(all_unchanged(before));
  CHECK(net.fc->weight.dtype() == xg::kFloat32);
  // The form with a function: two inputs, the module's parameters checked along with them.
  const Tensor a = xg::from_vector(std::vector<double>{0.3, -0.2, 0.8}, {1, 3}, true);
  const xg::GradcheckResult r =
      xg::gradcheck(net, [&](const std::vector<Tensor>& in) { return net(in[0]) * net(in[1]); }, {a, batch()});
  CHECK_MESSAGE(r.ok, r.report);
  CHECK(all_unchanged(before));
}
