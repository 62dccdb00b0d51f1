#pragma once
// The test suite's helpers, in one place: error checks, tensor makers and comparisons, scratch
// folders, files, and the small fixtures that more than one test file uses.
#include <doctest/doctest.h>
#include <unistd.h>
#include <xgrad.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace xgt {

// ---------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------

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

// Build the tests with -DXGT_PRINT_ERROR_MESSAGES to print every message XGT_CHECK_THROWS_MSG sees.
#ifdef XGT_PRINT_ERROR_MESSAGES
inline constexpr bool kPrintErrorMessages = true;
#else
inline constexpr bool kPrintErrorMessages = false;
#endif

}  // namespace xgt

// XGT_CHECK_THROWS_MSG(expr, Type, "part", ...): evaluating expr throws Type (or a type derived
// from it) and the message contains every part. expr must not hold a comma outside parentheses;
// wrap statements in a lambda called in place: XGT_CHECK_THROWS_MSG(([&] { T t(1, 2); }()), ...).
#define XGT_CHECK_THROWS_MSG(expr, Type, ...)                                                           \
  do {                                                                                                  \
    const std::string xgt_msg_ = ::xgt::thrown_message<Type>([&] { (void)(expr); });                    \
    INFO(#Type " message: ", xgt_msg_);                                                                 \
    if (::xgt::kPrintErrorMessages) MESSAGE(xgt_msg_);                                                  \
    CHECK_MESSAGE(xgt_msg_.rfind('<', 0) != 0, "expected " #Type " from " #expr);                       \
    for (const std::string& xgt_part_ : std::vector<std::string>{__VA_ARGS__})                          \
      CHECK_MESSAGE(xgt_msg_.find(xgt_part_) != std::string::npos, "message lacks \"", xgt_part_, "\""); \
  } while (false)

namespace xgt {

// ---------------------------------------------------------------------------------------------
// making tensors
// ---------------------------------------------------------------------------------------------

using VD = std::vector<double>;
using VF = std::vector<float>;
using VI = std::vector<std::int64_t>;

// A float64 tensor of the given shape (requiring grad unless told otherwise).
inline xg::Tensor f64(std::initializer_list<double> v, const xg::Shape& shape, bool requires_grad = true) {
  return xg::from_vector(std::vector<double>(v), shape, requires_grad);
}

// A 1-D int64 tensor (labels, indices).
inline xg::Tensor i64(std::initializer_list<double> v) { return xg::tensor(v, xg::kInt64); }

// A float64 tensor of the given shape holding a + b·i + c·i² at flat index i.
inline xg::Tensor seq(const xg::Shape& s, double a, double b, double c, bool requires_grad = true) {
  std::vector<double> v;
  for (std::int64_t i = 0; i < s.numel(); ++i)
    v.push_back(a + b * static_cast<double>(i) + c * static_cast<double>(i * i));
  return xg::from_vector(v, s, requires_grad);
}

inline std::vector<double> values(const xg::Tensor& t) { return t.to_vector<double>(); }
inline std::vector<std::int64_t> shape_of(const xg::Tensor& t) { return t.sizes(); }

// ---------------------------------------------------------------------------------------------
// checking tensors
// ---------------------------------------------------------------------------------------------

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
                        double rtol = 1e-4, double eps = 1e-6) {
  const auto r1 = xg::gradcheck(fn, inputs, eps, atol, rtol);
  CHECK_MESSAGE(r1.ok, r1.report);
  const auto r2 = xg::gradgradcheck(fn, inputs, eps, atol, rtol);
  CHECK_MESSAGE(r2.ok, r2.report);
}

// Same dtype, shape and bytes (so NaN equals the same NaN); two undefined tensors are equal.
inline bool bitwise_equal(const xg::Tensor& a, const xg::Tensor& b) {
  if (a.defined() != b.defined()) return false;
  if (!a.defined()) return true;
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), static_cast<std::size_t>(a.numel()) * xg::dtype_size(a.dtype())) == 0;
}

// The same keys, in order, with bitwise-equal tensors.
inline bool bitwise_equal(const xg::StateDict& a, const xg::StateDict& b) {
  if (a.size() != b.size()) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib)
    if (ia->first != ib->first || !bitwise_equal(ia->second, ib->second)) return false;
  return true;
}

// A deep copy (state_dict() entries may share storage with the live parameters).
inline xg::StateDict deep_copy(const xg::StateDict& sd) {
  xg::StateDict out;
  for (const auto& [k, v] : sd) out[k] = v.defined() ? v.clone() : v;
  return out;
}

// Values and version of a tensor, taken before a failing call and compared after it.
struct Snapshot {
  explicit Snapshot(const xg::Tensor& t) : tensor(t), copy(t.clone()), version(t.version()) {}
  bool unchanged() const { return bitwise_equal(tensor, copy) && tensor.version() == version; }
  xg::Tensor tensor, copy;
  std::uint64_t version;
};

// ---------------------------------------------------------------------------------------------
// files
// ---------------------------------------------------------------------------------------------

// A scratch folder of its own (the name, the process id and a counter), removed with everything
// in it when it goes out of scope, even if a test made it read-only.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name) {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() /
           ("xgrad_" + name + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all, ec);
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::size_t count() const {
    return static_cast<std::size_t>(
        std::distance(std::filesystem::directory_iterator(path), std::filesystem::directory_iterator()));
  }
};

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::filesystem::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// ---------------------------------------------------------------------------------------------
// fixtures
// ---------------------------------------------------------------------------------------------

// A small model for the module / optimizer / checkpoint cases.
struct MLP : xg::nn::Module {
  xg::nn::Linear fc1, fc2;
  MLP(std::int64_t in, std::int64_t hidden, std::int64_t out) : fc1(in, hidden), fc2(hidden, out) {
    register_module("fc1", fc1);
    register_module("fc2", fc2);
  }
  xg::Tensor forward(const xg::Tensor& x) override { return fc2(xg::relu(fc1(x))); }
  std::string type_name() const override { return "MLP"; }
};

// fc1 → ReLU → dropout → fc2, printed as "Net" (module tests, checkpoints).
struct Net : xg::nn::Module {
  xg::nn::Linear fc1, fc2;
  xg::nn::Dropout drop;
  Net(std::int64_t in, std::int64_t hidden, std::int64_t out, double p) : fc1(in, hidden), fc2(hidden, out), drop(p) {
    register_module("fc1", fc1);
    register_module("drop", drop);
    register_module("fc2", fc2);
  }
  xg::Tensor forward(const xg::Tensor& x) override { return fc2(drop(xg::relu(fc1(x)))); }
  std::string type_name() const override { return "Net"; }
};

// The optimizer tests' fixed problem (tests/reference/optim_reference.py):
// L(θ) = Σ ½·a·(θ − c)² + 0.05·Σ θ⁴, a = [1, 10, 0.5], c = [1, −2, 0.5], θ₀ = [0.5, −1.5, 2].
inline xg::Tensor problem_loss(const xg::Tensor& theta) {
  const xg::Tensor a = xg::tensor({1.0, 10.0, 0.5}, xg::kFloat64);
  const xg::Tensor c = xg::tensor({1.0, -2.0, 0.5}, xg::kFloat64);
  const xg::Tensor d = theta - c;
  return (0.5 * a * d * d).sum() + 0.05 * xg::pow(theta, 4).sum();
}

inline xg::Tensor theta0() { return f64({0.5, -1.5, 2.0}, {3}); }

using Rows = std::vector<std::vector<double>>;
using OptimizerFactory = std::function<std::unique_ptr<xg::optim::Optimizer>(std::vector<xg::Tensor>)>;

template <class Opt, class Options>
OptimizerFactory factory(Options o) {
  return [o](std::vector<xg::Tensor> ps) { return std::make_unique<Opt>(std::move(ps), o); };
}

// θ after each of `steps` steps on problem_loss from θ₀.
inline Rows trajectory(const OptimizerFactory& make, int steps = 6) {
  xg::Tensor theta = theta0();
  auto opt = make({theta});
  Rows rows;
  for (int i = 0; i < steps; ++i) {
    opt->zero_grad();
    problem_loss(theta).backward();
    opt->step();
    rows.push_back(theta.to_vector<double>());
  }
  return rows;
}

inline void check_rows(const Rows& got, const Rows& expected, double tol = 1e-12) {
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    check_values(xg::from_vector(got[i], xg::Shape{static_cast<std::int64_t>(got[i].size())}), expected[i], tol);
  }
}

}  // namespace xgt
