#!/usr/bin/python3
"""Expected numbers for tests/port/port_tensor_api.cpp, computed with PyTorch (float32).

Run with Debian's /usr/bin/python3 (python3-torch); paste the printed lines into the program.
The inputs are deterministic (arange/linspace), so no random generator has to agree.
"""
import torch

torch.set_printoptions(precision=10)


def emit(name, t):
    vals = ", ".join(repr(float(v)) for v in t.detach().reshape(-1).tolist())
    print(f"const std::vector<double> k{name}{{{vals}}};")


x = torch.arange(12, dtype=torch.float32).reshape(3, 4).div(4).sub(1)
w = torch.linspace(-1, 1, 8).view(4, 2)

# 1. method forms
emit("Sum1", x.sum(1))
emit("Mean1", x.mean(1, True))
emit("MM", x.mm(w))
emit("Var1", x.var(1))
emit("Std0", x.std(0))
emit("Norm1", x.norm(2, 1))
emit("Softmax1", x.softmax(1))
emit("Log1pAbs", x.abs().log1p())
emit("MaxValues", x.max(1)[0])
emit("MaxIndices", x.max(1)[1])
emit("Argmax0", x.argmax(0))
emit("ClampPow", x.clamp(-0.5, 0.5).pow(2))
emit("ExpSigmoidSum", (x.exp() * x.sigmoid()).sum())

# gradients through method forms
p = x.clone().requires_grad_()
loss = p.mm(w).tanh().pow(2).sum() + p.norm(2, 1).sum() + p.var(1).sum() + p.log_softmax(1)[:, 0].sum()
loss.backward()
emit("MethodLoss", loss)
emit("MethodGrad", p.grad)

# 2. masks
emit("MaskCount", (x > 0).sum())
emit("MaskedFill", x.masked_fill(x < -0.5, 2.0))
emit("MaskedSelect", x.masked_select(x > 1))
p = x.clone().requires_grad_()
loss = torch.where(p > 0, p * p, -p).sum() + p.masked_fill(p < -0.5, 2.0).pow(3).sum() + p.masked_select(p > 1).exp().sum()
loss.backward()
emit("MaskLoss", loss)
emit("MaskGrad", p.grad)

# 3. indexing with autograd
p = x.clone().requires_grad_()
q = p * 1
q[:, 0] = 0
r = q[q > 0.2].sum() + q[1].pow(2).sum() + q[None, ..., -1].exp().sum() + q[::2, 1:3].sum() * 3 + q[torch.tensor([2, 0, 2])].sum()
r.backward()
emit("IndexLoss", r)
emit("IndexGrad", p.grad)
v = torch.tensor([5.0, 6.0], requires_grad=True)
q = p.detach() * 1
q.index_put_((torch.tensor([0, 2]), torch.tensor([1, 3])), v)
(q * q).sum().backward()
emit("IndexPutValues", q)
emit("IndexPutGradV", v.grad)
