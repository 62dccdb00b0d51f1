#!/usr/bin/python3
"""Expected numbers for tests/test_optim*.cpp, computed with PyTorch (Debian's python3-torch,
1.13) in float64, or from the formulas in plain Python where PyTorch has no such rule (the
lecture's EMA momentum, Adam with eps inside the square root, the inverse-time decay, the EMA).

Run: /usr/bin/python3 tests/reference/optim_reference.py
and paste the printed C++ initializers into the tests (the test suite does not need PyTorch).

The small fixed problem (also in tests/check.h, `xgt::problem_loss`):
    theta0 = [0.5, -1.5, 2.0]
    L(theta) = sum(0.5 * a * (theta - c)**2) + 0.05 * sum(theta**4),  a = [1, 10, 0.5], c = [1, -2, 0.5]
Each trajectory is theta after each of 6 steps.
"""
import math
import torch

torch.set_default_dtype(torch.float64)
A = torch.tensor([1.0, 10.0, 0.5])
C = torch.tensor([1.0, -2.0, 0.5])
THETA0 = [0.5, -1.5, 2.0]
STEPS = 6


def loss_fn(theta):
    return (0.5 * A * (theta - C) ** 2).sum() + 0.05 * (theta ** 4).sum()


def grad_of(theta_list):
    t = torch.tensor(theta_list, requires_grad=True)
    loss_fn(t).backward()
    return t.grad.tolist()


def fmt(v):
    return "{" + ", ".join(repr(float(x)) for x in v) + "}"


def emit(name, rows):
    print(f"// {name}")
    print("{" + ",\n ".join(fmt(r) for r in rows) + "},")


def torch_run(make_opt, steps=STEPS):
    theta = torch.tensor(THETA0, requires_grad=True)
    opt = make_opt([theta])
    rows = []
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(theta).backward()
        opt.step()
        rows.append(theta.detach().tolist())
    return rows


print("// ===== optimizers on the fixed problem (PyTorch, float64) =====")
O = torch.optim
emit("SGD lr=0.1", torch_run(lambda p: O.SGD(p, lr=0.1)))
emit("SGD lr=0.05 momentum=0.9", torch_run(lambda p: O.SGD(p, lr=0.05, momentum=0.9)))
emit("SGD lr=0.05 momentum=0.9 dampening=0.3 weight_decay=0.1",
     torch_run(lambda p: O.SGD(p, lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.1)))
emit("SGD lr=0.05 momentum=0.8 nesterov weight_decay=0.1",
     torch_run(lambda p: O.SGD(p, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)))
emit("Adam lr=0.1", torch_run(lambda p: O.Adam(p, lr=0.1)))
emit("Adam lr=0.1 betas=(0.8,0.9) eps=1e-3 weight_decay=0.1 amsgrad",
     torch_run(lambda p: O.Adam(p, lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1, amsgrad=True)))
emit("AdamW lr=0.1 (weight_decay 1e-2 default)", torch_run(lambda p: O.AdamW(p, lr=0.1)))
emit("AdamW lr=0.1 weight_decay=0.5 amsgrad", torch_run(lambda p: O.AdamW(p, lr=0.1, weight_decay=0.5, amsgrad=True)))
emit("RMSprop lr=0.01", torch_run(lambda p: O.RMSprop(p, lr=0.01)))
emit("RMSprop lr=0.01 alpha=0.9 eps=1e-4 weight_decay=0.1 momentum=0.5 centered",
     torch_run(lambda p: O.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-4, weight_decay=0.1, momentum=0.5, centered=True)))
emit("Adagrad lr=0.1", torch_run(lambda p: O.Adagrad(p, lr=0.1)))
emit("Adagrad lr=0.1 lr_decay=0.1 weight_decay=0.1 initial_accumulator_value=0.5 eps=1e-6",
     torch_run(lambda p: O.Adagrad(p, lr=0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-6)))


# ----- formulas in plain Python (no PyTorch counterpart) -----
def formula_run(update):
    theta = list(THETA0)
    state = {}
    rows = []
    for t in range(1, STEPS + 1):
        g = grad_of(theta)
        theta = update(theta, g, state, t)
        rows.append(theta)
    return rows


def ema_momentum(lr, beta, bias_correction):
    def upd(theta, g, st, t):
        v = st.get("v", [0.0] * len(theta))
        v = [beta * vi + (1 - beta) * gi for vi, gi in zip(v, g)]
        st["v"] = v
        corr = 1 - beta ** t if bias_correction else 1.0
        return [x - lr * (vi / corr) for x, vi in zip(theta, v)]
    return upd


def adam_eps_inside(lr, b1, b2, eps):
    def upd(theta, g, st, t):
        m = st.get("m", [0.0] * len(theta))
        v = st.get("v", [0.0] * len(theta))
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g)]
        v = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v, g)]
        st["m"], st["v"] = m, v
        mhat = [mi / (1 - b1 ** t) for mi in m]
        vhat = [vi / (1 - b2 ** t) for vi in v]
        return [x - lr * mh / math.sqrt(vh + eps) for x, mh, vh in zip(theta, mhat, vhat)]
    return upd


print("// ===== formulas (plain Python float64) =====")
emit("EMAMomentum lr=0.1 beta=0.9 (v = beta v + (1-beta) g, theta -= lr v)", formula_run(ema_momentum(0.1, 0.9, False)))
emit("EMAMomentum lr=0.1 beta=0.9 bias_correction (theta -= lr v/(1-beta^t))", formula_run(ema_momentum(0.1, 0.9, True)))
emit("Adam lr=0.1 eps=1e-2 eps_inside_sqrt (theta -= lr mhat/sqrt(vhat+eps))", formula_run(adam_eps_inside(0.1, 0.9, 0.999, 1e-2)))

# ----- param groups: two parameters, SGD momentum with per-group lr -----
print("// ===== param groups (PyTorch) =====")
w = torch.tensor([1.0, -1.0], requires_grad=True)
b = torch.tensor([0.5], requires_grad=True)
opt = O.SGD([{"params": [w]}, {"params": [b], "lr": 0.01, "momentum": 0.5}], lr=0.1, momentum=0.9)
rows_w, rows_b = [], []
for _ in range(5):
    opt.zero_grad()
    loss = (w ** 2).sum() * b.sum() + (b ** 2).sum() * 3 + w.sum()
    loss.backward()
    opt.step()
    rows_w.append(w.detach().tolist())
    rows_b.append(b.detach().tolist())
emit("groups: w (lr 0.1, momentum 0.9); loss = sum(w^2)*b + 3 b^2 + sum(w)", rows_w)
emit("groups: b (lr 0.01, momentum 0.5)", rows_b)


# ----- schedulers: lr after each of 10 scheduler steps (base lr 0.1; index 0 = after construction) -----
def sched_run(make, n=10, lrs=(0.1,)):
    ps = [torch.zeros(1, requires_grad=True) for _ in lrs]
    opt = O.SGD([{"params": [p], "lr": lr} for p, lr in zip(ps, lrs)], lr=lrs[0])
    s = make(opt)
    out = [s.get_last_lr()[0]]
    for _ in range(n):
        opt.step()
        s.step()
        out.append(s.get_last_lr()[0])
    return out


S = torch.optim.lr_scheduler
print("// ===== schedulers (PyTorch): lr at epochs 0..10, base lr 0.1 =====")
emit("StepLR step_size=3 gamma=0.5", [sched_run(lambda o: S.StepLR(o, 3, 0.5))])
emit("MultiStepLR milestones={2,5,5,8} gamma=0.5", [sched_run(lambda o: S.MultiStepLR(o, [2, 5, 5, 8], 0.5))])
emit("ExponentialLR gamma=0.9", [sched_run(lambda o: S.ExponentialLR(o, 0.9))])
emit("CosineAnnealingLR T_max=4 eta_min=0.01", [sched_run(lambda o: S.CosineAnnealingLR(o, 4, 0.01))])
emit("LambdaLR 0.95^epoch", [sched_run(lambda o: S.LambdaLR(o, lambda e: 0.95 ** e))])
emit("InverseTimeLR decay=0.5 (formula 0.1/(1+0.5 e))", [[0.1 / (1 + 0.5 * e) for e in range(11)]])


def plateau_run(metrics, **kw):
    p = torch.zeros(1, requires_grad=True)
    opt = O.SGD([p], lr=0.1)
    s = S.ReduceLROnPlateau(opt, **kw)
    out = []
    for m in metrics:
        s.step(m)
        out.append(opt.param_groups[0]["lr"])
    return out


M1 = [1.0, 0.9, 0.9, 0.8999, 0.91, 0.95, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9]
M2 = [0.1, 0.2, 0.25, 0.29, 0.3, 0.31, 0.305, 0.3, 0.2, 0.1, 0.32, 0.3]
print("// ===== ReduceLROnPlateau (PyTorch): lr after each step =====")
print("// metrics M1 =", fmt(M1), " M2 =", fmt(M2))
emit("M1 mode=min patience=2 (rel 1e-4)", [plateau_run(M1, patience=2)])
emit("M1 mode=min patience=1 cooldown=2 factor=0.5 min_lr=0.02", [plateau_run(M1, patience=1, cooldown=2, factor=0.5, min_lr=0.02)])
emit("M1 mode=min threshold_mode=abs threshold=0.05 patience=1", [plateau_run(M1, threshold_mode="abs", threshold=0.05, patience=1)])
emit("M2 mode=max patience=1 factor=0.5", [plateau_run(M2, mode="max", patience=1, factor=0.5)])
emit("M2 mode=max threshold_mode=abs threshold=0.02 patience=0 factor=0.5 eps=0.02",
     [plateau_run(M2, mode="max", threshold_mode="abs", threshold=0.02, patience=0, factor=0.5, eps=0.02)])

# ----- gradient clipping -----
print("// ===== clip_grad_norm_ (PyTorch): grads g1 = [3, -4], g2 = [[1, 2], [-2, 0.5]] =====")
for norm_type, max_norm in [(2.0, 1.0), (1.0, 2.0), (float("inf"), 1.5), (3.0, 2.0), (2.0, 100.0)]:
    p1 = torch.zeros(2, requires_grad=True)
    p2 = torch.zeros(2, 2, requires_grad=True)
    p1.grad = torch.tensor([3.0, -4.0])
    p2.grad = torch.tensor([[1.0, 2.0], [-2.0, 0.5]])
    total = torch.nn.utils.clip_grad_norm_([p1, p2], max_norm, norm_type=norm_type)
    print(f"// norm_type={norm_type} max_norm={max_norm}: total, g1, g2")
    print("{" + repr(float(total)) + ", " + fmt(p1.grad.tolist()) + ", " + fmt(p2.grad.flatten().tolist()) + "},")

# ----- EMA of a scalar series -----
Y = [1.0, 2.0, 0.0, 4.0, 3.0]
v, raw, cor = 0.0, [], []
for t, y in enumerate(Y, 1):
    v = 0.8 * v + 0.2 * y
    raw.append(v)
    cor.append(v / (1 - 0.8 ** t))
print("// ===== ExponentialMovingAverage beta=0.8 of", fmt(Y), "(formula) =====")
emit("raw", [raw])
emit("bias-corrected", [cor])
