#!/usr/bin/env bash
# Usage: failure.sh MPIRUN FAIL_RANK_BINARY MODE
# Runs fail_rank on 3 ranks and checks that the job fails (never hangs: 90 s hard limit, 30 s
# expected) with the message that names what happened.
set -uo pipefail
mpirun=$1 bin=$2 mode=$3
case "$mode" in
  raise) want="rank 1 is leaving on an exception" ;;
  kill) want="exited on signal 9" ;;
  hang) want="did not complete within 3000 ms" ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
start=$(date +%s)
out=$(timeout 90 "$mpirun" -np 3 --oversubscribe "$bin" "$mode" 2>&1)
rc=$?
elapsed=$(( $(date +%s) - start ))
echo "$out" | tail -20
echo "== exit code $rc after $elapsed s"
if [ "$rc" -eq 124 ]; then echo "FAIL: the job hung (killed by timeout after 90 s)"; exit 1; fi
if [ "$rc" -eq 0 ]; then echo "FAIL: the job succeeded although rank 1 failed"; exit 1; fi
if ! grep -qF "$want" <<< "$out"; then echo "FAIL: no '$want' in the output"; exit 1; fi
if grep -q "should not happen" <<< "$out"; then echo "FAIL: a rank finished its all-reduces"; exit 1; fi
if [ "$elapsed" -gt 30 ]; then echo "FAIL: took $elapsed s"; exit 1; fi
echo "OK: the job ended in $elapsed s with '$want'"
