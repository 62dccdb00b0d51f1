// A user's program built against an installed xgrad: d/dx sum(x^2) = 2x.
#include <xgrad.h>
#include <xgrad/torch.h>  // the LibTorch compatibility header installs too

#include <cstdio>

int main() {
  xg::Tensor x = xg::tensor({1.0, -2.0, 3.0}, xg::kFloat64).requires_grad_();
  xg::sum(xg::pow(x, 2.0)).backward();
  const auto g = x.grad().to_vector<double>();
  if (g != std::vector<double>{2.0, -4.0, 6.0}) {
    std::printf("wrong gradient\n");
    return 1;
  }
  if (torch::sum(x).item<double>() != 2.0) {
    std::printf("torch:: is not xg::\n");
    return 1;
  }
  std::printf("consumer OK: %s\n", fmt::format("{}", x.grad()).c_str());
  return 0;
}
