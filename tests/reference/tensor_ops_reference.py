#!/usr/bin/python3
"""Expected values for tests/test_ops_sort_scan.cpp and tests/test_ops_scatter_search.cpp
(issue #15's tensor ops), computed with PyTorch in float64. Run: /usr/bin/python3 tests/reference/tensor_ops_reference.py
Each line is a C++ constant; the tests embed them. A loss of the form sum(op(x) * w) gives the gradients."""
import math

import torch

torch.set_default_dtype(torch.float64)


def emit(name, t):
    vals = t.detach().double().reshape(-1).tolist()
    def fmt(v):
        if math.isnan(v):
            return "kNaN"
        if math.isinf(v):
            return "kInf" if v > 0 else "-kInf"
        return repr(float(v))
    print(f"const std::vector<double> {name}{{{', '.join(fmt(v) for v in vals)}}};")


def weights(shape):
    n = 1
    for s in shape:
        n *= s
    return (torch.arange(n, dtype=torch.float64) * 0.5 - 1.25).reshape(shape)


def grad_of(f, x, *rest):
    x = x.clone().requires_grad_(True)
    out = f(x, *rest)
    (out * weights(out.shape)).sum().backward()
    return out, x.grad


x23 = torch.tensor([[1.5, -2.0, 0.5], [3.0, 0.25, -1.0]])
# cumsum
out, g = grad_of(lambda x: torch.cumsum(x, 1), x23)
emit("kCumsum1", out); emit("kCumsum1Grad", g)
emit("kCumsum0", torch.cumsum(x23, 0))
# cumprod, without and with zeros (one zero, two zeros, a zero first)
out, g = grad_of(lambda x: torch.cumprod(x, 1), x23)
emit("kCumprod1", out); emit("kCumprod1Grad", g)
xz = torch.tensor([[2.0, 0.0, 3.0, -1.0], [0.5, 1.5, 0.0, 0.0], [0.0, 2.0, -0.5, 4.0]])
out, g = grad_of(lambda x: torch.cumprod(x, 1), xz)
emit("kCumprodZeros", out); emit("kCumprodZerosGrad", g)
out, g = grad_of(lambda x: torch.cumprod(x, 0), xz)
emit("kCumprodZeros0", out); emit("kCumprodZeros0Grad", g)
# flip, roll, repeat, tril, triu
x34 = torch.arange(12, dtype=torch.float64).reshape(3, 4) * 0.5 - 1.0
emit("kFlip01", torch.flip(x34, [0, 1]))
emit("kFlipLast", torch.flip(x34, [-1]))
emit("kRoll0", torch.roll(x34, 1, 0))
emit("kRoll01", torch.roll(x34, (1, -2), (0, 1)))
emit("kRollFlat", torch.roll(x34, 5))
out, g = grad_of(lambda x: torch.roll(x, (2, 7), (0, 1)), x34)
emit("kRollGrad", g)
emit("kRepeat", torch.tensor([1.0, -2.0]).repeat(2, 3))
out, g = grad_of(lambda x: x.repeat(2, 1, 2), x23)
emit("kRepeat3", out); emit("kRepeat3Grad", g)
emit("kTril", torch.tril(x34)); emit("kTril1", torch.tril(x34, 1)); emit("kTrilM1", torch.tril(x34, -1))
emit("kTriu", torch.triu(x34)); emit("kTriu1", torch.triu(x34, 1)); emit("kTriuM1", torch.triu(x34, -1))
# sort, argsort, topk (NaN largest; ties stable)
v = torch.tensor([3.0, float("nan"), 1.0, 3.0, float("-inf"), 2.0, 1.0])
s, i = torch.sort(v, stable=True)
emit("kSortValues", s); emit("kSortIndices", i)
s, i = torch.sort(v, stable=True, descending=True)
emit("kSortDescValues", s); emit("kSortDescIndices", i)
m = torch.tensor([[0.5, -1.0, 2.0], [0.25, 3.0, -2.0], [1.0, 0.0, 0.75]])
out, g = grad_of(lambda x: torch.sort(x, 0, descending=True)[0], m)
emit("kSort0Values", out); emit("kSort0Indices", torch.sort(m, 0, descending=True)[1]); emit("kSort0Grad", g)
emit("kArgsort1", torch.argsort(m, 1))
t = torch.tensor([1.0, 5.0, float("nan"), 3.0, 4.0, -2.0])
emit("kTopkLargestValues", torch.topk(t, 3)[0]); emit("kTopkLargestIndices", torch.topk(t, 3)[1])
emit("kTopkSmallestValues", torch.topk(t, 2, largest=False)[0]); emit("kTopkSmallestIndices", torch.topk(t, 2, largest=False)[1])
out, g = grad_of(lambda x: torch.topk(x, 2, 1)[0], m)
emit("kTopk2Values", out); emit("kTopk2Indices", torch.topk(m, 2, 1)[1]); emit("kTopk2Grad", g)
# scatter, scatter_add, index_fill, index_add
idx = torch.tensor([[0, 1, 2, 0], [2, 0, 1, 1]])
src = torch.tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])
xs, ss = x34.clone().requires_grad_(True), src.clone().requires_grad_(True)
out = torch.scatter(xs, 0, idx, ss)
(out * weights(out.shape)).sum().backward()
emit("kScatter", out); emit("kScatterGradSelf", xs.grad); emit("kScatterGradSrc", ss.grad)
emit("kScatterValue", torch.scatter(x34, 1, torch.tensor([[3], [0], [1]]), -7.0))
emit("kScatterAdd", torch.scatter_add(x34, 0, idx, src))
emit("kIndexFill", x34.index_fill(1, torch.tensor([0, 2]), -1.0))
emit("kIndexAdd", x34.index_add(0, torch.tensor([2, 0]), src))
# nonzero, where(cond), isclose
nz = torch.tensor([[0.0, 1.5, 0.0], [-2.0, 0.0, 3.0]])
emit("kNonzero", torch.nonzero(nz))
a = torch.tensor([1.0, 1.0 + 1e-6, float("nan"), float("inf"), 1.0, float("inf"), 0.0])
b = torch.tensor([1.0, 1.0, float("nan"), float("inf"), 1.1, float("-inf"), 1e-9])
emit("kIsclose", torch.isclose(a, b)); emit("kIscloseNan", torch.isclose(a, b, equal_nan=True))
emit("kIscloseLoose", torch.isclose(a, b, rtol=0.1, atol=0.0))
