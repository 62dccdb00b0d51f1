#!/usr/bin/python3
"""Expected trajectories for NAdam, RAdam and Adamax (tests/test_optim_more.cpp), computed with
PyTorch (Debian's python3-torch, 1.13) in float64 on the optimizer tests' fixed problem (see
optim_reference.py):
    theta0 = [0.5, -1.5, 2.0]
    L(theta) = sum(0.5 * a * (theta - c)**2) + 0.05 * sum(theta**4),  a = [1, 10, 0.5], c = [1, -2, 0.5]
Each trajectory is theta after each step.

Run: /usr/bin/python3 tests/reference/optim_more_reference.py
and paste the printed C++ initializers into the test (the test suite does not need PyTorch).
"""
import torch

torch.set_default_dtype(torch.float64)  # also NAdam's mu_product, created with the default dtype
A = torch.tensor([1.0, 10.0, 0.5])
C = torch.tensor([1.0, -2.0, 0.5])
THETA0 = [0.5, -1.5, 2.0]


def loss_fn(theta):
    return (0.5 * A * (theta - C) ** 2).sum() + 0.05 * (theta ** 4).sum()


def torch_run(make_opt, steps):
    theta = torch.tensor(THETA0, requires_grad=True)
    opt = make_opt([theta])
    rows = []
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(theta).backward()
        opt.step()
        rows.append(theta.detach().tolist())
    return rows


def emit(name, rows):
    print(f"// {name}")
    print("{" + ",\n ".join("{" + ", ".join(repr(float(x)) for x in r) + "}" for r in rows) + "},")


O = torch.optim
emit("NAdam lr=0.1", torch_run(lambda p: O.NAdam(p, lr=0.1), 6))
emit("NAdam lr=0.05 betas=(0.8,0.9) eps=1e-3 weight_decay=0.1 momentum_decay=0.01",
     torch_run(lambda p: O.NAdam(p, lr=0.05, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1, momentum_decay=0.01), 6))
emit("RAdam lr=0.1 (rectified from step 6)", torch_run(lambda p: O.RAdam(p, lr=0.1), 8))
emit("RAdam lr=0.05 betas=(0.8,0.9) eps=1e-3 weight_decay=0.1",
     torch_run(lambda p: O.RAdam(p, lr=0.05, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1), 6))
emit("Adamax lr=0.1", torch_run(lambda p: O.Adamax(p, lr=0.1), 6))
emit("Adamax lr=0.05 betas=(0.8,0.9) eps=1e-3 weight_decay=0.1",
     torch_run(lambda p: O.Adamax(p, lr=0.05, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1), 6))
for name, beta2 in (("RAdam default betas", 0.999), ("RAdam beta2=0.9", 0.9)):
    rho_inf = 2 / (1 - beta2) - 1
    first = next(t for t in range(1, 100) if rho_inf - 2 * t * beta2 ** t / (1 - beta2 ** t) > 5)
    print(f"// {name}: first rectified step {first}")
