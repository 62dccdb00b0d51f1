// xgrad's side of the benchmark (see workloads.h and bench/run.sh).
#include <cblas.h>
#include <xgrad.h>

#include <cmath>

#include "workloads.h"

namespace nn = xg::nn;
using xg::Tensor;

namespace {

struct MLP : nn::Module {
  nn::Linear fc1{784, 256}, fc2{256, 256}, fc3{256, 10};
  MLP() {
    register_module("fc1", fc1);
    register_module("fc2", fc2);
    register_module("fc3", fc3);
  }
  Tensor forward(const Tensor& x) override { return fc3(xg::relu(fc2(xg::relu(fc1(x))))); }
};

// 1. One training step of a 784-256-256-10 MLP, batch 128, cross-entropy, Adam.
void mlp(const bench::Args& a) {
  xg::manual_seed(0);
  MLP net;
  xg::optim::Adam opt(net.parameters(), xg::optim::AdamOptions(1e-3));
  const Tensor x = xg::randn({128, 784});
  const Tensor y = xg::randint(0, 10, {128});
  auto step = [&] {
    opt.zero_grad();
    const Tensor loss = nn::functional::cross_entropy(net(x), y);
    loss.backward();
    opt.step();
  };
  for (int i = 0; i < 20; ++i) step();
  const int steps = a.size > 0 ? static_cast<int>(a.size) : 200;
  std::vector<double> per_step;
  for (int r = 0; r < a.reps; ++r) {
    const auto t0 = bench::Clock::now();
    for (int i = 0; i < steps; ++i) step();
    per_step.push_back(bench::seconds_since(t0) / steps);
  }
  bench::report("mlp_train_step", "time", bench::median(per_step) * 1e3, "ms");
}

// 2/3/6. A chain of n element-wise ops on a tensor of `width` x `width` (1 = one element).
void chain(const bench::Args& a, long width, const char* name) {
  const long n = a.size > 0 ? a.size : 10000;
  const xg::Shape shape = width == 1 ? xg::Shape{1} : xg::Shape{width, width};
  Tensor x = xg::full(shape, 0.5).requires_grad_();
  std::vector<double> fwd, bwd;
  double graph_bytes = 0;
  for (int r = 0; r < a.reps; ++r) {
    const double rss0 = bench::current_rss_bytes();
    auto t0 = bench::Clock::now();
    Tensor y = x;
    for (long i = 0; i < n; ++i) y = (i % 2) ? y * 1.0001 : y + 0.0001;
    fwd.push_back(bench::seconds_since(t0) / static_cast<double>(n));
    graph_bytes = std::max(graph_bytes, bench::current_rss_bytes() - rss0);
    t0 = bench::Clock::now();
    y.sum().backward();
    bwd.push_back(bench::seconds_since(t0) / static_cast<double>(n));
    x.set_grad({});
  }
  bench::report(name, "forward_per_op", bench::median(fwd) * 1e9, "ns");
  bench::report(name, "backward_per_op", bench::median(bwd) * 1e9, "ns");
  bench::report(name, "graph_bytes_per_op", graph_bytes / static_cast<double>(n), "B");
  bench::report(name, "peak_rss", bench::peak_rss_bytes() / 1e6, "MB");
}

void chain_long(const bench::Args& a, long width, const std::string& name) {
  const long n = a.size > 0 ? a.size : 100000;
  const xg::Shape shape = width == 1 ? xg::Shape{1} : xg::Shape{width, width};
  Tensor x = xg::full(shape, 0.5).requires_grad_();
  Tensor y = x;
  bench::chain_long(
      a, name, [&] { for (long i = 0; i < n; ++i) y = (i % 2) ? y * 1.0001 : y + 0.0001; },
      [&] {
        y.sum().backward();
        y = Tensor();
      });
}

// 4. Square matmul, float32 and float64, against OpenBLAS called directly.
template <class T>
void matmul_one(const bench::Args& a, long n) {
  const xg::DType dt = std::is_same_v<T, float> ? xg::kFloat32 : xg::kFloat64;
  const Tensor A = xg::randn({n, n}, dt), B = xg::randn({n, n}, dt);
  std::vector<T> C(static_cast<std::size_t>(n * n));
  const int inner = bench::matmul_inner_loops(n);
  std::vector<double> ours, blas;
  (void)xg::matmul(A, B);  // warm-up: OpenBLAS starts its threads, the output's block is cached
  for (int r = 0; r < a.reps; ++r) {
    auto t0 = bench::Clock::now();
    for (int i = 0; i < inner; ++i) xg::matmul(A, B);
    ours.push_back(bench::seconds_since(t0) / inner);
    t0 = bench::Clock::now();
    for (int i = 0; i < inner; ++i) {
      if constexpr (std::is_same_v<T, float>)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, A.data_ptr<float>(), n, B.data_ptr<float>(), n, 0, C.data(), n);
      else
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, A.data_ptr<double>(), n, B.data_ptr<double>(), n, 0, C.data(), n);
    }
    blas.push_back(bench::seconds_since(t0) / inner);
  }
  const std::string name = std::string("matmul_") + (std::is_same_v<T, float> ? "f32_" : "f64_") + std::to_string(n);
  bench::report(name, "time", bench::median(ours) * 1e3, "ms");
  bench::report(name, "openblas_time", bench::median(blas) * 1e3, "ms");
}

void matmul(const bench::Args& a) {
  for (long n : {128L, 256L, 512L, 1024L}) {
    matmul_one<float>(a, n);
    matmul_one<double>(a, n);
  }
}

// 5. Element-wise exp / add / mul on 10^6 float32 elements: GB/s moved (read + write).
void elementwise(const bench::Args& a) {
  const long n = a.size > 0 ? a.size : 1000000;
  const Tensor x = xg::rand({n}), y = xg::rand({n});
  auto gbps = [&](const char* name, int arrays, auto&& f) {
    std::vector<double> t;
    for (int r = 0; r < a.reps; ++r) {
      const auto t0 = bench::Clock::now();
      for (int i = 0; i < 20; ++i) f();
      t.push_back(bench::seconds_since(t0) / 20);
    }
    bench::report(std::string("elementwise_") + name, "bandwidth", static_cast<double>(arrays) * 4.0 * n / bench::median(t) / 1e9, "GB/s");
  };
  gbps("exp", 2, [&] { xg::exp(x); });
  gbps("add", 3, [&] { xg::add(x, y); });
  gbps("mul", 3, [&] { xg::mul(x, y); });
  // The reference: a plain loop the compiler vectorizes (-O3), into a preallocated buffer.
  std::vector<float> out(static_cast<std::size_t>(n));
  const float* px = x.data_ptr<float>();
  const float* py = y.data_ptr<float>();
  gbps("add_plain_loop", 3, [&] {
    for (long i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = px[i] + py[i];
  });
}

// 8. The ops whose edge points issue #21 fixed (prod at zeros, std of a constant row, pow(0, 0),
// log_softmax's order): forward + backward on a 256 x 256 float32 tensor with no zeros, the
// common path the fixes must not slow.
void edge_ops(const bench::Args& a) {
  xg::manual_seed(0);
  Tensor x = (xg::rand({256, 256}) + 0.5).requires_grad_();
  Tensor e = (xg::rand({256, 256}) + 0.5).requires_grad_();
  auto time = [&](const char* name, auto&& f) {
    std::vector<double> t;
    for (int r = 0; r < a.reps; ++r) {
      const auto t0 = bench::Clock::now();
      for (int i = 0; i < 50; ++i) {
        f().sum().backward();
        x.set_grad({});
        e.set_grad({});
      }
      t.push_back(bench::seconds_since(t0) / 50);
    }
    bench::report(std::string("edge_") + name, "fwd_bwd", bench::median(t) * 1e6, "us");
  };
  time("prod_dim1", [&] { return xg::prod(x, 1); });
  time("prod_all", [&] { return xg::prod(xg::narrow(x, 0, 0, 1)); });
  time("std_biased_dim1", [&] { return xg::std(x, {1}, false); });
  time("pow_tensor", [&] { return xg::pow(x, e); });
  time("log_softmax_dim1", [&] { return xg::log_softmax(x, 1); });
}

// 7. One Fashion-MNIST epoch with the trainer's default model (784-512-256-10, dropout 0.3, Adam).
void fmnist_epoch(const bench::Args& a) {
  xg::data::FashionMNISTOptions o;
  o.flatten = true;
  o.normalize = {{0.2860, 0.3530}};  // in place: one copy of the images, like LibTorch's program
  const xg::data::FashionMNIST train(xg::data::FashionMNIST::default_root(), xg::data::Split::Train, o);
  const Tensor x = train.features(), y = train.targets();
  const long m = a.size > 0 ? a.size : x.size(0);
  xg::manual_seed(0);
  nn::Sequential net{std::make_shared<nn::LinearImpl>(784, 512), std::make_shared<nn::ReLUImpl>(), std::make_shared<nn::DropoutImpl>(0.3),
                     std::make_shared<nn::LinearImpl>(512, 256), std::make_shared<nn::ReLUImpl>(), std::make_shared<nn::DropoutImpl>(0.3),
                     std::make_shared<nn::LinearImpl>(256, 10)};
  xg::optim::Adam opt(net->parameters(), xg::optim::AdamOptions(1e-3));
  std::vector<double> t;
  xg::Generator g(1);
  for (int r = 0; r < a.reps; ++r) {
    const auto t0 = bench::Clock::now();
    const Tensor perm = xg::randperm(m, &g);
    for (long s = 0; s < m; s += 128) {
      const Tensor idx = xg::narrow(perm, 0, s, std::min(128L, m - s));
      const Tensor loss = nn::functional::cross_entropy(net(xg::index_select(x, 0, idx)), xg::index_select(y, 0, idx));
      opt.zero_grad();
      loss.backward();
      opt.step();
    }
    t.push_back(bench::seconds_since(t0));
  }
  bench::report("fmnist_epoch", "time", bench::median(t), "s");
  bench::report("fmnist_epoch", "peak_rss", bench::peak_rss_bytes() / 1e6, "MB");
}

// 9. Conv layers at the CNN's shapes, pooling and BatchNorm2d (see workloads.h), and the GEMM of
// the 32→64 conv (im2col: [64 × 288] · [288 × N·196]) called directly, for GFLOP/s against sgemm.
void conv(const bench::Args& a) {
  const long n = a.size > 0 ? a.size : 128;
  xg::manual_seed(0);
  for (const bench::ConvCase& c : bench::kConvCases) {
    Tensor x = xg::randn({n, c.cin, c.hw, c.hw});
    if (c.input_grad) x.requires_grad_();
    Tensor w = xg::randn({c.cout, c.cin / c.groups, c.k, c.k}).requires_grad_(), b = xg::randn({c.cout}).requires_grad_();
    const Tensor gy = xg::randn({n, c.cout, c.hw, c.hw});
    const double fwd = bench::time_ms(a.reps, 5, [&] { xg::NoGradGuard g; xg::conv2d(x, w, b, 1, c.pad, 1, c.groups); });
    const double both = bench::time_ms(a.reps, 5, [&] {
      xg::conv2d(x, w, b, 1, c.pad, 1, c.groups).backward(gy);
      w.set_grad({});
      b.set_grad({});
      if (c.input_grad) x.set_grad({});
    });
    const double gf = bench::conv_gflop(c, n);
    bench::report(c.name, "fwd", fwd, "ms");
    bench::report(c.name, "fwd_bwd", both, "ms");
    bench::report(c.name, "fwd_gflops", gf / (fwd / 1e3), "GFLOP/s");
    bench::report(c.name, "fwd_bwd_gflops", gf * (c.input_grad ? 3 : 2) / (both / 1e3), "GFLOP/s");
  }
  {
    const long M = 64, K = 288, N = n * 196;
    std::vector<float> A(M * K, 0.5f), B(K * N, 0.25f), C(M * N);
    const double ms = bench::time_ms(a.reps, 5, [&] {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1, A.data(), K, B.data(), N, 0, C.data(), N);
    });
    bench::report("sgemm_conv_32to64_14", "gflops", 2.0 * M * N * K / 1e9 / (ms / 1e3), "GFLOP/s");
  }
  Tensor x = xg::randn({n, 32, 28, 28}).requires_grad_();
  const Tensor gp = xg::randn({n, 32, 14, 14});
  bench::report("max_pool2d_32_28", "fwd_bwd", bench::time_ms(a.reps, 5, [&] {
    xg::max_pool2d(x, 2).backward(gp);
    x.set_grad({});
  }), "ms");
  Tensor gamma = xg::ones({32}).requires_grad_(), beta = xg::zeros({32}).requires_grad_();
  Tensor rm = xg::zeros({32}), rv = xg::ones({32});
  const Tensor gb = xg::randn({n, 32, 28 * 28});
  bench::report("batch_norm2d_32_28", "fwd_bwd", bench::time_ms(a.reps, 5, [&] {
    nn::functional::batch_norm(xg::reshape(x, {n, 32, 28 * 28}), rm, rv, gamma, beta, true).backward(gb);
    x.set_grad({});
    gamma.set_grad({});
    beta.set_grad({});
  }), "ms");
}

// 10. One training step of the trainer's CNN (--model cnn --channels 32 64 --hidden 256
// --batch-norm --dropout 0.3): [3×3 conv, BatchNorm2d, ReLU, 2×2 max pool] × 2, 3136→256, ReLU,
// dropout, 256→10; cross-entropy, Adam, batch 128. Written with the functional ops on both sides.
void cnn_step(const bench::Args& a) {
  const long n = a.size > 0 ? a.size : 128;
  xg::manual_seed(0);
  auto param = [](xg::Shape s, double scale) { return (xg::randn(s) * scale).requires_grad_(); };
  Tensor w1 = param({32, 1, 3, 3}, 0.3), g1 = xg::ones({32}).requires_grad_(), b1 = xg::zeros({32}).requires_grad_();
  Tensor w2 = param({64, 32, 3, 3}, 0.06), g2 = xg::ones({64}).requires_grad_(), b2 = xg::zeros({64}).requires_grad_();
  Tensor w3 = param({256, 3136}, 0.02), c3 = xg::zeros({256}).requires_grad_();
  Tensor w4 = param({10, 256}, 0.06), c4 = xg::zeros({10}).requires_grad_();
  Tensor rm1 = xg::zeros({32}), rv1 = xg::ones({32}), rm2 = xg::zeros({64}), rv2 = xg::ones({64});
  xg::optim::Adam opt({w1, g1, b1, w2, g2, b2, w3, c3, w4, c4}, xg::optim::AdamOptions(1e-3));
  const Tensor x = xg::randn({n, 1, 28, 28});
  const Tensor y = xg::randint(0, 10, {n});
  auto block = [&](const Tensor& in, const Tensor& w, Tensor& rm, Tensor& rv, const Tensor& g, const Tensor& b) {
    const Tensor c = xg::conv2d(in, w, {}, 1, 1);
    const Tensor bn = nn::functional::batch_norm(xg::reshape(c, {c.size(0), c.size(1), c.size(2) * c.size(3)}), rm, rv, g, b, true);
    return xg::max_pool2d(xg::relu(xg::reshape(bn, c.shape())), 2);
  };
  const double ms = bench::time_ms(a.reps, 10, [&] {
    opt.zero_grad();
    const Tensor h = block(block(x, w1, rm1, rv1, g1, b1), w2, rm2, rv2, g2, b2);
    const Tensor f = nn::functional::dropout(xg::relu(xg::linear(xg::reshape(h, {n, 3136}), w3, c3)), 0.3);
    nn::functional::cross_entropy(xg::linear(f, w4, c4), y).backward();
    opt.step();
  });
  bench::report("cnn_train_step", "time", ms, "ms");
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Args a = bench::parse(argc, argv);
  openblas_set_num_threads(a.threads);
  if (a.workload == "mlp") mlp(a);
  else if (a.workload == "chain1") chain(a, 1, "chain_1elem");
  else if (a.workload == "chain64") chain(a, 64, "chain_64x64");
  else if (a.workload == "chain1_long") chain_long(a, 1, "chain_1elem_" + std::to_string(a.size > 0 ? a.size : 100000));
  else if (a.workload == "chain64_long") chain_long(a, 64, "chain_64x64_" + std::to_string(a.size > 0 ? a.size : 100000));
  else if (a.workload == "matmul") matmul(a);
  else if (a.workload == "elementwise") elementwise(a);
  else if (a.workload == "fmnist") fmnist_epoch(a);
  else if (a.workload == "edge_ops") edge_ops(a);
  else if (a.workload == "conv") conv(a);
  else if (a.workload == "cnn") cnn_step(a);
  else {
    std::fprintf(stderr, "usage: %s mlp|chain1|chain64|chain1_long|chain64_long|matmul|elementwise|fmnist|edge_ops|conv|cnn [--size N] [--reps R] [--threads T]\n", argv[0]);
    return 2;
  }
  return 0;
}
