// Storage dtypes (bool, uint8, int32), kBool comparisons and masks, Scalar item(), LibTorch's
// dtype aliases, int shapes and dims, devices, from_blob and mutable_grad (issue #15).
#include <sstream>

#include "check.h"

using namespace xgt;
using xg::Tensor;

TEST_CASE("dtypes: LibTorch aliases, sizes, names") {
  CHECK(xg::kFloat == xg::kFloat32);
  CHECK(xg::kDouble == xg::kFloat64);
  CHECK(xg::kLong == xg::kInt64);
  CHECK(xg::kInt == xg::kInt32);
  CHECK(xg::kByte == xg::kUInt8);
  CHECK(xg::zeros(2, xg::kBool).element_size() == 1);
  CHECK(xg::zeros(2, xg::kUInt8).element_size() == 1);
  CHECK(xg::zeros(2, xg::kInt32).element_size() == 4);
  CHECK(xg::dtype_name(xg::kBool) == "bool");
  CHECK(xg::dtype_name(xg::kUInt8) == "uint8");
  CHECK(xg::dtype_name(xg::kInt32) == "int32");
  CHECK_FALSE(xg::is_floating(xg::kBool));
}

TEST_CASE("dtypes: creation and conversion both ways") {
  const Tensor b = xg::tensor({1, 0, 2}, xg::kBool);
  CHECK(b.dtype() == xg::kBool);
  check_values(b, {1, 0, 1});
  check_values(xg::full({2}, 7, xg::kInt32), {7, 7});
  check_values(xg::ones(3, xg::kUInt8), {1, 1, 1});
  check_values(xg::arange(4, xg::kInt32), {0, 1, 2, 3});
  check_values(xg::eye(2, xg::kBool), {1, 0, 0, 1});

  const Tensor x = xg::tensor({0.0, 1.9, 255.0});
  check_values(x.to(xg::kUInt8), {0, 1, 255});
  check_values(x.to(xg::kInt32), {0, 1, 255});
  check_values(xg::tensor({0.0, 0.5, -2.0}).to(xg::kBool), {0, 1, 1});
  check_values(b.to(xg::kFloat32), {1, 0, 1});
  check_values(xg::tensor({3, 4}, xg::kInt32).to(xg::kInt64), {3, 4});
  check_values(xg::tensor({250}, xg::kUInt8).to(xg::kDouble).div(2.0), {125});
  // int64 to int32 wraps, as PyTorch: 2^32 + 5 -> 5.
  check_values(xg::tensor({4294967301.0}, xg::kInt64).to(xg::kInt32), {5});
  CHECK(xg::from_vector(std::vector<std::uint8_t>{1, 200}, {2}).dtype() == xg::kUInt8);
  CHECK(xg::from_vector(std::vector<std::int32_t>{-1, 2}, {2}).at<int>({0}) == -1);
  CHECK(xg::from_vector(std::vector<bool>{true, false}, {2}).to_vector<bool>() == std::vector<bool>{true, false});

  XGT_CHECK_THROWS_MSG(xg::tensor({256.0}).to(xg::kUInt8), xg::ValueError, "to", "256", "uint8");
  XGT_CHECK_THROWS_MSG(xg::tensor({-1.5}).to(xg::kUInt8), xg::ValueError, "uint8");
  XGT_CHECK_THROWS_MSG(xg::tensor({1e10}, xg::kInt32), xg::ValueError, "tensor", "int32");
  XGT_CHECK_THROWS_MSG(xg::full({2}, 300, xg::kUInt8), xg::ValueError, "full", "300", "uint8");
  XGT_CHECK_THROWS_MSG(xg::zeros({2}, xg::TensorOptions(xg::kBool).requires_grad(true)), xg::DTypeError, "zeros", "bool");
  XGT_CHECK_THROWS_MSG(xg::zeros(2, xg::kUInt8).requires_grad_(), xg::DTypeError, "requires_grad_", "uint8");
}

TEST_CASE("dtypes: printing") {
  const std::string s = xg::to_string(xg::tensor({1, 0}, xg::kBool));
  CHECK(s.find("[true, false]") != std::string::npos);
  CHECK(s.find("dtype=bool") != std::string::npos);
  const std::string u = xg::to_string(xg::tensor({255, 3}, xg::kUInt8));
  CHECK(u.find("[255, 3]") != std::string::npos);
  CHECK(u.find("dtype=uint8") != std::string::npos);
  CHECK(xg::to_string(xg::tensor({-7}, xg::kInt32)).find("[-7], shape=[1], dtype=int32") != std::string::npos);
}

TEST_CASE("dtypes: safetensors round trip and a bad BOOL byte") {
  TempDir dir("dtypes_io");
  xg::StateDict sd{{"mask", xg::tensor({1, 0, 1}, xg::kBool)},
                   {"image", xg::tensor({0, 128, 255}, xg::kUInt8)},
                   {"labels", xg::tensor({-3, 9}, xg::kInt32)}};
  xg::save(sd, dir.file("m.safetensors"));
  const auto back = xg::load(dir.file("m.safetensors"));
  for (const auto& [name, t] : sd) {
    REQUIRE(back.count(name) == 1);
    CHECK(xg::equal(back.at(name), t));
  }
  std::string bytes = xg::io::to_safetensors({{"m", xg::tensor({1, 0}, xg::kBool)}});
  CHECK(bytes.find("\"BOOL\"") != std::string::npos);
  bytes[bytes.size() - 1] = 2;  // the last data byte
  XGT_CHECK_THROWS_MSG(xg::io::from_safetensors(bytes, "x.safetensors"), xg::FormatError, "x.safetensors", "BOOL", "not 0 or 1");
}

TEST_CASE("comparisons give kBool masks") {
  const Tensor a = f64({1, 2, 3}, {3}, false), b = f64({3, 2, 1}, {3}, false);
  for (const Tensor& m : {a > 1.0, a == b, a < b, a <= 2.0, a >= b, a != b, 2.0 < a, xg::eq(a, b), a.gt(b), a.le(2.0)})
    CHECK(m.dtype() == xg::kBool);
  check_values(a > 1.0, {0, 1, 1});
  check_values(a == b, {0, 1, 0});
  check_values(a < b, {1, 0, 0});
  check_values(a >= b, {0, 1, 1});
  check_values(2.0 < a, {0, 0, 1});
  check_values(a.ne(b), {1, 0, 1});
  // broadcasting, storage dtypes (compared exactly, also beyond their range), a bool against a float
  check_values(f64({1, 5}, {2, 1}, false) > f64({2, 3, 4}, {3}, false), {0, 0, 0, 1, 1, 1});
  check_values(xg::tensor({100, 200}, xg::kUInt8) > 150.0, {0, 1});
  check_values(xg::tensor({100, 200}, xg::kUInt8) < 300.0, {1, 1});
  check_values(xg::tensor({-1, 5}, xg::kInt32) == xg::tensor({-1, 4}, xg::kInt32), {1, 0});
  check_values((a > 1.0) == f64({1, 0, 1}, {3}, false), {0, 0, 1});
  CHECK_FALSE((a > 1.0).requires_grad());
  XGT_CHECK_THROWS_MSG(a > xg::tensor({1}, xg::kInt32), xg::DTypeError, "gt", "float64", "int32");
}

TEST_CASE("arithmetic: bool mixes as 0/1; storage dtypes raise naming the call") {
  const Tensor x = f64({-1, 2, -3, 4}, {4});
  check_values(x * (x > 0.0), {0, 2, 0, 4});
  check_values((x > 0.0) + x, {-1, 3, -3, 5});
  check_grads([](const std::vector<Tensor>& in) { return in[0] * (in[0] > 0.0); }, {x});
  const Tensor m = xg::tensor({1, 0, 1}, xg::kBool);
  CHECK(m.sum().dtype() == xg::kInt64);
  CHECK(m.sum().item<std::int64_t>() == 2);
  CHECK(xg::tensor({200, 100}, xg::kUInt8).sum().item<std::int64_t>() == 300);  // no uint8 overflow
  check_values(xg::tensor({{1, 0}, {1, 1}}, xg::kBool).sum(1), {1, 2});
  XGT_CHECK_THROWS_MSG(m + m, xg::DTypeError, "add", "bool", ".to(");
  XGT_CHECK_THROWS_MSG(xg::tensor({1}, xg::kUInt8).mean(), xg::DTypeError, "mean", "uint8");
  XGT_CHECK_THROWS_MSG(xg::tensor({1}, xg::kInt32) * 2.0, xg::DTypeError, "mul", "int32");
  XGT_CHECK_THROWS_MSG(xg::exp(m), xg::DTypeError, "exp", "bool");
  XGT_CHECK_THROWS_MSG(xg::matmul(m, m), xg::DTypeError, "matmul", "bool");
  XGT_CHECK_THROWS_MSG(xg::softmax(xg::tensor({1}, xg::kInt32), 0), xg::DTypeError, "softmax", "int32");
}

TEST_CASE("masked_fill, masked_select and where with bool masks, with gradients") {
  const Tensor x = seq({2, 3}, 0.5, -0.7, 0.2);
  const Tensor m = xg::tensor({{1, 0, 0}, {0, 1, 1}}, xg::kBool);
  // x = 0.5, 0, -0.1, 0.2, 0.9, 2 (0.5 - 0.7 i + 0.2 i^2)
  check_values(x.masked_fill(m, 9.0), {9, 0, -0.1, 0.2, 9, 9}, 1e-12);
  check_values(x.masked_select(m), {0.5, 0.9, 2}, 1e-12);
  check_values(x.masked_select(xg::tensor({0, 1, 1}, xg::kBool)), {0, -0.1, 0.9, 2}, 1e-12);  // broadcast rows
  check_grads([&](const std::vector<Tensor>& in) { return in[0].masked_fill(m, 2.0).pow(2.0); }, {x});
  check_grads([&](const std::vector<Tensor>& in) { return xg::masked_fill(in[0], m, in[1]).pow(2.0); },
              {x, f64({1.5}, {}, true)});
  check_grads([&](const std::vector<Tensor>& in) { return in[0].masked_select(m).pow(2.0); }, {x});
  const Tensor y = seq({2, 3}, -1.0, 0.3, 0.0);
  check_values(xg::where(m, x, y), {0.5, -0.7, -0.4, -0.1, 0.9, 2}, 1e-12);
  check_values(x.where(m, y), {0.5, -0.7, -0.4, -0.1, 0.9, 2}, 1e-12);
  check_grads([&](const std::vector<Tensor>& in) { return xg::where(m, in[0] * in[0], in[1] * 3.0); }, {x, y});
  // masked_fill_ in place, recorded on a non-leaf
  Tensor z = x * 1.0;
  z.masked_fill_(m, 0.0);
  check_values(z, {0, 0, -0.1, 0.2, 0, 0}, 1e-12);
  z.sum().backward();
  check_values(x.grad(), {0, 1, 1, 1, 0, 0});

  XGT_CHECK_THROWS_MSG(x.masked_fill(m.to(xg::kFloat64), 1.0), xg::DTypeError, "masked_fill", "bool", "float64");
  XGT_CHECK_THROWS_MSG(x.masked_fill(xg::tensor({1, 0}, xg::kBool), 1.0), xg::ShapeError, "masked_fill", "[2]", "[2, 3]");
  XGT_CHECK_THROWS_MSG(xg::masked_fill(x, m, f64({1, 2}, {2})), xg::ShapeError, "masked_fill", "0-d");
  XGT_CHECK_THROWS_MSG(x.masked_select(m.to(xg::kInt64)), xg::DTypeError, "masked_select", "int64");
}

TEST_CASE("logical ops, any, all, isnan") {
  const Tensor a = xg::tensor({1, 1, 0, 0}, xg::kBool), b = xg::tensor({1, 0, 1, 0}, xg::kBool);
  check_values(xg::logical_and(a, b), {1, 0, 0, 0});
  check_values(a.logical_or(b), {1, 1, 1, 0});
  check_values(a.logical_xor(b), {0, 1, 1, 0});
  check_values(a.logical_not(), {0, 0, 1, 1});
  check_values(a & b, {1, 0, 0, 0});
  check_values(a | b, {1, 1, 1, 0});
  check_values(a ^ b, {0, 1, 1, 0});
  check_values(~a, {0, 0, 1, 1});
  check_values(xg::logical_and(xg::tensor({2.0, 0.0}), xg::tensor({1, 1}, xg::kInt64)), {1, 0});  // any dtypes
  CHECK(a.any().item<bool>());
  CHECK_FALSE(a.all().item<bool>());
  CHECK(a.any().dtype() == xg::kBool);
  CHECK(a.any().dim() == 0);
  CHECK(xg::zeros(0, xg::kBool).all().item<bool>());
  CHECK_FALSE(xg::zeros(0, xg::kBool).any().item<bool>());
  const Tensor m = xg::tensor({{1, 0, 1}, {1, 1, 1}}, xg::kBool);
  check_values(m.all(1), {0, 1});
  check_values(m.any(0), {1, 1, 1});
  check_values(m.all(0, true), {1, 0, 1});
  check_shape(m.all(0, true), {1, 3});
  check_values(xg::tensor({1.0, NAN, INFINITY}).isnan(), {0, 1, 0});
  check_values(xg::tensor({1.0, NAN, INFINITY}).isfinite(), {1, 0, 0});
  const Tensor x = f64({1, 2}, {2});
  CHECK(x.eq(x.detach()).all().item<bool>());
  XGT_CHECK_THROWS_MSG(~x, xg::DTypeError, "operator~", "float64");
  XGT_CHECK_THROWS_MSG(m.all(2), xg::IndexError, "all", "2");
}

TEST_CASE("item() as a Scalar, and item<T>()") {
  const xg::Scalar s = xg::tensor({2.5}).item();
  CHECK(s.isFloatingPoint());
  CHECK(s.toFloat() == 2.5f);
  CHECK(s.toDouble() == 2.5);
  CHECK(s.to<float>() == 2.5f);
  CHECK(s.toLong() == 2);
  CHECK(xg::tensor({7}, xg::kInt64).item().toLong() == 7);
  CHECK(xg::tensor({7}, xg::kInt64).item().isIntegral(false));
  CHECK(xg::tensor({1}, xg::kBool).item().toBool());
  CHECK(xg::tensor({1}, xg::kBool).item().isBoolean());
  CHECK(xg::tensor({200}, xg::kUInt8).item().toInt() == 200);
  CHECK(xg::tensor({3.75}).item<float>() == 3.75f);
  std::ostringstream os;
  os << xg::tensor({-4}, xg::kInt32).item() << " " << xg::tensor({0.5}).item();
  CHECK(os.str() == "-4 0.5");
  XGT_CHECK_THROWS_MSG(xg::tensor({1e30}).item().toLong(), xg::ValueError, "Scalar::to", "e+30", "64-bit");
  XGT_CHECK_THROWS_MSG(xg::tensor({1.0, 2.0}).item(), xg::ValueError, "item", "[2]");
  XGT_CHECK_THROWS_MSG(Tensor().item(), xg::ValueError, "item");
}

TEST_CASE("int and braced dims and shapes; method forms") {
  xg::manual_seed(3);
  check_shape(xg::randn(3), {3});
  check_shape(xg::zeros(3), {3});
  check_shape(xg::ones(4, xg::kInt32), {4});
  const Tensor x = seq({2, 3}, 1, 2, -0.5);  // 1, 2.5, 3, 2.5, 1, -1.5
  CHECK(xg::equal(x.sum(1), x.sum({1})));
  check_values(x.sum(1), {6.5, 2});
  check_values(x.mean(1, true), {6.5 / 3, 2.0 / 3}, 1e-12);
  check_shape(x.mean(1, true), {2, 1});
  check_values(x.sum({0, 1}), {8.5});
  check_values(x.var(1), {1.0833333333333333, 4.083333333333333}, 1e-12);  // unbiased
  check_values(x.std(1, false), {0.8498365855987975, 1.6499158227686108}, 1e-12);
  auto [v, i] = x.max(1);
  check_values(v, {3, 2.5});
  check_values(i, {2, 0});
  check_values(std::get<1>(x.min(0)), {0, 1, 1});
  check_values(x.argmax(), {2});
  check_values(x.norm(2, 1), {std::sqrt(1 + 6.25 + 9), std::sqrt(6.25 + 1 + 2.25)}, 1e-12);
  check_values(x.abs().log1p(), {std::log1p(1.0), std::log1p(2.5), std::log1p(3.0), std::log1p(2.5), std::log1p(1.0), std::log1p(1.5)}, 1e-12);
  check_values(x.narrow(1, 1, 2), {2.5, 3, 1, -1.5});
  check_values(x.index_select(1, i64({2, 0})), {3, 1, -1.5, 2.5});
  check_values(x.gather(1, xg::tensor({{1}, {2}}, xg::kInt64)), {2.5, -1.5});
  check_values(x.clamp(0.0, 2.0), {1, 2, 2, 2, 1, 0});
  check_values(x.clamp_min(2.0), {2, 2.5, 3, 2.5, 2, 2});
  check_values(x.mm(f64({1, 0, 1}, {3, 1}, false)), {4, 1});
  check_values(f64({1, 2}, {2}, false).dot(f64({3, 4}, {2}, false)), {11});
  check_values(f64({1, 2}, {2, 1}, false).expand_as(x), {1, 1, 1, 2, 2, 2});
  CHECK(x.contiguous().impl() == x.impl());
  CHECK(x.allclose(x + 1e-9));
  CHECK_FALSE(x.allclose(x + 1e-3));
  check_grads([](const std::vector<Tensor>& in) { return in[0].var(1) + in[0].std(0, false).sum() + in[0].norm(2, 1).sum(); },
              {x});
  Tensor y = x.detach().clone();
  y += 1.0;
  y *= f64({2, 1, 1}, {3}, false);
  y -= 1.0;
  y /= 2.0;
  check_values(y, {1.5, 1.25, 1.5, 3, 0.5, -0.75});
}

TEST_CASE("devices: CPU only, CUDA raises") {
  CHECK_FALSE(xg::cuda::is_available());
  const xg::Device cpu(xg::kCPU);
  CHECK(cpu.is_cpu());
  CHECK(xg::Device("cuda:1").index() == 1);
  CHECK(xg::Device("cuda:1").str() == "cuda:1");
  const xg::Device dev = xg::cuda::is_available() ? xg::Device(xg::kCUDA) : xg::Device(xg::kCPU);
  const Tensor x = xg::ones({2}, xg::TensorOptions().dtype(xg::kFloat64).device(dev).requires_grad(true));
  CHECK(x.dtype() == xg::kFloat64);
  CHECK(x.requires_grad());
  CHECK(x.device() == cpu);
  CHECK(x.to(dev).impl() == x.impl());
  CHECK(x.to(xg::kCPU, xg::kFloat32).dtype() == xg::kFloat32);
  CHECK(x.to(xg::TensorOptions().dtype(xg::kFloat32)).dtype() == xg::kFloat32);
  xg::nn::Module module;
  module.to(dev);
  XGT_CHECK_THROWS_MSG(x.to(xg::Device(xg::kCUDA)), xg::ValueError, "to", "cuda", "CPU only");
  XGT_CHECK_THROWS_MSG(xg::zeros(2, xg::TensorOptions().device(xg::kCUDA)), xg::ValueError, "zeros", "cuda");
  XGT_CHECK_THROWS_MSG(xg::randn(2, xg::Device(xg::kCUDA, 0)), xg::ValueError, "randn", "cuda:0");
  XGT_CHECK_THROWS_MSG(module.to(xg::Device("cuda")), xg::ValueError, "Module.to", "cuda");
  CHECK(x.to(xg::kCPU).impl() == x.impl());
  XGT_CHECK_THROWS_MSG(xg::Device("tpu"), xg::ValueError, "Device", "tpu");
  XGT_CHECK_THROWS_MSG(xg::Device("cuda:x"), xg::ValueError, "Device", "cuda:x");
}

TEST_CASE("from_blob views caller memory; clone owns a copy; the deleter runs last") {
  std::vector<float> buf{1, 2, 3, 4, 5, 6};
  int released = 0;
  {
    Tensor t = xg::from_blob(buf.data(), {2, 3}, [&](void* p) { released += p == buf.data(); }, xg::kFloat32);
    CHECK(t.data_ptr<float>() == buf.data());
    buf[0] = 10;
    CHECK(t.at<float>({0, 0}) == 10);
    t.mul_(2.0);  // writes into buf
    CHECK(buf[5] == 12);
    Tensor owned = t.clone();
    buf[1] = -1;
    CHECK(owned.at<float>({0, 1}) == 4);
    Tensor view = t.reshape({6});
    t = Tensor();
    CHECK(released == 0);  // the view still holds the storage
    CHECK(view.at<float>({1}) == -1);
  }
  CHECK(released == 1);
  std::int32_t ints[3] = {7, 8, 9};
  check_values(xg::from_blob(ints, 3, xg::kInt32), {7, 8, 9});
  const Tensor g = xg::from_blob(buf.data(), 6, xg::TensorOptions().requires_grad(true));
  (g * g).sum().backward();
  CHECK(g.grad().at<float>({0}) == 40);  // buf[0] is 20 after the mul_
  XGT_CHECK_THROWS_MSG(xg::from_blob(nullptr, {2}), xg::ValueError, "from_blob", "null");
  XGT_CHECK_THROWS_MSG(xg::from_blob(buf.data(), {-1}), xg::ValueError, "from_blob", "negative");
}

TEST_CASE("mutable_grad assigns the .grad() slot") {
  Tensor x = f64({1, 2}, {2});
  x.mutable_grad() = f64({5, 6}, {2}, false);
  check_values(x.grad(), {5, 6});
  (x * 2.0).sum().backward();
  check_values(x.grad(), {7, 8});
  xg::autograd::Variable v = x;  // LibTorch's alias
  CHECK(v.impl() == x.impl());
}

TEST_CASE("more LibTorch spellings: where with a number, rounding, chunk/split, uniform_/normal_, *_like options") {
  const Tensor x = f64({-1.5, 0.5, 2.5, 3.7}, {4});
  check_values(xg::where(x > 0.0, x, 0.0), {0, 0.5, 2.5, 3.7});
  check_values(xg::where(x > 0.0, -1.0, x), {-1.5, -1, -1, -1});
  check_values(x.floor(), {-2, 0, 2, 3});
  check_values(x.ceil(), {-1, 1, 3, 4});
  check_values(x.round(), {-2, 0, 2, 4});  // half to even, as PyTorch
  (x.floor() + x).sum().backward();
  check_values(x.grad(), {1, 1, 1, 1});  // floor's gradient is zero

  const Tensor y = seq({5, 2}, 0, 1, 0);
  const auto parts = y.chunk(2);
  REQUIRE(parts.size() == 2);
  check_values(parts[0], {0, 1, 2, 3, 4, 5});
  check_values(parts[1], {6, 7, 8, 9});
  const auto cols = y.split(1, 1);
  REQUIRE(cols.size() == 2);
  check_values(cols[1], {1, 3, 5, 7, 9});
  check_grads([](const std::vector<Tensor>& in) { auto p = in[0].chunk(3, 0); return p[0].sum() * p[2].sum() + p[1].pow(2.0).sum(); },
              {y});
  XGT_CHECK_THROWS_MSG(y.chunk(0), xg::ValueError, "chunk", "0");
  XGT_CHECK_THROWS_MSG(y.split(2, 3), xg::IndexError, "split", "3");

  xg::manual_seed(1);
  Tensor u = xg::empty({1000}, xg::kFloat64);
  u.uniform_(-2, 3);
  CHECK(u.min().item<double>() >= -2);
  CHECK(u.max().item<double>() < 3);
  CHECK(std::abs(u.mean().item<double>() - 0.5) < 0.2);
  u.normal_(10, 0.5);
  CHECK(std::abs(u.mean().item<double>() - 10) < 0.1);
  CHECK(std::abs(u.std().item<double>() - 0.5) < 0.1);
  Tensor leaf = f64({1, 2}, {2});
  XGT_CHECK_THROWS_MSG(leaf.uniform_(), xg::AutogradError, "uniform_", "leaf");
  XGT_CHECK_THROWS_MSG(u.normal_(0, -1), xg::ValueError, "normal_", "-1");
  XGT_CHECK_THROWS_MSG(xg::zeros(2, xg::kInt32).uniform_(), xg::DTypeError, "uniform_", "int32");

  CHECK(xg::zeros_like(x, xg::kBool).dtype() == xg::kBool);
  check_values(xg::full_like(x, 3, xg::kInt32), {3, 3, 3, 3});
  CHECK(x.to(xg::tensor({1}, xg::kInt64)).dtype() == xg::kInt64);  // other's dtype
  CHECK(xg::ones(2).type_as(x).dtype() == xg::kFloat64);
  check_values(y[xg::tensor({4, 0}, xg::kInt64)], {8, 9, 0, 1});
  XGT_CHECK_THROWS_MSG(xg::tensor({1, 0}, xg::kBool).argmax(0), xg::DTypeError, "argmax", "bool");
}
