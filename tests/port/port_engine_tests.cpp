// Engine tests in the style of PyTorch's C++ frontend tests (test/cpp/api/autograd.cpp): our own
// tests, written as a LibTorch user writes them (Variable, variable_list, backward/grad as free
// functions, custom Functions), with a tiny test runner. Expected values follow from the
// functions themselves (f(x, y) = x + 2y + xy has df/dx = y + 1, df/dy = x + 2). Exits 1 on a failure.
#include <functional>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include <xgrad/torch.h>

using namespace torch::autograd;

namespace {

std::vector<std::pair<std::string, std::function<void()>>>& registry() {
  static std::vector<std::pair<std::string, std::function<void()>>> tests;
  return tests;
}
struct Register {
  Register(std::string name, std::function<void()> fn) { registry().emplace_back(std::move(name), std::move(fn)); }
};
struct Failure {
  std::string what;
};

#define ENGINE_TEST(suite, name)                                        \
  void suite##_##name();                                                \
  const Register register_##suite##_##name(#suite "." #name, suite##_##name); \
  void suite##_##name()
#define REQUIRE_TRUE(cond) \
  if (!(cond)) throw Failure{std::string(#cond) + " (line " + std::to_string(__LINE__) + ")"}
#define REQUIRE_CLOSE(a, b) REQUIRE_TRUE(torch::allclose((a), (b)))
// The call throws a torch error whose message contains `part`.
#define REQUIRE_THROWS_WITH(stmt, part)                                                        \
  do {                                                                                         \
    bool thrown_ = false;                                                                      \
    try {                                                                                      \
      stmt;                                                                                    \
    } catch (const torch::Error& e) {                                                          \
      thrown_ = std::string(e.what()).find(part) != std::string::npos;                         \
      if (!thrown_) std::cerr << "  message was: " << e.what() << "\n";                        \
    }                                                                                          \
    REQUIRE_TRUE(thrown_ && "throws with " part);                                              \
  } while (false)

Variable f(const Variable& x, const Variable& y) { return x + 2 * y + x * y; }

ENGINE_TEST(Engine, FreeBackwardSumsIntoLeaves) {
  Variable x = torch::randn({3, 2}, torch::requires_grad());
  Variable y = torch::randn({3, 2}, torch::requires_grad());
  backward({f(x, y).sum()}, {});
  REQUIRE_CLOSE(x.grad(), y + torch::ones({3, 2}));
  REQUIRE_CLOSE(y.grad(), x + torch::ones({3, 2}) * 2);
}

ENGINE_TEST(Engine, BackwardTwiceWithRetainedGraphAccumulates) {
  Variable x = torch::randn({2, 2}, torch::requires_grad());
  Variable y = torch::randn({2, 2}, torch::requires_grad());
  auto res = f(x, y);
  backward({res}, {torch::ones({2, 2})}, /*retain_graph=*/true);
  backward({res}, {torch::ones({2, 2})});
  REQUIRE_CLOSE(x.grad(), 2 * (y + 1));
  REQUIRE_CLOSE(y.grad(), 2 * (x + 2));
  REQUIRE_THROWS_WITH(backward({res}, {torch::ones({2, 2})}), "retain_graph");
}

ENGINE_TEST(Engine, GradLeavesDotGradAlone) {
  Variable x = torch::randn({2, 2}, torch::requires_grad());
  Variable y = torch::randn({2, 2}, torch::requires_grad());
  auto g = grad({f(x, y)}, {x, y}, {torch::ones({2, 2})});
  REQUIRE_CLOSE(g[0], y + 1);
  REQUIRE_CLOSE(g[1], x + 2);
  REQUIRE_TRUE(!x.grad().defined() && !y.grad().defined());
}

ENGINE_TEST(Engine, CreateGraphGivesHessianVectorProducts) {
  Variable x = torch::randn({2, 2}, torch::requires_grad());
  Variable y = torch::randn({2, 2}, torch::requires_grad());
  f(x, y).backward(torch::ones({2, 2}), false, /*create_graph=*/true);
  REQUIRE_CLOSE(x.grad(), y + 1);
  // d/dx of sum(3 x.grad() + y.grad()) = d/dx sum(3 (y + 1) + (x + 2)) = 1
  Variable g = 3 * x.grad() + y.grad();
  auto hv = grad({g}, {x}, {torch::ones({2, 2})}, {}, true);
  REQUIRE_CLOSE(hv[0], torch::ones({2, 2}));
  REQUIRE_CLOSE(x.grad(), y + 1);  // grad() did not accumulate
}

ENGINE_TEST(Engine, GradThroughANonLeafChain) {
  Variable start = torch::randn({2, 2}, torch::requires_grad());
  Variable x = start;
  Variable y = torch::randn({2, 2}, torch::requires_grad());
  for (int i = 0; i < 4; ++i) {
    auto g = grad({f(x, y)}, {x}, {torch::ones({2, 2})}, {}, true);
    REQUIRE_CLOSE(g[0], y + 1);
    x = x + 0.1 * g[0];
  }
  REQUIRE_TRUE(f(x, y).sum().item().toFloat() > f(start, y).sum().item().toFloat());
  x.backward(torch::ones({2, 2}), false, true);
  REQUIRE_TRUE(start.grad().defined() && y.grad().defined());
}

ENGINE_TEST(Engine, UnreachableInputs) {
  Variable x = torch::ones(1, torch::requires_grad());
  Variable y = torch::ones(1, torch::requires_grad());
  auto g = grad({x * 2}, {x, y}, {}, {}, false, /*allow_unused=*/true);
  REQUIRE_CLOSE(g[0], x * 2);
  REQUIRE_TRUE(!g[1].defined());
  REQUIRE_THROWS_WITH(grad({x * 2}, {x, y}), "allow_unused");
}

ENGINE_TEST(Engine, RetainGradOnAnIntermediate) {
  auto input = torch::rand({1, 3}, torch::requires_grad());
  auto h = input * 3;
  auto out = (h * h).sum();
  h.retain_grad();
  h.retain_grad();
  out.backward({}, /*retain_graph=*/true);
  REQUIRE_CLOSE(h.grad(), h * 2);
  out.backward({}, true);
  REQUIRE_CLOSE(h.grad(), h * 4);
  {
    torch::NoGradGuard no_grad;
    input.grad().zero_();
  }
  input.retain_grad();  // no-op on a leaf
  out.backward();
  REQUIRE_CLOSE(input.grad(), input * 18);
}

ENGINE_TEST(Custom, FunctionWithANonTensorArgument) {
  struct Scaled : public Function<Scaled> {
    static Variable forward(AutogradContext* ctx, Variable a, int k, Variable b) {
      ctx->saved_data["k"] = k;
      ctx->save_for_backward({a, b});
      return a + k * b + a * b;
    }
    static variable_list backward(AutogradContext* ctx, variable_list g) {
      const auto k = ctx->saved_data["k"].toInt();
      auto saved = ctx->get_saved_variables();
      return {g[0] + g[0] * saved[1], Variable(), g[0] * static_cast<double>(k) + g[0] * saved[0]};
    }
  };
  Variable x = torch::randn({4, 4}, torch::requires_grad());
  Variable y = torch::randn({4, 4}, torch::requires_grad());
  Scaled::apply(x, 3, y).sum().backward();
  REQUIRE_CLOSE(x.grad(), y + 1);
  REQUIRE_CLOSE(y.grad(), x + 3);
}

ENGINE_TEST(Custom, ReturnsItsInput) {
  struct Same : public Function<Same> {
    static Variable forward(AutogradContext*, Variable v) { return v; }
    static variable_list backward(AutogradContext*, variable_list g) { return {g[0] * 2}; }
  };
  Variable x(torch::ones(1, torch::requires_grad()));
  Same::apply(x).backward(torch::ones(1), true, true);
  REQUIRE_CLOSE(x.grad(), torch::full(1, 2));
}

ENGINE_TEST(Custom, RespectsNoGrad) {
  struct PlusOne : public Function<PlusOne> {
    static Variable forward(AutogradContext*, Variable v) { return v + 1; }
    static variable_list backward(AutogradContext*, variable_list g) { return g; }
  };
  auto x = torch::ones({3, 3}, torch::requires_grad());
  torch::NoGradGuard no_grad;
  REQUIRE_TRUE(!PlusOne::apply(x).requires_grad());
}

ENGINE_TEST(Custom, MarkDirtyBumpsTheVersion) {
  struct Twice : public Function<Twice> {
    static Variable forward(AutogradContext* ctx, Variable v) {
      v.data_ptr<float>()[0] = 2;
      ctx->mark_dirty({v});
      return v;
    }
    static variable_list backward(AutogradContext*, variable_list g) { return {g[0] * 2.0}; }
  };
  auto x = torch::randn({3, 3}, torch::requires_grad()).clone();
  const auto before = x._version();
  auto out = Twice::apply(x);
  REQUIRE_TRUE(x._version() >= before + 1);
  REQUIRE_TRUE(out[0][0].item<float>() == 2);
  out.sum().backward();
}

ENGINE_TEST(Custom, NonDifferentiableMaskFeedsMaskedFill) {
  struct Positive : public Function<Positive> {
    static Variable forward(AutogradContext* ctx, Variable v) {
      Variable mask = v > 0;
      ctx->mark_non_differentiable({mask});
      return mask;
    }
    static variable_list backward(AutogradContext*, variable_list g) { return {g[0] * 0.0}; }
  };
  auto x = torch::randn({4, 4}, torch::requires_grad());
  auto mask = Positive::apply(x);
  REQUIRE_TRUE(!mask.requires_grad());
  REQUIRE_TRUE(mask.dtype() == torch::kBool);
  x.masked_fill(mask, 0).sum().backward();
  REQUIRE_CLOSE(x.grad(), (x <= 0).to(torch::kFloat));
}

ENGINE_TEST(Custom, EmptySavedSlots) {
  struct Square : public Function<Square> {
    static Variable forward(AutogradContext* ctx, Variable v) {
      ctx->save_for_backward({Variable(), v, Variable()});
      return v * v;
    }
    static variable_list backward(AutogradContext* ctx, variable_list g) {
      auto saved = ctx->get_saved_variables();
      if (saved[0].defined() || saved[2].defined()) throw Failure{"an empty slot came back defined"};
      return {saved[1] * 2 * g[0]};
    }
  };
  Variable x = torch::randn({3, 3}, torch::requires_grad());
  Square::apply(x).sum().backward();
  REQUIRE_CLOSE(x.grad(), 2 * x);
}

ENGINE_TEST(Custom, WrongGradientShapeIsAnError) {
  struct Bad : public Function<Bad> {
    static Variable forward(AutogradContext*, Variable v) { return v * 2; }
    static variable_list backward(AutogradContext*, variable_list) {
      return {torch::randn(10, torch::dtype(torch::kFloat).requires_grad(true))};
    }
  };
  auto input = torch::randn({5, 5}, torch::dtype(torch::kFloat).requires_grad(true));
  REQUIRE_THROWS_WITH(Bad::apply(input).sum().backward(), "shape");
}

ENGINE_TEST(Custom, NoHistoryUnderNoGrad) {
  struct Identity : public Function<Identity> {
    static Variable forward(AutogradContext*, Variable v) { return v; }
    static variable_list backward(AutogradContext*, variable_list g) { return g; }
  };
  Variable x = torch::randn({5, 5}, torch::requires_grad());
  Variable y;
  {
    torch::NoGradGuard no_grad;
    y = Identity::apply(x);
  }
  REQUIRE_TRUE(x.requires_grad());
  REQUIRE_TRUE(!y.grad_fn());
}

ENGINE_TEST(Custom, BackwardInsideBackward) {
  static Variable other = torch::randn({2, 2});
  struct Reenter : public Function<Reenter> {
    static Variable forward(AutogradContext* ctx, Variable v) {
      torch::AutoGradMode enable(true);
      auto leaf = v.detach().requires_grad_(true);
      auto product = leaf * other;
      ctx->saved_data["leaf"] = leaf;
      ctx->saved_data["product"] = product;
      return product.detach();
    }
    static variable_list backward(AutogradContext* ctx, variable_list g) {
      {
        torch::AutoGradMode enable(true);
        ctx->saved_data["product"].toTensor().sum().backward();
      }
      return {ctx->saved_data["leaf"].toTensor().grad() * g[0]};
    }
  };
  auto x = torch::randn({2, 2}, torch::requires_grad());
  Reenter::apply(x).sum().backward();
  REQUIRE_CLOSE(x.grad(), other);
}

ENGINE_TEST(Engine, HooksSeeAndReplaceGradients) {
  auto x = torch::ones({2}, torch::requires_grad());
  auto y = x * 3;
  torch::Tensor seen;
  y.register_hook([&](const torch::Tensor& g) { return g * 10; });
  x.register_hook([&](const torch::Tensor& g) { seen = g.clone(); return torch::Tensor(); });
  y.sum().backward();
  REQUIRE_CLOSE(seen, torch::full(2, 30));
  REQUIRE_CLOSE(x.grad(), torch::full(2, 30));
}

ENGINE_TEST(Engine, IndexingIsDifferentiable) {
  using namespace torch::indexing;
  auto x = torch::arange(6, torch::kFloat).reshape({2, 3}).requires_grad_(true);
  auto y = x.index({Slice(), Slice(1, None)}) * x.index({Slice(), 0}).unsqueeze(1);
  y.sum().backward();
  // y[i, j] = x[i, j+1] x[i, 0]: d/dx[i, 0] = x[i, 1] + x[i, 2], d/dx[i, j>0] = x[i, 0]
  REQUIRE_CLOSE(x.grad(), torch::tensor({{3, 0, 0}, {9, 3, 3}}));
}

ENGINE_TEST(Engine, InPlaceOnASavedValueIsDetected) {
  auto x = torch::randn({3}, torch::requires_grad());
  auto y = x * 1;
  auto z = y.exp();  // saves its output
  z.index_put_({0}, 5.0);
  REQUIRE_THROWS_WITH(z.sum().backward(), "index_put_");
}

}  // namespace

int main() {
  torch::manual_seed(2024);
  int failed = 0;
  for (const auto& [name, fn] : registry()) {
    try {
      fn();
      std::cout << "[ ok ] " << name << "\n";
    } catch (const Failure& f) {
      ++failed;
      std::cout << "[FAIL] " << name << ": " << f.what << "\n";
    } catch (const std::exception& e) {
      ++failed;
      std::cout << "[FAIL] " << name << ": exception: " << e.what() << "\n";
    }
  }
  std::cout << registry().size() - static_cast<std::size_t>(failed) << " passed, " << failed << " failed\n";
  return failed ? 1 : 0;
}
