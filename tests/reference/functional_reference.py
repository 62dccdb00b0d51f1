#!/usr/bin/python3
"""Expected numbers for tests/test_functional.cpp: torch.autograd.functional (vjp, jvp, jacobian,
hessian, hvp, vhp) in float64 with Debian's python3-torch (1.13).

Run: /usr/bin/python3 tests/reference/functional_reference.py
and paste the printed lines into the test (the test suite does not need PyTorch). Each tensor is
printed flattened (row-major); its shape is in the test.

The functions (the same, written with xg ops, are in the test):
    f(x)    = tanh(A @ x) * x                      x: [3]          -> [3]
    g(x, y) = (x @ y,  sin(x) * y)                 x: [2, 3], y: [3] -> ([2], [2, 3])
    s(x)    = sum(tanh(A @ x)^2) + (x . x)^2       x: [3]          -> scalar
    h(x, y) = sum(sin(x @ y)) + sum(x^2) * sum(y)  x: [2, 3], y: [3] -> scalar
"""
import torch
from torch.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp

torch.set_default_dtype(torch.float64)
A = torch.tensor([[0.5, -1.0, 0.25], [1.5, 0.3, -0.7], [-0.2, 0.8, 1.1]])
X = torch.tensor([0.4, -0.9, 1.3])
XM = torch.tensor([[0.3, -0.6, 1.1], [0.9, 0.2, -0.4]])
Y = torch.tensor([0.7, -1.2, 0.5])
V3 = torch.tensor([1.0, -2.0, 0.5])
V2 = torch.tensor([0.25, -1.5])
V23 = torch.tensor([[1.0, 0.5, -0.5], [2.0, -1.0, 0.3]])


def f(x):
    return torch.tanh(A @ x) * x


def g(x, y):
    return x @ y, torch.sin(x) * y


def s(x):
    return (torch.tanh(A @ x) ** 2).sum() + (x @ x) ** 2


def h(x, y):
    return torch.sin(x @ y).sum() + (x ** 2).sum() * y.sum()


def emit(name, t):
    print(f"const VD {name} = {{" + ", ".join(repr(float(v)) for v in t.reshape(-1)) + "};")


emit("f_out", f(X))
emit("f_vjp", vjp(f, X, V3)[1])
emit("f_jvp", jvp(f, X, V3)[1])
emit("f_jac", jacobian(f, X))
out, (gx, gy) = vjp(g, (XM, Y), (V2, V23))
emit("g_vjp_x", gx)
emit("g_vjp_y", gy)
_, (jo1, jo2) = jvp(g, (XM, Y), (V23, V3))
emit("g_jvp_0", jo1)
emit("g_jvp_1", jo2)
J = jacobian(g, (XM, Y))
for i in range(2):
    for k in range(2):
        emit(f"g_jac_{i}{k}", J[i][k])
emit("s_out", s(X).reshape(1))
emit("s_hess", hessian(s, X))
emit("s_hvp", hvp(s, X, V3)[1])
emit("s_vhp", vhp(s, X, V3)[1])
H = hessian(h, (XM, Y))
for i in range(2):
    for k in range(2):
        emit(f"h_hess_{i}{k}", H[i][k])
_, (hx, hy) = hvp(h, (XM, Y), (V23, V3))
emit("h_hvp_x", hx)
emit("h_hvp_y", hy)
_, (vx, vy) = vhp(h, (XM, Y), (V23, V3))
emit("h_vhp_x", vx)
emit("h_vhp_y", vy)
