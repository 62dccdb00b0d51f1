#!/usr/bin/env bash
# The README's two commands:
#   bash scripts/run.sh        install what is missing, build, run the main job
#   bash scripts/run.sh test   install what is missing, build, run the whole test suite
# and one more that CI runs after the test command:
#   bash scripts/run.sh sanitize   the whole test suite built with ASan + UBSan + LSan (build-asan/)
# Re-runnable: installed packages are skipped and the build is incremental.
set -euo pipefail
mode=${1:-run}
cd "$(dirname "$0")/.."

packages=(g++ cmake make pkg-config libxtensor-dev xtl-dev libxsimd-dev libopenblas-dev doctest-dev libfmt-dev
          zlib1g-dev nlohmann-json3-dev libcli11-dev dataset-fashion-mnist gnuplot-nox)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null; then
    as_root=(sudo)
  else
    echo "error: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "$mode" = sanitize ]; then
  echo "== building with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXGRAD_SANITIZE=ON -DXGRAD_BUILD_BENCH=OFF > /dev/null
  cmake --build build-asan -j"$(nproc)"
  echo "== running the test suite under the sanitizers"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$(nproc)" -E install_and_find_package
  exit 0
fi

echo "== building (build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j"$(nproc)"

case "$mode" in
  run)
    echo "== training an MLP on Fashion-MNIST (build/examples/train/xgrad-train --help for options)"
    ./build/examples/train/xgrad-train --out runs/fashion-mnist
    ;;
  test)
    echo "== running the test suite"
    ctest --test-dir build --output-on-failure -j"$(nproc)"
    ;;
  *)
    echo "usage: $0 [run|test|sanitize]" >&2
    exit 2
    ;;
esac
