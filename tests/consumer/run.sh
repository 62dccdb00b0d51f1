#!/usr/bin/env bash
# Usage: run.sh <xgrad build dir> <consumer source dir> [1 if the examples (xgrad-train) are built]
set -euo pipefail
build=$1
src=$2
with_trainer=${3:-0}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cmake --install "$build" --prefix "$scratch/prefix" > /dev/null
cmake -S "$src" -B "$scratch/build" -DCMAKE_PREFIX_PATH="$scratch/prefix" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$scratch/build" > /dev/null
LD_LIBRARY_PATH="$scratch/prefix/lib:${LD_LIBRARY_PATH:-}" "$scratch/build/consumer"
# The installed trainer runs from its prefix without LD_LIBRARY_PATH (install RPATH $ORIGIN/../lib).
if [ "$with_trainer" = 1 ]; then
  help=$(env -u LD_LIBRARY_PATH "$scratch/prefix/bin/xgrad-train" --help)
  grep -q -- "--epochs" <<< "$help" || { echo "installed xgrad-train --help did not print its options"; exit 1; }
  echo "installed xgrad-train --help OK"
fi
