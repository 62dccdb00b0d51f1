// The xtensor escape hatch (tensor/xtensor_interop.h): to_xarray / from_xarray copies, dtypes,
// expressions, 0-d tensors. The only test file that includes an xtensor header.
#include "check.h"

#include <cstdint>

#include "tensor/xtensor_interop.h"

namespace {

using xgt::shape_of;
using xgt::values;
using xgt::VD;
using xgt::VF;
using xgt::VI;

}  // namespace

TEST_CASE("to_xarray / from_xarray round trip") {
  const xg::Tensor t = xg::tensor({{1, 2, 3}, {4, 5, 6}}, xg::kFloat64);
  const xt::xarray<double> a = xg::to_xarray<double>(t);
  REQUIRE(a.dimension() == 2u);
  CHECK(a.shape()[0] == 2u);
  CHECK(a.shape()[1] == 3u);
  CHECK(a(0, 0) == 1.0);
  CHECK(a(0, 2) == 3.0);
  CHECK(a(1, 1) == 5.0);

  const xg::Tensor back = xg::from_xarray(a);
  CHECK(back.dtype() == xg::kFloat64);
  CHECK(xg::equal(back, t));

  // A copy in both directions: changing the tensor does not change the array.
  xg::Tensor t2 = back;
  t2.fill_(0);
  CHECK(a(1, 2) == 6.0);

  // Element types map to dtypes; expressions are evaluated first.
  const xt::xarray<float> af = {{1.5f, 2.5f}};
  const xg::Tensor tf = xg::from_xarray(af);
  CHECK(tf.dtype() == xg::kFloat32);
  CHECK(shape_of(tf) == VI{1, 2});
  CHECK(tf.to_vector<float>() == VF{1.5f, 2.5f});

  const xt::xarray<std::int64_t> ai = {3, -4, 5};
  const xg::Tensor ti = xg::from_xarray(ai);
  CHECK(ti.dtype() == xg::kInt64);
  CHECK(ti.to_vector<std::int64_t>() == VI{3, -4, 5});

  const xt::xarray<double> b = {{1.0, 2.0}, {3.0, 4.0}};
  const xg::Tensor te = xg::from_xarray(b * 2.0 + 1.0);
  CHECK(values(te) == VD{3, 5, 7, 9});

  // Conversion on the way out.
  const xt::xarray<std::int64_t> ci = xg::to_xarray<std::int64_t>(xg::tensor({1.7, -1.7}));
  CHECK(ci(0) == 1);
  CHECK(ci(1) == -1);

  // 0-d tensor.
  const xt::xarray<double> z = xg::to_xarray<double>(xg::scalar_tensor(4.5, xg::kFloat64));
  CHECK(z.dimension() == 0u);
  CHECK(z() == 4.5);
}
