// The bad-input matrix (issue #9), nn modules and losses:
// realistic misuses across the whole API. Each case checks
//   (a) the exact xg::Error subtype,
//   (b) that the message names the op and the offending shapes / dtypes / values,
//   (c) that nothing was changed by the failed call: input values and version counters, module
//       and optimizer state_dicts, files on disk (byte for byte).
// The other parts are the test_bad_input_*.cpp files; test_errors_*.cpp hold the basic per-type
// cases, which the matrix does not repeat.
#include "check.h"

#include <cmath>
#include <vector>

namespace nn = xg::nn;
namespace F = xg::nn::functional;

namespace {

using xgt::bitwise_equal;
using xgt::deep_copy;
using xgt::f64;
using xgt::i64;
using xgt::MLP;
using xgt::Snapshot;

}  // namespace

// =============================================================================================
// nn: modules and losses
// =============================================================================================

TEST_CASE("bad input: nn modules") {
  SUBCASE("Linear with zero or negative sizes") {
    XGT_CHECK_THROWS_MSG(nn::Linear(0, 3), xg::ValueError, "Linear", "in=0");
    XGT_CHECK_THROWS_MSG(nn::Linear(4, -1), xg::ValueError, "Linear", "out=-1");
  }
  SUBCASE("Linear forward with the wrong number of features (module unchanged)") {
    nn::Linear lin(3, 2);
    const xg::StateDict before = deep_copy(lin->state_dict());
    XGT_CHECK_THROWS_MSG(lin(xg::ones({4, 5})), xg::ShapeError, "linear", "[4, 5]", "[2, 3]");
    CHECK(bitwise_equal(lin->state_dict(), before));
  }
  SUBCASE("BatchNorm1d with the wrong feature count: running statistics unchanged") {
    nn::BatchNorm1d bn(4);
    bn->train();
    (void)bn(xg::randn({8, 4}));  // moves the running stats away from 0/1
    const xg::StateDict before = deep_copy(bn->state_dict());
    XGT_CHECK_THROWS_MSG(bn(xg::randn({8, 3})), xg::ShapeError, "BatchNorm1d", "4", "[8, 3]");
    CHECK(bitwise_equal(bn->state_dict(), before));
  }
  SUBCASE("Dropout with p outside [0, 1] or NaN") {
    XGT_CHECK_THROWS_MSG(nn::Dropout(1.5), xg::ValueError, "Dropout", "1.5");
    XGT_CHECK_THROWS_MSG(nn::Dropout(std::nan("")), xg::ValueError, "Dropout", "nan");
  }
  SUBCASE("load_state_dict with a missing key: reported, nothing loaded") {
    MLP m(3, 4, 2);
    const xg::StateDict before = deep_copy(m.state_dict());
    xg::StateDict sd = deep_copy(before);
    for (auto& [k, v] : sd) v.fill_(7.0);
    sd.erase("fc2.bias");
    XGT_CHECK_THROWS_MSG(m.load_state_dict(sd), xg::ValueError, "load_state_dict", "missing", "fc2.bias");
    CHECK(bitwise_equal(m.state_dict(), before));
  }
  SUBCASE("load_state_dict with an extra key: reported, nothing loaded") {
    MLP m(3, 4, 2);
    const xg::StateDict before = deep_copy(m.state_dict());
    xg::StateDict sd = deep_copy(before);
    for (auto& [k, v] : sd) v.fill_(7.0);
    sd["fc3.weight"] = xg::ones({2, 2});
    XGT_CHECK_THROWS_MSG(m.load_state_dict(sd), xg::ValueError, "load_state_dict", "unexpected", "fc3.weight");
    CHECK(bitwise_equal(m.state_dict(), before));
  }
  SUBCASE("load_state_dict with a mis-shaped key (even non-strict): reported, nothing loaded") {
    MLP m(3, 4, 2);
    const xg::StateDict before = deep_copy(m.state_dict());
    xg::StateDict sd = deep_copy(before);
    for (auto& [k, v] : sd) v.fill_(7.0);
    sd["fc1.weight"] = xg::ones({4, 5});
    // ValueError (not ShapeError): load_state_dict reports every kind of mismatch together.
    XGT_CHECK_THROWS_MSG(m.load_state_dict(sd), xg::ValueError, "MLP.load_state_dict", "nothing was loaded",
                         "fc1.weight", "[4, 5]", "[4, 3]");
    XGT_CHECK_THROWS_MSG(m.load_state_dict(sd, false), xg::ValueError, "MLP.load_state_dict", "fc1.weight", "[4, 5]",
                         "[4, 3]");
    CHECK(bitwise_equal(m.state_dict(), before));
  }
}

TEST_CASE("bad input: losses") {
  const xg::Tensor logits = xg::from_vector(std::vector<double>{1, 2, 3, 0, 0, 1}, {2, 3}, true);
  const Snapshot sl(logits);
  SUBCASE("float targets into cross_entropy") {
    XGT_CHECK_THROWS_MSG(F::cross_entropy(logits, f64({2, 0}, {2}, false)), xg::DTypeError, "cross_entropy", "int64",
                         "float64");
  }
  SUBCASE("class index out of range in cross_entropy") {
    XGT_CHECK_THROWS_MSG(F::cross_entropy(logits, i64({1, 3})), xg::IndexError, "cross_entropy", "3", "3 classes");
    XGT_CHECK_THROWS_MSG(F::cross_entropy(logits, i64({-2, 0})), xg::IndexError, "cross_entropy", "-2");
  }
  SUBCASE("class index out of range in nll_loss") {
    const xg::Tensor lp = xg::log_softmax(logits, 1);
    XGT_CHECK_THROWS_MSG(F::nll_loss(lp, i64({0, 5})), xg::IndexError, "nll_loss", "5", "3 classes");
  }
  SUBCASE("cross_entropy targets of the wrong batch size") {
    XGT_CHECK_THROWS_MSG(F::cross_entropy(logits, i64({0, 1, 2})), xg::ShapeError, "cross_entropy", "[2, 3]", "[3]");
  }
  SUBCASE("label_smoothing outside [0, 1]") {
    const auto o = F::CrossEntropyFuncOptions().label_smoothing(1.5);
    XGT_CHECK_THROWS_MSG(F::cross_entropy(logits, i64({0, 1}), o), xg::ValueError, "cross_entropy", "label_smoothing",
                         "1.5");
  }
  SUBCASE("binary_cross_entropy with probabilities outside [0, 1] or NaN") {
    const xg::Tensor p = f64({0.5, 1.5}, {2}), t = f64({0, 1}, {2}, false);
    const Snapshot sp(p);
    XGT_CHECK_THROWS_MSG(F::binary_cross_entropy(p, t), xg::ValueError, "binary_cross_entropy", "1.5");
    XGT_CHECK_THROWS_MSG(F::binary_cross_entropy(f64({std::nan(""), 0.5}, {2}, false), t), xg::ValueError,
                         "binary_cross_entropy", "nan");
    CHECK(sp.unchanged());
  }
  SUBCASE("mse_loss / binary_cross_entropy_with_logits with mismatched shapes") {
    XGT_CHECK_THROWS_MSG(F::mse_loss(logits, f64({1, 2}, {2}, false)), xg::ShapeError, "mse_loss", "[2, 3]", "[2]");
    XGT_CHECK_THROWS_MSG(F::binary_cross_entropy_with_logits(f64({0, 0, 0}, {3}, false), f64({1, 0}, {2}, false)),
                         xg::ShapeError, "binary_cross_entropy_with_logits", "[3]", "[2]");
  }
  CHECK(sl.unchanged());
  CHECK_FALSE(logits.grad().defined());
}
