// Backward inside backward: nesting works to a fixed depth, and past it raises AutogradError
// instead of overflowing the C++ stack (PyTorch's DeepReentrant test nests 8193 levels).
#include "check.h"

using xg::Tensor;
using xg::autograd::AutogradContext;

namespace {

int levels_run = 0;

// Its backward starts a backward of the same function one level lower, until level 0.
struct Countdown : xg::autograd::Function<Countdown> {
  static Tensor forward(AutogradContext* ctx, const Tensor& x, int level) {
    ctx->saved_data["level"] = static_cast<std::int64_t>(level);
    return x * 1.0;
  }
  static std::vector<Tensor> backward(AutogradContext* ctx, std::vector<Tensor> g) {
    const auto level = static_cast<int>(ctx->saved_data["level"].toInt());
    ++levels_run;
    if (level > 0) {
      xg::AutoGradMode on(true);
      const Tensor y = xg::ones({1}, xg::kFloat64).requires_grad_();
      Countdown::apply(y, level - 1).sum().backward();
    }
    return {g[0], Tensor{}};
  }
};

void nest(int levels) {
  const Tensor x = xg::ones({1}, xg::kFloat64).requires_grad_();
  Countdown::apply(x, levels).sum().backward();
}

}  // namespace

TEST_CASE("backward nested inside backward works 200 levels deep and refuses beyond 256") {
  levels_run = 0;
  nest(200);
  CHECK(levels_run == 201);

  levels_run = 0;
  XGT_CHECK_THROWS_MSG(nest(400), xg::AutogradError, "backward", "inside backward", "256 levels");
  CHECK(levels_run == 256);  // the 257th nested backward was refused before it ran

  // The depth count unwound with the exception: a fresh nest of 200 works again.
  levels_run = 0;
  nest(200);
  CHECK(levels_run == 201);
}
