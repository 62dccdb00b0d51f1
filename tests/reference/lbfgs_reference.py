#!/usr/bin/python3
"""Expected numbers for tests/test_optim_lbfgs.cpp: torch.optim.LBFGS (Debian's python3-torch,
1.13) in float64 on the Rosenbrock function, 2-D and 10-D, with and without the strong-Wolfe
line search.

Run: /usr/bin/python3 tests/reference/lbfgs_reference.py
and paste the printed C++ initializers into the test (the test suite does not need PyTorch).

The closure computes the loss and sets the gradient by the same explicit formulas, in the same
order, as the C++ test (plain float64 loops), so the comparison is of the optimizer alone:
    f(x) = sum_i 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2
Each case prints, for each call of step(closure): the parameters after it, the loss step()
returned, and how many times step() called the closure.
"""
import torch

torch.set_default_dtype(torch.float64)


def rosenbrock(xs):
    f = 0.0
    g = [0.0] * len(xs)
    for i in range(len(xs) - 1):
        a = xs[i + 1] - xs[i] * xs[i]
        b = 1.0 - xs[i]
        f += 100.0 * a * a + b * b
        g[i] += -400.0 * a * xs[i] - 2.0 * b
        g[i + 1] += 200.0 * a
    return f, g


def run(name, x0, steps, **options):
    x = torch.tensor(x0, requires_grad=True)
    opt = torch.optim.LBFGS([x], **options)
    calls = [0]

    def closure():
        calls[0] += 1
        opt.zero_grad()
        f, g = rosenbrock(x.detach().tolist())
        x.grad = torch.tensor(g)
        return torch.tensor(f)

    params, losses, evals = [], [], []
    for _ in range(steps):
        calls[0] = 0
        losses.append(float(opt.step(closure)))
        params.append(x.detach().tolist())
        evals.append(calls[0])
    st = opt.state[x]
    print(f"// {name}: {options}")
    print(f"const std::vector<VD> {name}_params = {{" + ",\n    ".join(
        "{" + ", ".join(repr(v) for v in p) + "}" for p in params) + "};")
    print(f"const VD {name}_losses = {{" + ", ".join(repr(v) for v in losses) + "};")
    print(f"const std::vector<int> {name}_evals = {{" + ", ".join(str(v) for v in evals) + "};")
    print(f"// func_evals {st['func_evals']}, n_iter {st['n_iter']}")


X2 = [-1.5, 2.0]
X10 = [-1.2, 1.0] * 5
run("plain2", X2, 4, lr=0.1, max_iter=10)
run("wolfe2", X2, 3, lr=1, max_iter=20, line_search_fn="strong_wolfe")
run("wolfe10", X10, 4, lr=1, max_iter=25, history_size=5, line_search_fn="strong_wolfe")
run("evals10", X10, 2, lr=1, max_iter=30, max_eval=12, line_search_fn="strong_wolfe")
