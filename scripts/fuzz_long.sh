#!/usr/bin/env bash
# The long fuzzing runs, outside CI: every libFuzzer harness of tests/fuzz for MINUTES minutes
# each (default 10), growing the corpora in build-fuzz/corpus/ that later runs start from.
#   bash scripts/fuzz_long.sh [MINUTES]
# Findings (the input and the log) go to build-fuzz/findings/; the summary lists, per harness,
# the executions, the corpus size and the peak memory.
set -euo pipefail
minutes=${1:-10}
cd "$(dirname "$0")/.."
status=0
bash scripts/run.sh fuzz "$((minutes * 60))" || status=$?
echo "== long fuzzing, $minutes min per harness"
for log in build-fuzz/findings/*.log; do
  case "$log" in *-replay.log) continue ;; esac
  h=$(basename "$log" .log)
  execs=$(grep -m1 "^stat::number_of_executed_units" "$log" | awk '{print $2}')
  rss=$(grep -m1 "^stat::peak_rss_mb" "$log" | awk '{print $2}')
  corpus=$(find "build-fuzz/corpus/$h" -type f 2>/dev/null | wc -l)
  echo "$h: ${execs:-?} executions, corpus of $corpus inputs, peak RSS ${rss:-?} MB"
done
exit "$status"
