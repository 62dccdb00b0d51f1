// Derivatives at the points where the formulas divide by zero or cancel: values by hand, in
// float64, through the highest order that is defined.
#include <cmath>

#include "check.h"

using xg::Tensor;
using xgt::check_values;
using xgt::f64;

namespace {

// The product of xs without the elements at the given (distinct) positions; 0 if a position repeats.
double product_without(const std::vector<double>& xs, std::vector<std::size_t> skip) {
  for (std::size_t a = 0; a < skip.size(); ++a)
    for (std::size_t b = a + 1; b < skip.size(); ++b)
      if (skip[a] == skip[b]) return 0;
  double p = 1;
  for (std::size_t j = 0; j < xs.size(); ++j)
    if (std::find(skip.begin(), skip.end(), j) == skip.end()) p *= xs[j];
  return p;
}

Tensor element(const Tensor& t, std::int64_t i) { return xg::sum(xg::narrow(t, 0, i, 1)); }

}  // namespace

TEST_CASE("prod: first, second and third derivatives are exact at zeros") {
  const std::vector<std::vector<double>> points{{0.5, 2, 0, 3, 1.5, 0.25}, {0.5, 0, 2, 0, 3}, {0, 0, 0}, {1.5, -2, 0.5, 3}};
  for (const auto& xs : points) {
    for (bool all_elements : {false, true}) {
      CAPTURE(xs.size());
      CAPTURE(all_elements);
      const auto n = static_cast<std::int64_t>(xs.size());
      Tensor x = xg::from_vector(xs, {n}, true);
      const Tensor y = all_elements ? xg::prod(x) : xg::prod(x, 0);
      const Tensor g = xg::autograd::grad({y}, {x}, {}, true, true)[0];
      for (std::int64_t i = 0; i < n; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        CHECK(g.to_vector<double>()[ui] == doctest::Approx(product_without(xs, {ui})).epsilon(1e-14));
        const Tensor h = xg::autograd::grad({element(g, i)}, {x}, {}, true, true)[0];
        for (std::int64_t k = 0; k < n; ++k) {
          const auto uk = static_cast<std::size_t>(k);
          CHECK(h.to_vector<double>()[uk] == doctest::Approx(product_without(xs, {ui, uk})).epsilon(1e-14));
          const Tensor t3 = xg::autograd::grad({element(h, k)}, {x}, {}, true, false, true)[0];
          for (std::int64_t l = 0; l < n; ++l) {
            const double got = t3.defined() ? t3.to_vector<double>()[static_cast<std::size_t>(l)] : 0.0;
            CHECK(got == doctest::Approx(product_without(xs, {ui, uk, static_cast<std::size_t>(l)})).epsilon(1e-14));
          }
        }
      }
    }
  }
}

TEST_CASE("prod along a dim of a matrix with zeros passes gradcheck and gradgradcheck") {
  for (std::int64_t dim : {0, 1, -1}) {
    CAPTURE(dim);
    xgt::check_grads([dim](const std::vector<Tensor>& in) { return xg::prod(in[0], dim); },
                     {f64({0.5, 2, 0, 3, 0, 0.25, 1.5, -1, 0}, {3, 3})});
    xgt::check_grads([dim](const std::vector<Tensor>& in) { return xg::prod(in[0], dim, true); },
                     {f64({0.5, 2, 0, 3, 1.5, 0.25}, {2, 3})});
  }
  xgt::check_grads([](const std::vector<Tensor>& in) { return xg::prod(in[0]); }, {f64({0.5, 2, 0, 3, 1.5, 0.25}, {2, 3})});
}

TEST_CASE("std (biased) of a constant row has gradient 0, as PyTorch, and finite second derivatives") {
  Tensor x = f64({2, 2, 2, 1, 2, 4}, {2, 3});
  const Tensor s = xg::std(x, {1}, /*unbiased=*/false);
  const Tensor g = xg::autograd::grad({xg::sum(s)}, {x}, {}, true, true)[0];
  // Row 1: mean 7/3, std = sqrt(14/9); d std / dx_i = (x_i - mean) / (n std).
  const double sd = std::sqrt(14.0 / 9.0), m = 7.0 / 3.0;
  check_values(g, {0, 0, 0, (1 - m) / (3 * sd), (2 - m) / (3 * sd), (4 - m) / (3 * sd)}, 1e-14);
  const Tensor h = xg::autograd::grad({xg::sum(g * g)}, {x})[0];
  for (double v : h.to_vector<double>()) CHECK(std::isfinite(v));
  Tensor c = f64({3, 3, 3, 3}, {4});
  xg::std(c, {}, false).backward();
  check_values(c.grad(), {0, 0, 0, 0});
}

TEST_CASE("norm p=2 of an all-zero input has gradient 0") {
  Tensor x = f64({0, 0, 0}, {3});
  xg::norm(x).backward();
  check_values(x.grad(), {0, 0, 0});
}

TEST_CASE("pow(tensor, tensor) at base 0: d/dbase is 0 where the exponent is 0, as PyTorch, at every order") {
  Tensor x = f64({0, 0, 2}, {3});
  Tensor e = f64({0, 2, 0}, {3});
  const Tensor y = xg::sum(xg::pow(x, e));
  const auto g = xg::autograd::grad({y}, {x, e}, {}, true, true);
  check_values(g[0], {0, 0, 0});              // e·x^(e-1): 0·0^-1 := 0, 2·0 = 0, 0·2^-1 = 0
  check_values(g[1], {0, 0, std::log(2.0)});  // x^e·log x, 0 at x == 0 with e >= 0
  const auto h = xg::autograd::grad({xg::sum(g[0]) + xg::sum(g[1])}, {x, e}, {}, false, false, true);
  for (const auto& t : h)
    if (t.defined())
      for (double v : t.to_vector<double>()) CHECK(std::isfinite(v));
}

TEST_CASE("log_softmax and cross_entropy keep relative accuracy for outputs near 0 beside large logits") {
  // log_softmax([1000, 960])[0] = -log1p(exp(-40)) = -4.248354255291589e-18, exact only as (x - m) - log s.
  const Tensor logits = f64({1000, 960}, {1, 2}, false);
  const auto y = xg::log_softmax(logits, 1).to_vector<double>();
  const double tiny = -std::log1p(std::exp(-40.0));
  CHECK(y[0] == doctest::Approx(tiny).epsilon(1e-14));
  CHECK(y[1] == doctest::Approx(-40 + tiny).epsilon(1e-14));
  const double ce = xg::nn::functional::cross_entropy(logits, xg::from_vector(std::vector<std::int64_t>{0}, {1})).item<double>();
  CHECK(ce == doctest::Approx(-tiny).epsilon(1e-14));
  CHECK(xg::logsumexp(logits, {1}).item<double>() == doctest::Approx(1000).epsilon(1e-16));
}
