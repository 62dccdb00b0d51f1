#pragma once
// Shared helpers for the test suite.
#include <doctest/doctest.h>
#include <xgrad.h>

#include <cmath>
#include <exception>
#include <string>
#include <vector>

namespace xgt {

// what() of the E thrown by f, or a "<...>" note saying what happened instead.
template <class E, class Fn>
std::string thrown_message(Fn&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const xg::Error& e) {
    return std::string("<wrong xg::Error subtype: ") + e.what() + ">";
  } catch (const std::exception& e) {
    return std::string("<not an xg::Error: ") + e.what() + ">";
  }
  return "<no exception>";
}

inline xg::Tensor f64(std::initializer_list<double> v, const xg::Shape& shape, bool requires_grad = true) {
  return xg::from_vector(std::vector<double>(v), shape, requires_grad);
}

inline void check_values(const xg::Tensor& t, const std::vector<double>& expected, double tol = 1e-12) {
  REQUIRE(t.defined());
  const auto got = t.to_vector<double>();
  REQUIRE_MESSAGE(got.size() == expected.size(), "got " << got.size() << " values, expected " << expected.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    CHECK_MESSAGE(std::abs(got[i] - expected[i]) <= tol * (1 + std::abs(expected[i])),
                  "element " << i << ": got " << got[i] << ", expected " << expected[i]);
}

inline void check_shape(const xg::Tensor& t, const xg::Shape& s) {
  CHECK_MESSAGE(t.shape() == s, "shape " << xg::to_string(t.shape()) << " expected " << xg::to_string(s));
}

// gradcheck and gradgradcheck in float64, reporting the mismatch on failure.
inline void check_grads(const xg::GradcheckFn& fn, const std::vector<xg::Tensor>& inputs, double atol = 1e-6,
                        double rtol = 1e-4) {
  const auto r1 = xg::gradcheck(fn, inputs, 1e-6, atol, rtol);
  CHECK_MESSAGE(r1.ok, r1.report);
  const auto r2 = xg::gradgradcheck(fn, inputs, 1e-6, atol, rtol);
  CHECK_MESSAGE(r2.ok, r2.report);
}

}  // namespace xgt
