// Printing tensors: values, shape, dtype, requires_grad and grad_fn, and the summary of large
// tensors.
#include "check.h"

#include <sstream>
#include <string>

TEST_CASE("printing: values, shape, dtype") {
  CHECK(xg::to_string(xg::tensor({1.5, -2, 3})) == "tensor([1.5000, -2.0000, 3.0000], shape=[3], dtype=float32)");
  CHECK(xg::to_string(xg::tensor({0, 7, -2}, xg::kInt64)) == "tensor([0, 7, -2], shape=[3], dtype=int64)");
  CHECK(xg::to_string(xg::scalar_tensor(2.5, xg::kFloat64)) == "tensor(2.5000, shape=[], dtype=float64)");
  CHECK(xg::to_string(xg::tensor({{1, 2}, {3, 4}})) ==
        "tensor([[1.0000, 2.0000],\n"
        "        [3.0000, 4.0000]], shape=[2, 2], dtype=float32)");
  CHECK(xg::to_string(xg::Tensor()) == "tensor(undefined)");
  CHECK(xg::to_string(xg::zeros({0})) == "tensor([], shape=[0], dtype=float32)");

  const xg::Tensor t = xg::tensor({{1, 2, 3}, {4, 5, 6}}, xg::kFloat64);
  std::ostringstream os;
  os << t;
  CHECK(os.str() == xg::to_string(t));
  CHECK(fmt::format("{}", t) == xg::to_string(t));
  CHECK(os.str().find("shape=[2, 3]") != std::string::npos);
  CHECK(os.str().find("dtype=float64") != std::string::npos);
  CHECK(os.str().find("6.0000") != std::string::npos);
  CHECK(fmt::format("{}", t.shape()) == "[2, 3]");
}

TEST_CASE("printing: requires_grad leaves and grad_fn of recorded results") {
  const xg::Tensor x = xg::tensor({1, 2}, xg::TensorOptions(xg::kFloat64).requires_grad());
  CHECK(xg::to_string(x) == "tensor([1.0000, 2.0000], shape=[2], dtype=float64, requires_grad=true)");
  const xg::Tensor y = x * x;
  CHECK(fmt::format("{}", y) == "tensor([1.0000, 4.0000], shape=[2], dtype=float64, grad_fn=<mul>)");
  const xg::Tensor s = xg::sum(y);
  std::ostringstream os;
  os << s;
  CHECK(os.str() == "tensor(5.0000, shape=[], dtype=float64, grad_fn=<sum>)");
  // Results computed without recording print neither.
  xg::Tensor z;
  {
    xg::NoGradGuard ng;
    z = x * x;
  }
  CHECK(xg::to_string(z) == "tensor([1.0000, 4.0000], shape=[2], dtype=float64)");
}

TEST_CASE("printing: large tensors are summarized with ...") {
  const xg::Tensor a = xg::arange(2000);
  const std::string s = xg::to_string(a);
  CHECK(s == "tensor([0.0000, 1.0000, 2.0000, ..., 1997.0000, 1998.0000, 1999.0000], shape=[2000], dtype=float32)");
  CHECK(s.size() < 200u);

  const xg::Tensor m = xg::arange(0, 2500, 1, xg::kInt64).reshape({50, 50});
  const std::string sm = fmt::format("{}", m);
  CHECK(sm.find("...") != std::string::npos);
  CHECK(sm.find("[0, 1, 2, ..., 47, 48, 49]") != std::string::npos);  // first row
  CHECK(sm.find("[2450, 2451, 2452, ..., 2497, 2498, 2499]") != std::string::npos);  // last row
  CHECK(sm.find("1225") == std::string::npos);  // a middle element is not shown
  CHECK(sm.find("shape=[50, 50], dtype=int64") != std::string::npos);
  CHECK(sm.size() < 400u);

  // 1000 elements is still printed in full.
  const std::string full = xg::to_string(xg::arange(0, 1000, 1, xg::kInt64));
  CHECK(full.find("...") == std::string::npos);
  CHECK(full.find("500, 501") != std::string::npos);
}
