#!/usr/bin/python3
"""Loads an xgrad-train MLP checkpoint (best.safetensors) into torch.nn.Sequential and prints its
Fashion-MNIST test accuracy: everything comes from the file (README "Using a checkpoint from
PyTorch"). Needs PyTorch and numpy only (the safetensors format is read by hand).
Usage: /usr/bin/python3 scripts/load_in_pytorch.py runs/fashion-mnist/best.safetensors [data root]
"""
import collections, gzip, json, struct, sys
import numpy as np, torch
from torch import nn

path, root = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist")
raw = open(path, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
meta = header.pop("__metadata__")
dtypes = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
sd = {k: torch.frombuffer(bytearray(raw[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]]),
                          dtype=dtypes[v["dtype"]]).reshape(v["shape"]) for k, v in header.items()}
cfg = json.loads(meta["xgrad.model"])  # {"model": "mlp", "hidden": [...], "activation": ..., ...}
act = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU, "elu": nn.ELU, "leaky_relu": nn.LeakyReLU}
widths, layers = [cfg["in_features"]] + cfg["hidden"], []
for i in range(1, len(widths)):
    layers.append((f"fc{i}", nn.Linear(widths[i - 1], widths[i])))
    if cfg["batch_norm"]: layers.append((f"bn{i}", nn.BatchNorm1d(widths[i])))
    layers.append((f"act{i}", act[cfg["activation"]]()))
    if cfg["dropout"] > 0: layers.append((f"drop{i}", nn.Dropout(cfg["dropout"])))
model = nn.Sequential(collections.OrderedDict(layers + [("out", nn.Linear(widths[-1], cfg["classes"]))]))
model.load_state_dict(sd)
model.eval()

images = np.frombuffer(gzip.open(f"{root}/t10k-images-idx3-ubyte.gz").read(), np.uint8, offset=16).reshape(-1, 784)
labels = torch.from_numpy(np.frombuffer(gzip.open(f"{root}/t10k-labels-idx1-ubyte.gz").read(), np.uint8, offset=8).astype(np.int64))
x = (torch.from_numpy(images / 255.0).float() - float(meta["xgrad.input_mean"])) / float(meta["xgrad.input_std"])
with torch.no_grad():
    print(f"test accuracy {(model(x).argmax(1) == labels).float().mean().item():.4f}")
