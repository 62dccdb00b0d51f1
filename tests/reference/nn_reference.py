#!/usr/bin/python3
"""Reference numbers for tests/test_nn*.cpp, from PyTorch (Debian's python3-torch).

Run: /usr/bin/python3 tests/reference/nn_reference.py
The inputs are the same closed-form sequences the C++ tests build; the printed numbers are
pasted into the tests next to a comment naming this script.
"""
import torch

torch.set_default_dtype(torch.float64)


def seq(n, a, b, c):
    return torch.tensor([a + b * i + c * i * i for i in range(n)])


def show(name, t):
    vals = ", ".join(f"{v:.17g}" for v in t.detach().flatten().tolist())
    print(f"// {name} {list(t.shape)}\n{{{vals}}}")


# --- BatchNorm1d: x [4, 3], gamma, beta; training forward, backward of sum(y * w) ---
x = seq(12, 0.3, 0.41, -0.037).reshape(4, 3).requires_grad_()
bn = torch.nn.BatchNorm1d(3, eps=1e-5, momentum=0.1)
with torch.no_grad():
    bn.weight.copy_(torch.tensor([1.5, -0.5, 2.0]))
    bn.bias.copy_(torch.tensor([0.1, 0.2, -0.3]))
w = seq(12, -0.5, 0.13, 0.011).reshape(4, 3)
y = bn(x)
(y * w).sum().backward()
show("bn y", y)
show("bn dx", x.grad)
show("bn dgamma", bn.weight.grad)
show("bn dbeta", bn.bias.grad)
x2 = seq(12, -1.0, 0.23, 0.02).reshape(4, 3)
bn(x2)
show("bn running_mean after 2 steps", bn.running_mean)
show("bn running_var after 2 steps", bn.running_var)
bn.eval()
show("bn eval y on x2", bn(x2))

# --- BatchNorm1d on [N, C, L] ---
x3 = seq(24, 0.2, -0.07, 0.013).reshape(2, 3, 4).requires_grad_()
bn3 = torch.nn.BatchNorm1d(3)
y3 = bn3(x3)
(y3 * seq(24, 0.1, 0.05, -0.002).reshape(2, 3, 4)).sum().backward()
show("bn3 dx", x3.grad)
show("bn3 running_var", bn3.running_var)

# --- cross_entropy variants: logits [4, 3], targets [2, 0, 1, 2] ---
logits = seq(12, 0.5, -0.3, 0.04).reshape(4, 3).requires_grad_()
t = torch.tensor([2, 0, 1, 2])
cw = torch.tensor([0.2, 1.0, 3.0])
F = torch.nn.functional
for name, kw in [("plain", {}), ("weight", {"weight": cw}), ("smooth", {"label_smoothing": 0.1}),
                 ("weight+smooth", {"weight": cw, "label_smoothing": 0.2}),
                 ("ignore", {"ignore_index": 1}), ("weight+smooth+ignore", {"weight": cw, "label_smoothing": 0.3, "ignore_index": 0}),
                 ("sum", {"reduction": "sum"})]:
    logits.grad = None
    loss = F.cross_entropy(logits, t, **kw)
    loss.backward()
    show(f"ce {name} loss", loss)
    show(f"ce {name} dlogits", logits.grad)
show("ce none", F.cross_entropy(logits, t, reduction="none", label_smoothing=0.1))

# --- binary cross entropy with logits, pos_weight ---
z = seq(6, -2.0, 0.9, 0.0).requires_grad_()
yb = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 0.5])
pw = torch.tensor([2.0, 2.0, 0.5, 1.0, 3.0, 1.0])
loss = F.binary_cross_entropy_with_logits(z, yb, pos_weight=pw)
loss.backward()
show("bcewl loss", loss)
show("bcewl dz", z.grad)
p = torch.sigmoid(seq(6, -2.0, 0.9, 0.0))
show("bce loss", F.binary_cross_entropy(p, yb))
