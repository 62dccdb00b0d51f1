// Engine tests in the style of PyTorch's C++ frontend tests (test/cpp/api/autograd.cpp): our own
// tests, written as a LibTorch user writes them (Variable, variable_list, backward/grad as free
// functions, custom Functions), with a tiny test runner. Expected values follow from the
// functions themselves (f(x, y) = x + 2y + xy has df/dx = y + 1, df/dy = x + 2). Exits 1 on a failure.
#include <algorithm>
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


// ----- the rest of test/cpp/api/autograd.cpp's engine and custom-function behaviour -----

ENGINE_TEST(Engine, GradSkipsABranchThatReachesNoInput) {
  static bool ran = false;
  struct Watch : public Function<Watch> {
    static Variable forward(AutogradContext*, Variable v) { return v; }
    static variable_list backward(AutogradContext*, variable_list g) {
      ran = true;
      return g;
    }
  };
  auto x = torch::randn(2, torch::requires_grad());
  auto watched = Watch::apply(x * 3);
  auto y = torch::randn(2, torch::requires_grad());
  auto g = torch::autograd::grad({watched}, {y}, {torch::ones(2)}, {}, false, /*allow_unused=*/true);
  REQUIRE_TRUE(!g[0].defined());
  REQUIRE_TRUE(!ran);
}

ENGINE_TEST(Engine, GradWithoutInputsIsAnError) {
  Variable x = torch::ones({2}, torch::requires_grad());
  REQUIRE_THROWS_WITH(grad({x * 2}, {}, {x}), "grad requires non-empty inputs");
}

ENGINE_TEST(Engine, UnusedInputMessageSaysHowToAllowIt) {
  Variable x = torch::ones({1}, torch::requires_grad());
  Variable unused = torch::ones({1}, torch::requires_grad());
  REQUIRE_THROWS_WITH(grad({x * 3}, {x, unused}, {}, {}, false, false), "Set allow_unused=True");
}

ENGINE_TEST(Custom, ReturnsAnInputItAlsoSaved) {
  struct First : public Function<First> {
    static Variable forward(AutogradContext* ctx, Variable a, Variable b) {
      ctx->save_for_backward({a, b});
      return a;
    }
    static variable_list backward(AutogradContext* ctx, variable_list g) {
      auto saved = ctx->get_saved_variables();
      if (!saved[0].defined() || !saved[1].defined()) throw Failure{"a saved input came back undefined"};
      return {g[0] * 2, Variable()};  // a rule of our own, to see it used
    }
  };
  Variable x = torch::randn({3}, torch::requires_grad());
  Variable y = torch::randn({3}, torch::requires_grad());
  auto out = First::apply(x, y);
  REQUIRE_TRUE(torch::equal(out, x));
  out.sum().backward();
  REQUIRE_CLOSE(x.grad(), torch::full({3}, 2.0));
  REQUIRE_TRUE(!y.grad().defined());
}

ENGINE_TEST(Custom, TensorListArgument) {
  // f(a, b) = a b + a: df/da = b + 1, df/db = a; the list counts as one argument per tensor.
  struct ProductPlusFirst : public Function<ProductPlusFirst> {
    static Variable forward(AutogradContext* ctx, at::TensorList tensors) {
      variable_list keep(tensors.begin(), tensors.end());
      ctx->save_for_backward(keep);
      return tensors[0] * tensors[1] + tensors[0];
    }
    static variable_list backward(AutogradContext* ctx, variable_list g) {
      auto s = ctx->get_saved_variables();
      return {g[0] * (s[1] + 1), g[0] * s[0]};
    }
  };
  at::Tensor x = torch::randn({2, 3}, torch::requires_grad());
  at::Tensor y = torch::randn({2, 3}, torch::requires_grad());
  variable_list both = {x, y};
  at::TensorList list = both;
  ProductPlusFirst::apply(list).sum().backward();
  REQUIRE_CLOSE(x.grad(), y + 1);
  REQUIRE_CLOSE(y.grad(), x);
}

ENGINE_TEST(Custom, NeedsInputGradFollowsWhatGradAsksFor) {
  // f(a, b, k) = a + k b + a b; backward checks needs_input_grad against what the caller asked.
  struct Mix : public Function<Mix> {
    static Variable forward(AutogradContext* ctx, Variable a, Variable b, int k, bool want_a, bool want_b) {
      ctx->saved_data["k"] = k;
      ctx->saved_data["want_a"] = want_a;
      ctx->saved_data["want_b"] = want_b;
      ctx->save_for_backward({a, b});
      return a + k * b + a * b;
    }
    static variable_list backward(AutogradContext* ctx, variable_list g) {
      const bool want_a = ctx->saved_data["want_a"].toBool(), want_b = ctx->saved_data["want_b"].toBool();
      const IndexRange first{0, 1}, second{1, 2};
      if (ctx->needs_input_grad(0) != want_a || ctx->needs_input_grad(1) != want_b ||
          ctx->needs_input_grad({first}) != want_a || ctx->needs_input_grad({second}) != want_b ||
          ctx->needs_input_grad({first, second}) != (want_a || want_b))
        throw Failure{"needs_input_grad disagrees with the inputs grad() asked for"};
      auto s = ctx->get_saved_variables();
      const double k = static_cast<double>(ctx->saved_data["k"].toInt());
      Variable ga, gb;
      if (ctx->needs_input_grad(0)) ga = g[0] * (1 + s[1]);
      if (ctx->needs_input_grad(1)) gb = g[0] * (k + s[0]);
      return {ga, gb, Variable(), Variable(), Variable()};
    }
  };
  Variable x = torch::randn({2, 2}, torch::requires_grad());
  Variable y = torch::randn({2, 2}, torch::requires_grad());
  auto seed = torch::ones_like(x);
  REQUIRE_CLOSE(grad({Mix::apply(x, y, 3, true, false)}, {x}, {seed})[0], y + 1);
  REQUIRE_CLOSE(grad({Mix::apply(x, y, 3, false, true)}, {y}, {seed})[0], x + 3);
  auto both = grad({Mix::apply(x, y, 3, true, true)}, {x, y}, {seed});
  REQUIRE_CLOSE(both[0], y + 1);
  REQUIRE_CLOSE(both[1], x + 3);
}

ENGINE_TEST(Custom, UndefinedGradientLeavesGradUndefined) {
  struct Blocks : public Function<Blocks> {
    static Variable forward(AutogradContext*, Variable v) { return v * 5; }
    static variable_list backward(AutogradContext*, variable_list) { return {Variable()}; }
  };
  auto x = torch::ones(3, torch::requires_grad());
  Blocks::apply(x).sum().backward();
  REQUIRE_TRUE(!x.grad().defined());
  REQUIRE_TRUE(!torch::autograd::grad({Blocks::apply(x).sum()}, {x}, {}, false, false, true)[0].defined());
}

ENGINE_TEST(Custom, MixedNonDifferentiableOutputs) {
  struct Split : public Function<Split> {
    static variable_list forward(AutogradContext* ctx, Variable v) {
      Variable shifted = v + 1, tripled = v * 3;
      ctx->mark_non_differentiable({shifted});
      return {shifted, tripled};
    }
    static variable_list backward(AutogradContext*, variable_list g) {
      // The constant output gets a zero gradient; the other one what flowed into it.
      if (!torch::equal(g[0], torch::zeros({2, 2}))) throw Failure{"the non-differentiable output's gradient is not zero"};
      return {g[1] * 3};
    }
  };
  auto x = torch::randn({2, 2}, torch::requires_grad());
  auto out = Split::apply(x);
  REQUIRE_TRUE(!out[0].requires_grad());
  REQUIRE_TRUE(out[1].requires_grad());
  out[1].sum().backward();
  REQUIRE_CLOSE(x.grad(), torch::full({2, 2}, 3.0));
}

ENGINE_TEST(Custom, NonDifferentiableCopyActsAsAConstant) {
  struct Frozen : public Function<Frozen> {
    static Variable forward(AutogradContext* ctx, Variable v) {
      auto copy = v.clone();
      ctx->mark_non_differentiable({copy});
      return copy;
    }
    static variable_list backward(AutogradContext*, variable_list) { return {}; }
  };
  auto x = torch::randn({3}, torch::requires_grad());
  auto r = Frozen::apply(x * x);
  (r * x).sum().backward();
  REQUIRE_CLOSE(x.grad(), x * x);  // d/dx (c x) with c = x^2 held constant
}

ENGINE_TEST(Custom, DirtyInputAmongSeveralOutputs) {
  struct AddInto : public Function<AddInto> {
    static variable_list forward(AutogradContext* ctx, Variable a, Variable b) {
      ctx->mark_dirty({a});
      return {a.add_(b), b * 3};
    }
    static variable_list backward(AutogradContext*, variable_list g) { return {g[0], g[0] + 3 * g[1]}; }
  };
  Variable x = torch::randn({2, 3});
  const Variable x_before = x.clone();
  Variable y = torch::randn({2, 3}, torch::requires_grad());
  auto out = AddInto::apply(x, y);
  REQUIRE_TRUE(out[0].is_same(x));  // the dirty input itself, now with this function's history
  REQUIRE_TRUE(torch::allclose(x, x_before + y));
  REQUIRE_TRUE(x.requires_grad() && x.grad_fn());
  out[0].sum().backward();
  REQUIRE_CLOSE(y.grad(), torch::ones({2, 3}));
}

ENGINE_TEST(Custom, DirtyDuplicatedOutput) {
  struct TripleInPlace : public Function<TripleInPlace> {
    static variable_list forward(AutogradContext* ctx, Variable v) {
      v.mul_(3);
      ctx->mark_dirty({v});
      return {v, v};
    }
    static variable_list backward(AutogradContext*, variable_list g) { return {g[0] * 3 + g[1] * 3}; }
  };
  auto x = torch::randn({2, 2}, torch::requires_grad());
  REQUIRE_THROWS_WITH(TripleInPlace::apply(x), "leaf Variable that requires grad");
  auto start = torch::randn({2, 2}, torch::requires_grad());
  auto out = TripleInPlace::apply(start.clone());
  REQUIRE_TRUE(torch::equal(out[0], out[1]));
  REQUIRE_CLOSE(out[0], start * 3);
  (out[0] + out[1]).sum().backward();
  REQUIRE_CLOSE(start.grad(), torch::full({2, 2}, 6.0));
}

ENGINE_TEST(Custom, DuplicatedOutput) {
  struct Twice : public Function<Twice> {
    static variable_list forward(AutogradContext*, Variable v) {
      auto y = v * 2;
      return {y, y};
    }
    static variable_list backward(AutogradContext*, variable_list g) { return {g[0] * 2 + g[1] * 2}; }
  };
  auto x = torch::randn({2, 2}, torch::requires_grad());
  auto out = Twice::apply(x);
  REQUIRE_TRUE(torch::equal(out[0], out[1]));
  (out[0] * 2 + out[1]).sum().backward();  // 2 * 2 + 1 * 2
  REQUIRE_CLOSE(x.grad(), torch::full({2, 2}, 6.0));
}

ENGINE_TEST(Custom, ExtraUndefinedGradientsAreIgnored) {
  struct Padded : public Function<Padded> {
    static Variable forward(AutogradContext*, Variable v) { return v * 4; }
    static variable_list backward(AutogradContext*, variable_list g) {
      g[0] = g[0] * 4;
      g.insert(g.end(), {Variable(), Variable()});
      return g;
    }
  };
  auto x = torch::randn({3}, torch::requires_grad());
  Padded::apply(x).sum().backward();
  REQUIRE_CLOSE(x.grad(), torch::full({3}, 4.0));
}

ENGINE_TEST(Custom, ConstantOutputFeedsANonTensorSlot) {
  struct WithNoise : public Function<WithNoise> {
    static variable_list forward(AutogradContext* ctx, Variable v) {
      auto noise = torch::randn(v.sizes());
      ctx->mark_non_differentiable({noise});
      return {v, noise};
    }
    static variable_list backward(AutogradContext*, variable_list g) { return {g[0]}; }
  };
  struct KeepFirst : public Function<KeepFirst> {
    static Variable forward(AutogradContext*, Variable v, Variable) { return v; }
    static variable_list backward(AutogradContext*, variable_list g) { return {g[0], Variable()}; }
  };
  auto x = torch::randn(4, torch::requires_grad());
  auto out = WithNoise::apply(x);
  Variable a = out[0], b = out[1] + 1;
  REQUIRE_TRUE(a.requires_grad() && !b.requires_grad());
  auto c = KeepFirst::apply(a, b);
  c.backward(torch::ones(c.sizes()), false, false);
  REQUIRE_CLOSE(x.grad(), torch::ones(x.sizes()));
}

// Each backward starts another backward on a smaller value until it reaches 0: backward calls
// nested `depth` deep (PyTorch's test goes 8193 deep).
struct Countdown : public Function<Countdown> {
  static Variable forward(AutogradContext* ctx, Variable v) {
    {
      torch::AutoGradMode enable(true);
      ctx->saved_data["less"] = make_variable(v.tensor_data(), true) - 1;
    }
    return ctx->saved_data["less"].toTensor().detach();
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    const Variable less = ctx->saved_data["less"].toTensor();
    if (less.is_nonzero()) {
      torch::AutoGradMode enable(true);
      apply(less).sum().backward();
    }
    return g;
  }
};

ENGINE_TEST(Custom, NestedBackwardCalls) {
  auto v = torch::tensor({200.0f}, torch::dtype(torch::kFloat).requires_grad(true));
  Countdown::apply(v).sum().backward();
  REQUIRE_CLOSE(v.grad(), torch::ones(1));
}

ENGINE_TEST(Custom, NestedBackwardRunsBeforeTheRest) {
  static std::vector<int> order;
  struct Plain : public Function<Plain> {
    static Variable forward(AutogradContext*, Variable v) { return v; }
    static variable_list backward(AutogradContext*, variable_list g) {
      order.push_back(0);
      return g;
    }
  };
  struct Nest : public Function<Nest> {
    static Variable forward(AutogradContext* ctx, Variable v) {
      {
        torch::AutoGradMode enable(true);
        ctx->saved_data["less"] = make_variable(v.tensor_data(), true) - 1;
      }
      return ctx->saved_data["less"].toTensor().detach();
    }
    static variable_list backward(AutogradContext* ctx, variable_list g) {
      order.push_back(1);
      const Variable less = ctx->saved_data["less"].toTensor();
      if (less.is_nonzero()) {
        torch::AutoGradMode enable(true);
        apply(less).sum().backward();
      }
      return g;
    }
  };
  order.clear();
  auto a = Plain::apply(torch::tensor({2.0f}, torch::requires_grad()));
  auto b = Nest::apply(torch::tensor({5.0f}, torch::requires_grad()));
  (a * b).backward();
  // Nest runs for 5 - 1 = 4, then 3, 2, 1, 0: five calls, all before Plain's.
  REQUIRE_TRUE(order.size() == 6);
  REQUIRE_TRUE(std::count(order.begin(), order.end(), 1) == 5);
  REQUIRE_TRUE(order.back() == 0);
}

ENGINE_TEST(Engine, HookHandlesAndRemoval) {
  Variable x = torch::ones({3, 3}, torch::requires_grad());
  Variable y = torch::ones({3, 3}) * 2;
  y.set_requires_grad(true);
  int counter = 0;
  Variable z = x * x + x * y + y;  // dz/dy = x + 1
  x.register_hook([&counter](Variable) { counter += 100; });
  auto first = z.register_hook([&counter](Variable) { counter += 1; });
  z.backward(torch::ones({3, 3}), true, true);
  REQUIRE_TRUE(counter == 101);
  auto second = z.register_hook([&counter](Variable) { counter += 10; });
  z.backward(torch::ones({3, 3}), true, true);
  REQUIRE_TRUE(counter == 212);
  z.remove_hook(second);
  z.backward(torch::ones({3, 3}), true, true);
  REQUIRE_TRUE(counter == 313);
  z.remove_hook(first);
  z.register_hook([](Variable g) { return g * 3; });
  y.grad().zero_();
  z.backward(torch::ones({3, 3}), true, false);
  REQUIRE_CLOSE(y.grad(), (x + 1) * 3);
  y.register_hook([](Variable g) { return g * 2; });
  y.grad().zero_();
  z.backward(torch::ones({3, 3}), false, false);
  REQUIRE_CLOSE(y.grad(), (x + 1) * 6);
  REQUIRE_THROWS_WITH(y.remove_hook(12345), "no hook with handle 12345");
}

ENGINE_TEST(Engine, HooksBeforeAndAfterAnInPlaceOp) {
  auto a = torch::ones({2, 2}, torch::requires_grad()).clone();
  torch::Tensor before, after;
  a.register_hook([&before](Variable g) { before = g.clone(); });
  a.mul_(4);
  a.register_hook([&after](Variable g) { after = g.clone(); });
  (a + 1).sum().backward();
  REQUIRE_CLOSE(after, torch::ones({2, 2}));       // the gradient of the new a
  REQUIRE_CLOSE(before, torch::full({2, 2}, 4.0));  // of the a before mul_(4)
}

ENGINE_TEST(Engine, RetainedGradIsTheLatestVersions) {
  auto a = torch::ones({2, 2}, torch::requires_grad()).clone();
  std::vector<double> seen;
  a.register_hook([&seen](Variable g) { seen.push_back(g[0][0].item<double>()); });
  a.retain_grad();
  a.mul_(2);
  a.mul_(5);
  a.register_hook([&seen](Variable g) { seen.push_back(g[0][0].item<double>()); });
  (a * 3).sum().backward();
  REQUIRE_TRUE(a.retains_grad());
  REQUIRE_CLOSE(a.grad(), torch::full({2, 2}, 3.0));
  REQUIRE_TRUE(seen.size() == 2 && seen[0] == 3.0 && seen[1] == 30.0);
}

ENGINE_TEST(Engine, HooksOnIndexedRows) {
  bool called = false;
  auto x = torch::randn({3, 3}, torch::requires_grad());
  Variable r0 = x[0], r1 = x[1];
  auto hook = [&called](Variable g) {
    if (!g.defined()) throw Failure{"a hook got an undefined gradient"};
    called = true;
  };
  r0.register_hook(hook);
  r1.register_hook(hook);
  (r0 + r1).sum().backward();
  REQUIRE_TRUE(called);
  REQUIRE_CLOSE(x.grad(), torch::tensor({{1.0, 1.0, 1.0}, {1.0, 1.0, 1.0}, {0.0, 0.0, 0.0}}));
}

ENGINE_TEST(Engine, BackwardIntoChosenInputs) {
  Variable x = torch::randn({2, 2}, torch::requires_grad());
  Variable y = torch::randn({2, 2}, torch::requires_grad());
  Variable z = x * x;
  Variable w = y * z + x * y;  // dw/dx = 2xy + y (through z and directly), dw/dz = y
  w.backward(torch::ones({2, 2}), false, false, {x});
  REQUIRE_CLOSE(x.grad(), 2 * x * y + y);
  REQUIRE_TRUE(!y.grad().defined());

  Variable x2 = torch::randn({2, 2}, torch::requires_grad());
  Variable y2 = torch::randn({2, 2}, torch::requires_grad());
  Variable z2 = x2 * x2;
  Variable w2 = y2 * z2 + x2 * y2;
  w2.backward(torch::ones({2, 2}), false, false, std::vector<Variable>{x2, z2});
  REQUIRE_CLOSE(x2.grad(), 2 * x2 * y2 + y2);
  REQUIRE_CLOSE(z2.grad(), y2);  // a non-leaf input gets its .grad() too
  REQUIRE_TRUE(!y2.grad().defined());
  REQUIRE_THROWS_WITH(w2.backward(torch::ones({2, 2}), false, false, std::vector<Variable>{}), "cannot be empty");
}

ENGINE_TEST(Engine, AnomalyGuardNamesInPlaceAndNaN) {
  torch::autograd::DetectAnomalyGuard detect;
  auto x = torch::tensor({3.0}, torch::requires_grad());
  auto y = x * x;
  auto z = y * y;
  y += 1;
  REQUIRE_THROWS_WITH(z.backward(), "in-place");
  // d/dx x^1.5 = 1.5 x^0.5 and its derivative 0.75 x^-0.5 is infinite at 0 (times 0: NaN).
  auto nan_in_second_derivative = [] {
    auto x0 = torch::tensor({0.0}, torch::requires_grad());
    auto first = grad({x0.pow(1.5)}, {x0}, {}, true, true);
    grad({first[0]}, {x0}, {torch::tensor({0.0})});
  };
  REQUIRE_THROWS_WITH(nan_in_second_derivative(), "NaN");
  {
    torch::autograd::DetectAnomalyGuard quiet(/*check_nan=*/false);
    nan_in_second_derivative();  // no check in this scope
  }
  REQUIRE_THROWS_WITH(nan_in_second_derivative(), "NaN");
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
