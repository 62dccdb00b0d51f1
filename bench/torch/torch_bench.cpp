// LibTorch's side of the benchmark: the same workloads as bench/xgrad_bench.cpp.
#include <cblas.h>
#include <torch/torch.h>

#include "../workloads.h"

namespace {

struct MLPImpl : torch::nn::Module {
  torch::nn::Linear fc1{784, 256}, fc2{256, 256}, fc3{256, 10};
  MLPImpl() {
    register_module("fc1", fc1);
    register_module("fc2", fc2);
    register_module("fc3", fc3);
  }
  torch::Tensor forward(const torch::Tensor& x) { return fc3(torch::relu(fc2(torch::relu(fc1(x))))); }
};

void mlp(const bench::Args& a) {
  torch::manual_seed(0);
  MLPImpl net;
  torch::optim::Adam opt(net.parameters(), torch::optim::AdamOptions(1e-3));
  const auto x = torch::randn({128, 784});
  const auto y = torch::randint(0, 10, {128});
  auto step = [&] {
    opt.zero_grad();
    auto loss = torch::nn::functional::cross_entropy(net.forward(x), y);
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

void chain(const bench::Args& a, long width, const char* name) {
  const long n = a.size > 0 ? a.size : 10000;
  auto x = width == 1 ? torch::full({1}, 0.5) : torch::full({width, width}, 0.5);
  x.requires_grad_(true);
  std::vector<double> fwd, bwd;
  double graph_bytes = 0;
  for (int r = 0; r < a.reps; ++r) {
    const double rss0 = bench::current_rss_bytes();
    auto t0 = bench::Clock::now();
    torch::Tensor y = x;
    for (long i = 0; i < n; ++i) y = (i % 2) ? y * 1.0001 : y + 0.0001;
    fwd.push_back(bench::seconds_since(t0) / static_cast<double>(n));
    graph_bytes = std::max(graph_bytes, bench::current_rss_bytes() - rss0);
    t0 = bench::Clock::now();
    y.sum().backward();
    bwd.push_back(bench::seconds_since(t0) / static_cast<double>(n));
    x.mutable_grad().reset();
  }
  bench::report(name, "forward_per_op", bench::median(fwd) * 1e9, "ns");
  bench::report(name, "backward_per_op", bench::median(bwd) * 1e9, "ns");
  bench::report(name, "graph_bytes_per_op", graph_bytes / static_cast<double>(n), "B");
  bench::report(name, "peak_rss", bench::peak_rss_bytes() / 1e6, "MB");
}

void chain_long(const bench::Args& a, long width, const std::string& name) {
  const long n = a.size > 0 ? a.size : 100000;
  auto x = width == 1 ? torch::full({1}, 0.5) : torch::full({width, width}, 0.5);
  x.requires_grad_(true);
  torch::Tensor y = x;
  bench::chain_long(
      a, name, [&] { for (long i = 0; i < n; ++i) y = (i % 2) ? y * 1.0001 : y + 0.0001; },
      [&] {
        y.sum().backward();
        y = torch::Tensor();
      });
}

void matmul(const bench::Args& a) {
  for (long n : {128L, 256L, 512L, 1024L})
    for (auto dt : {torch::kFloat32, torch::kFloat64}) {
      const auto A = torch::randn({n, n}, dt), B = torch::randn({n, n}, dt);
      const int inner = bench::matmul_inner_loops(n);
      std::vector<double> t;
      (void)torch::matmul(A, B);  // warm-up, as on xgrad's side
      for (int r = 0; r < a.reps; ++r) {
        const auto t0 = bench::Clock::now();
        for (int i = 0; i < inner; ++i) torch::matmul(A, B);
        t.push_back(bench::seconds_since(t0) / inner);
      }
      bench::report(std::string("matmul_") + (dt == torch::kFloat32 ? "f32_" : "f64_") + std::to_string(n), "time",
                    bench::median(t) * 1e3, "ms");
    }
}

void elementwise(const bench::Args& a) {
  const long n = a.size > 0 ? a.size : 1000000;
  const auto x = torch::rand({n}), y = torch::rand({n});
  auto gbps = [&](const char* name, int arrays, auto&& f) {
    std::vector<double> t;
    for (int r = 0; r < a.reps; ++r) {
      const auto t0 = bench::Clock::now();
      for (int i = 0; i < 20; ++i) f();
      t.push_back(bench::seconds_since(t0) / 20);
    }
    bench::report(std::string("elementwise_") + name, "bandwidth", static_cast<double>(arrays) * 4.0 * n / bench::median(t) / 1e9, "GB/s");
  };
  gbps("exp", 2, [&] { torch::exp(x); });
  gbps("add", 3, [&] { torch::add(x, y); });
  gbps("mul", 3, [&] { torch::mul(x, y); });
}

// Fashion-MNIST epoch: the images are read by xgrad's reader in the xgrad program; here random
// data of the same shape (the timing does not depend on the values).
void fmnist_epoch(const bench::Args& a) {
  const long m = a.size > 0 ? a.size : 60000;
  torch::manual_seed(0);
  const auto x = torch::randn({m, 784}), y = torch::randint(0, 10, {m});
  torch::nn::Sequential net(torch::nn::Linear(784, 512), torch::nn::ReLU(), torch::nn::Dropout(0.3), torch::nn::Linear(512, 256),
                            torch::nn::ReLU(), torch::nn::Dropout(0.3), torch::nn::Linear(256, 10));
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-3));
  std::vector<double> t;
  for (int r = 0; r < a.reps; ++r) {
    const auto t0 = bench::Clock::now();
    const auto perm = torch::randperm(m);
    for (long s = 0; s < m; s += 128) {
      const auto idx = perm.narrow(0, s, std::min(128L, m - s));
      auto loss = torch::nn::functional::cross_entropy(net->forward(x.index_select(0, idx)), y.index_select(0, idx));
      opt.zero_grad();
      loss.backward();
      opt.step();
    }
    t.push_back(bench::seconds_since(t0));
  }
  bench::report("fmnist_epoch", "time", bench::median(t), "s");
  bench::report("fmnist_epoch", "peak_rss", bench::peak_rss_bytes() / 1e6, "MB");
}

void conv(const bench::Args& a) {
  const long n = a.size > 0 ? a.size : 128;
  torch::manual_seed(0);
  namespace F = torch::nn::functional;
  for (const bench::ConvCase& c : bench::kConvCases) {
    auto x = torch::randn({n, c.cin, c.hw, c.hw});
    if (c.input_grad) x.requires_grad_(true);
    auto w = torch::randn({c.cout, c.cin / c.groups, c.k, c.k}).requires_grad_(true), b = torch::randn({c.cout}).requires_grad_(true);
    const auto gy = torch::randn({n, c.cout, c.hw, c.hw});
    const double fwd = bench::time_ms(a.reps, 5, [&] {
      torch::NoGradGuard g;
      torch::conv2d(x, w, b, 1, c.pad, 1, c.groups);
    });
    const double both = bench::time_ms(a.reps, 5, [&] {
      torch::conv2d(x, w, b, 1, c.pad, 1, c.groups).backward(gy);
      w.mutable_grad().reset();
      b.mutable_grad().reset();
      if (c.input_grad) x.mutable_grad().reset();
    });
    const double gf = bench::conv_gflop(c, n);
    bench::report(c.name, "fwd", fwd, "ms");
    bench::report(c.name, "fwd_bwd", both, "ms");
    bench::report(c.name, "fwd_gflops", gf / (fwd / 1e3), "GFLOP/s");
    bench::report(c.name, "fwd_bwd_gflops", gf * (c.input_grad ? 3 : 2) / (both / 1e3), "GFLOP/s");
  }
  auto x = torch::randn({n, 32, 28, 28}).requires_grad_(true);
  const auto gp = torch::randn({n, 32, 14, 14});
  bench::report("max_pool2d_32_28", "fwd_bwd", bench::time_ms(a.reps, 5, [&] {
    torch::max_pool2d(x, 2).backward(gp);
    x.mutable_grad().reset();
  }), "ms");
  auto gamma = torch::ones({32}).requires_grad_(true), beta = torch::zeros({32}).requires_grad_(true);
  auto rm = torch::zeros({32}), rv = torch::ones({32});
  const auto gb = torch::randn({n, 32, 28 * 28});
  bench::report("batch_norm2d_32_28", "fwd_bwd", bench::time_ms(a.reps, 5, [&] {
    F::batch_norm(x.reshape({n, 32, 28 * 28}), rm, rv, F::BatchNormFuncOptions().weight(gamma).bias(beta).training(true)).backward(gb);
    x.mutable_grad().reset();
    gamma.mutable_grad().reset();
    beta.mutable_grad().reset();
  }), "ms");
}

void cnn_step(const bench::Args& a) {
  const long n = a.size > 0 ? a.size : 128;
  torch::manual_seed(0);
  namespace F = torch::nn::functional;
  auto param = [](std::vector<int64_t> s, double scale) { return (torch::randn(s) * scale).requires_grad_(true); };
  auto w1 = param({32, 1, 3, 3}, 0.3), g1 = torch::ones({32}).requires_grad_(true), b1 = torch::zeros({32}).requires_grad_(true);
  auto w2 = param({64, 32, 3, 3}, 0.06), g2 = torch::ones({64}).requires_grad_(true), b2 = torch::zeros({64}).requires_grad_(true);
  auto w3 = param({256, 3136}, 0.02), c3 = torch::zeros({256}).requires_grad_(true);
  auto w4 = param({10, 256}, 0.06), c4 = torch::zeros({10}).requires_grad_(true);
  auto rm1 = torch::zeros({32}), rv1 = torch::ones({32}), rm2 = torch::zeros({64}), rv2 = torch::ones({64});
  torch::optim::Adam opt({w1, g1, b1, w2, g2, b2, w3, c3, w4, c4}, torch::optim::AdamOptions(1e-3));
  const auto x = torch::randn({n, 1, 28, 28});
  const auto y = torch::randint(0, 10, {n});
  auto block = [&](const torch::Tensor& in, const torch::Tensor& w, torch::Tensor& rm, torch::Tensor& rv, const torch::Tensor& g,
                   const torch::Tensor& b) {
    const auto c = torch::conv2d(in, w, {}, 1, 1);
    const auto bn = F::batch_norm(c, rm, rv, F::BatchNormFuncOptions().weight(g).bias(b).training(true));
    return torch::max_pool2d(torch::relu(bn), 2);
  };
  const double ms = bench::time_ms(a.reps, 10, [&] {
    opt.zero_grad();
    const auto h = block(block(x, w1, rm1, rv1, g1, b1), w2, rm2, rv2, g2, b2);
    const auto f = F::dropout(torch::relu(F::linear(h.reshape({n, 3136}), w3, c3)), F::DropoutFuncOptions().p(0.3).training(true));
    F::cross_entropy(F::linear(f, w4, c4), y).backward();
    opt.step();
  });
  bench::report("cnn_train_step", "time", ms, "ms");
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Args a = bench::parse(argc, argv);
  // 1 intra-op thread by default (LibTorch's best for the MLP rows); TORCH_INTRA_THREADS=2 for rows
  // where its own parallel kernels (convolutions, pooling) win. BLAS threads: OPENBLAS_NUM_THREADS.
  const char* intra = std::getenv("TORCH_INTRA_THREADS");
  torch::set_num_threads(intra ? std::atoi(intra) : 1);
  openblas_set_num_threads(a.threads);
  if (a.workload == "mlp") mlp(a);
  else if (a.workload == "chain1") chain(a, 1, "chain_1elem");
  else if (a.workload == "chain64") chain(a, 64, "chain_64x64");
  else if (a.workload == "chain1_long") chain_long(a, 1, "chain_1elem_" + std::to_string(a.size > 0 ? a.size : 100000));
  else if (a.workload == "chain64_long") chain_long(a, 64, "chain_64x64_" + std::to_string(a.size > 0 ? a.size : 100000));
  else if (a.workload == "matmul") matmul(a);
  else if (a.workload == "elementwise") elementwise(a);
  else if (a.workload == "fmnist") fmnist_epoch(a);
  else if (a.workload == "conv") conv(a);
  else if (a.workload == "cnn") cnn_step(a);
  else return 2;
  return 0;
}
