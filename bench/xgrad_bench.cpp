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
  else {
    std::fprintf(stderr, "usage: %s mlp|chain1|chain64|chain1_long|chain64_long|matmul|elementwise|fmnist|edge_ops [--size N] [--reps R] [--threads T]\n", argv[0]);
    return 2;
  }
  return 0;
}
