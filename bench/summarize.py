#!/usr/bin/python3
"""Medians of bench/run.sh's measurements as the README's Markdown table."""
import collections
import datetime
import os
import statistics
import subprocess
import sys

path, rounds = sys.argv[1], sys.argv[2]
values = collections.defaultdict(list)
units = {}
for line in open(path):
    parts = line.split()
    if len(parts) != 6:
        continue
    lib, threads, workload, metric, value, unit = parts
    values[(workload, metric, lib, threads)].append(float(value))
    units[(workload, metric)] = unit

def med(workload, metric, lib, threads):
    v = values.get((workload, metric, lib, threads))
    return statistics.median(v) if v else None

rows = []
seen = []
for (workload, metric, lib, threads) in values:
    if (workload, metric) not in seen and metric != "openblas_time":
        seen.append((workload, metric))
higher_is_better = {"bandwidth", "gflops", "fwd_gflops", "fwd_bwd_gflops"}
for workload, metric in seen:
    # LibTorch's best setting for this row: "2" (1 intra-op thread, 2 OpenBLAS threads) or "2i"
    # (2 intra-op threads, 1 OpenBLAS thread; run for the convolution rows)
    ts = [v for v in (med(workload, metric, "torch", "2"), med(workload, metric, "torch", "2i")) if v is not None]
    t = (max(ts) if metric in higher_is_better else min(ts)) if ts else None
    x1 = med(workload, metric, "xgrad", "1")
    x2 = med(workload, metric, "xgrad", "2")
    ob = med(workload, "openblas_time", "xgrad", "2")
    unit = units[(workload, metric)]
    def f(v):
        return "–" if v is None else (f"{v:.4g}")
    best = min(v for v in (x1, x2) if v is not None) if metric not in higher_is_better else max(v for v in (x1, x2) if v is not None)
    ratio = "–" if t is None or best is None else (f"{best / t:.2f}" if metric not in higher_is_better else f"{t / best:.2f}")
    extra = f" (OpenBLAS direct {ob:.4g} ms)" if ob is not None else ""
    rows.append(f"| {workload} | {metric} [{unit}] | {f(x1)} | {f(x2)} | {f(t)} | {ratio} |{extra}")

cpu = subprocess.run("lscpu | grep 'Model name' | cut -d: -f2", shell=True, capture_output=True, text=True).stdout.strip()
flags = [f for f in ("avx2", "avx512f", "fma") if f in open("/proc/cpuinfo").read()]
print(f"Measured {datetime.date.today()} on {os.cpu_count()} cores ({cpu}; {', '.join(flags)}), medians of {rounds} round(s)")
print("with `bash bench/run.sh`. LibTorch 1.13 (Debian) at its best here: 1 intra-op thread,")
print("OpenBLAS with 2 threads (convolution rows: the better of that and 2 intra-op threads). Ratio = xgrad's best / LibTorch (time: lower is better; for bandwidth")
print("it is LibTorch / xgrad, so below 1 is also xgrad winning).\n")
print("| workload | metric | xgrad 1 thread | xgrad 2 threads | LibTorch | ratio |")
print("|---|---|---|---|---|---|")
for r in rows:
    print(r)
