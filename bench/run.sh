#!/usr/bin/env bash
# The benchmark: xgrad against LibTorch on the same workloads, in the same run, alternating.
#   bash bench/run.sh            # full run (about 5 minutes), prints the README's table
#   bash bench/run.sh --rounds 1 # quicker
# Installs libtorch-dev (benchmark only; the library never links it) and linux-perf if missing.
#   bash bench/run.sh --jobs "conv cnn"   # only these workloads (and no compile-time rows)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3
jobs="mlp chain1 chain64 chain1_long:100000 chain1_long:1000000 chain64_long:100000 matmul elementwise fmnist conv cnn"
all_jobs=1
while (($#)); do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --jobs) jobs=$2; all_jobs=0; shift 2 ;;
    *) echo "usage: $0 [--rounds N] [--jobs \"job ...\"]" >&2; exit 2 ;;
  esac
done

need=()
for p in libtorch-dev libbenchmark-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j"$(nproc)" --target xgrad_bench > /dev/null
cmake -S bench/torch -B build/torch_bench -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build/torch_bench -j"$(nproc)" > /dev/null

# Both sides: OpenBLAS's idle threads sleep after 2^18 cycles instead of spinning (see the script).
# OPENBLAS_CORETYPE is left as the machine has it (some machines pin it for correctness).
source scripts/openblas_env.sh
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} OPENBLAS_THREAD_TIMEOUT=$OPENBLAS_THREAD_TIMEOUT"
out=build/bench_results.txt
: > "$out"
X=build/bench/xgrad_bench
T=build/torch_bench/torch_bench
# LibTorch at its best on 2 cores: 1 intra-op thread, OpenBLAS with 2 threads (2/2 oversubscribes).
for ((r = 0; r < rounds; r++)); do
  # workload[:size]; the long chains run once per process (their peak RSS is the chain's)
  for job in $jobs; do
    w=${job%%:*}; size=(); [ "$job" != "$w" ] && size=(--size "${job#*:}")
    reps=5
    case "$w" in fmnist | *_long) reps=1 ;; esac
    OPENBLAS_NUM_THREADS=2 "$T" "$w" --reps $reps --threads 2 "${size[@]}" | sed 's/^/torch 2 /' >> "$out"
    # Convolutions: LibTorch's own parallel kernels may do better with 2 intra-op threads.
    case "$w" in conv | cnn)
      TORCH_INTRA_THREADS=2 OPENBLAS_NUM_THREADS=1 "$T" "$w" --reps $reps --threads 1 | sed 's/^/torch 2i /' >> "$out" ;;
    esac
    OPENBLAS_NUM_THREADS=1 "$X" "$w" --reps $reps --threads 1 "${size[@]}" | sed 's/^/xgrad 1 /' >> "$out"
    OPENBLAS_NUM_THREADS=2 "$X" "$w" --reps $reps --threads 2 "${size[@]}" | sed 's/^/xgrad 2 /' >> "$out"
  done
done

# 8. Compile time of a small user program, and what each links.
if ((all_jobs)); then
tmp=$(mktemp -d)
cat > "$tmp/x.cpp" <<'CPP'
#include <xgrad.h>
int main() { auto x = xg::ones({2, 2}).requires_grad_(); (x * x).sum().backward(); return x.grad().numel() == 4 ? 0 : 1; }
CPP
cat > "$tmp/t.cpp" <<'CPP'
#include <torch/torch.h>
int main() { auto x = torch::ones({2, 2}).requires_grad_(); (x * x).sum().backward(); return x.grad().numel() == 4 ? 0 : 1; }
CPP
t0=$(date +%s.%N); g++ -std=c++20 -O2 -c "$tmp/x.cpp" -I. -o "$tmp/x.o"; t1=$(date +%s.%N)
g++ -std=c++17 -O2 -c "$tmp/t.cpp" -I/usr/include/torch/csrc/api/include -o "$tmp/t.o"; t2=$(date +%s.%N)
echo "xgrad 2 compile time $(awk "BEGIN{print $t1 - $t0}") s" >> "$out"
echo "torch 2 compile time $(awk "BEGIN{print $t2 - $t1}") s" >> "$out"
echo "xgrad 2 library size $(du -bL build/libxgrad.so | cut -f1) B" >> "$out"
tlib=$(find /usr/lib -name 'libtorch_cpu.so*' | head -1)
echo "torch 2 library size $(du -bL "$tlib" | cut -f1) B" >> "$out"
echo "xgrad 2 shared_libs $(ldd build/libxgrad.so | wc -l) n" >> "$out"
echo "torch 2 shared_libs $(ldd "$tlib" | wc -l) n" >> "$out"
rm -rf "$tmp"
fi

/usr/bin/python3 bench/summarize.py "$out" "$rounds"
