#!/usr/bin/env bash
# xgrad against an earlier xgrad: builds BASE (a commit) in a scratch folder and runs the same
# workloads alternately, same settings, ROUNDS times, with this tree's bench/ source built
# against each library; then prints each metric's median for both and their ratio (this ÷ base).
#   bash bench/compare.sh BASE [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
base=$1; rounds=${2:-3}
scratch=/tmp/xgrad-bench-base
rm -rf "$scratch" && mkdir -p "$scratch"
git archive "$base" | tar -x -C "$scratch"
# The base library runs this tree's benchmark program, so workloads added since are measured too.
rm -rf "$scratch/bench" && cp -r bench "$scratch/bench"
cmake -S "$scratch" -B "$scratch/build" -DCMAKE_BUILD_TYPE=Release -DXGRAD_BUILD_TESTS=OFF -DXGRAD_BUILD_EXAMPLES=OFF > /dev/null
cmake --build "$scratch/build" -j"$(nproc)" --target xgrad_bench > /dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j"$(nproc)" --target xgrad_bench > /dev/null
out=build/compare_results.txt
: > "$out"
for ((r = 0; r < rounds; r++)); do
  for job in mlp chain1 chain64 elementwise edge_ops chain1_long:100000; do
    w=${job%%:*}; size=(); [ "$job" != "$w" ] && size=(--size "${job#*:}")
    reps=5; case "$w" in *_long) reps=1 ;; esac
    OPENBLAS_NUM_THREADS=1 "$scratch/build/bench/xgrad_bench" "$w" --reps $reps --threads 1 "${size[@]}" | sed 's/^/base /' >> "$out"
    OPENBLAS_NUM_THREADS=1 build/bench/xgrad_bench "$w" --reps $reps --threads 1 "${size[@]}" | sed 's/^/this /' >> "$out"
  done
done
/usr/bin/python3 - "$out" <<'PY'
import collections, statistics, sys
vals = collections.defaultdict(list)
for line in open(sys.argv[1]):
    parts = line.split()
    side, value, unit = parts[0], parts[-2], parts[-1]
    try:
        vals[(" ".join(parts[1:-2]), unit)].append((side, float(value)))
    except ValueError:
        pass
print(f"{'metric':58} {'base':>12} {'this':>12} {'this/base':>9}")
for (name, unit), xs in vals.items():
    b = [v for s, v in xs if s == "base"]; t = [v for s, v in xs if s == "this"]
    if b and t:
        mb, mt = statistics.median(b), statistics.median(t)
        print(f"{name[:58]:58} {mb:12.4g} {mt:12.4g} {mt / mb if mb else float('nan'):9.3f}  {unit}")
PY
