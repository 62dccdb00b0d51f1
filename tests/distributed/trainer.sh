#!/usr/bin/env bash
# Usage: trainer.sh MPIRUN XGRAD_TRAIN SCRATCH
# xgrad-train --distributed on 2 ranks against one process, on the synthetic data without
# dropout (dropout masks are drawn per rank): the same per-epoch losses to float32 rounding, one
# metrics file written by rank 0 only, and a 2-rank resume from rank 0's checkpoint.
set -euo pipefail
mpirun=$1 train=$2 scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch"
common=(--synthetic 1200 --hidden 32 --dropout 0 --batch-size 64 --optimizer sgd --lr 0.05 --schedule none
        --threads 1 --quiet)
"$train" "${common[@]}" --epochs 2 --out "$scratch/one"
timeout 300 "$mpirun" -np 2 --oversubscribe "$train" "${common[@]}" --epochs 2 --distributed --out "$scratch/two"
# Resume the 2-rank run for a third epoch from rank 0's checkpoint.
timeout 300 "$mpirun" -np 2 --oversubscribe "$train" "${common[@]}" --epochs 3 --distributed --out "$scratch/two" \
  --resume "$scratch/two/last.safetensors"
one=$scratch/one/metrics.csv two=$scratch/two/metrics.csv
[ "$(cut -d, -f1 "$one" | tail -n +2 | tr '\n' ' ')" = "1 2 " ] || { echo "FAIL: epochs of one process"; exit 1; }
# One line per epoch: only rank 0 wrote.
[ "$(cut -d, -f1 "$two" | tail -n +2 | tr '\n' ' ')" = "1 2 3 " ] || { echo "FAIL: epochs of 2 ranks"; cat "$two"; exit 1; }
# train_loss, dev_loss, dev_accuracy (columns 2-4) agree to 2e-4 in epochs 1 and 2.
paste -d, <(tail -n +2 "$one") <(tail -n +2 "$two" | head -2) | awk -F, '{
  for (k = 2; k <= 4; ++k) { d = $k - $(k + 6); if (d < 0) d = -d; if (d > 2e-4) { print "FAIL: epoch " $1 " column " k ": " $k " vs " $(k + 6); bad = 1 } }
} END { exit bad }'
echo "OK: 2 ranks match one process"; cat "$one" "$two"
test -f "$scratch/two/best.safetensors"
test -f "$scratch/two/report.txt"
