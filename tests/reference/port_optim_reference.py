#!/usr/bin/python3
"""Expected parameters for tests/port/port_optim.cpp (the shape of LibTorch's own optimizer test,
test/cpp/api/optim.cpp "ProducesPyTorchValues": a 2-3-1 sigmoid network in float64 with fixed
parameters, loss = output.sum() on a fixed input, one optimizer step per iteration).

Run: /usr/bin/python3 tests/reference/port_optim_reference.py  (Debian's python3-torch)
and paste the printed C++ initializers into port_optim.cpp.
"""
import torch

torch.set_default_dtype(torch.float64)
W0 = [-0.21, -0.5, -0.14, -0.34, -0.25, 0.7]
B0 = [-0.11, -0.3, 0.69]
W2 = [-0.05, -0.39, -0.28]
B2 = [-0.07]
SAMPLES = [0, 10, 100, 500]

OPTIMIZERS = [
    ("sgd", lambda p: torch.optim.SGD(p, lr=0.1)),
    ("sgd_momentum_wd", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-2)),
    ("sgd_nesterov", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-6)),
    ("adam", lambda p: torch.optim.Adam(p, lr=1.0)),
    ("adam_amsgrad_wd", lambda p: torch.optim.Adam(p, lr=1.0, weight_decay=1e-6, amsgrad=True)),
    ("adagrad_lr_decay", lambda p: torch.optim.Adagrad(p, lr=1.0, weight_decay=1e-6, lr_decay=1e-3)),
    ("rmsprop_centered_momentum", lambda p: torch.optim.RMSprop(p, lr=0.1, weight_decay=1e-6, centered=True, momentum=0.9)),
    # The rest of LibTorch's ProducesPyTorchValues configurations.
    ("sgd_wd", lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=1e-2)),
    ("adam_wd", lambda p: torch.optim.Adam(p, lr=1.0, weight_decay=1e-2)),
    ("adamw", lambda p: torch.optim.AdamW(p, lr=1.0)),
    ("adamw_no_wd", lambda p: torch.optim.AdamW(p, lr=1.0, weight_decay=0)),
    ("adamw_amsgrad", lambda p: torch.optim.AdamW(p, lr=1.0, amsgrad=True)),
    ("adagrad", lambda p: torch.optim.Adagrad(p, lr=1.0)),
    ("adagrad_wd", lambda p: torch.optim.Adagrad(p, lr=1.0, weight_decay=1e-2)),
    ("rmsprop", lambda p: torch.optim.RMSprop(p, lr=0.1)),
    ("rmsprop_wd", lambda p: torch.optim.RMSprop(p, lr=0.1, weight_decay=1e-2)),
    ("rmsprop_wd_centered", lambda p: torch.optim.RMSprop(p, lr=0.1, weight_decay=1e-6, centered=True)),
    # LBFGS's closure returns a constant as in LibTorch's test; the gradients are those of the
    # backward before step().
    ("lbfgs", lambda p: torch.optim.LBFGS(p, lr=1.0)),
    ("lbfgs_strong_wolfe", lambda p: torch.optim.LBFGS(p, lr=1.0, line_search_fn="strong_wolfe")),
]

for name, make in OPTIMIZERS:
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sigmoid(), torch.nn.Linear(3, 1), torch.nn.Sigmoid())
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor(W0).reshape(3, 2))
        model[0].bias.copy_(torch.tensor(B0))
        model[2].weight.copy_(torch.tensor(W2).reshape(1, 3))
        model[2].bias.copy_(torch.tensor(B2))
    opt = make(model.parameters())
    x = torch.tensor([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]).reshape(3, 2)
    rows = []
    for i in range(SAMPLES[-1] + 1):
        opt.zero_grad()
        model(x).sum().backward()
        if name.startswith("lbfgs"):
            opt.step(lambda: torch.tensor(10.0))
        else:
            opt.step()
        if i in SAMPLES:
            flat = torch.cat([p.detach().flatten() for p in model.parameters()])
            rows.append("{" + ", ".join(repr(float(v)) for v in flat) + "}")
    print(f'    {{"{name}", {{' + ",\n      ".join(rows) + "}},")
