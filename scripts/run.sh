#!/usr/bin/env bash
# The README's two commands:
#   bash scripts/run.sh        install what is missing, build, run the main job
#   bash scripts/run.sh test   install what is missing, build, run the whole test suite
# and one more that CI runs after the test command:
#   bash scripts/run.sh sanitize   the whole test suite built with ASan + UBSan + LSan (build-asan/)
#   bash scripts/run.sh fuzz [S]   the libFuzzer harnesses, S seconds each (build-fuzz/, clang)
#   (scripts/fuzz_long.sh [MINUTES] runs the same for MINUTES each, outside CI)
# Re-runnable: installed packages are skipped and the build is incremental.
set -euo pipefail
mode=${1:-run}
cd "$(dirname "$0")/.."

packages=(g++ cmake make pkg-config libxtensor-dev xtl-dev libxsimd-dev libopenblas-dev doctest-dev libfmt-dev
          zlib1g-dev nlohmann-json3-dev libcli11-dev dataset-fashion-mnist gnuplot-nox libopenmpi-dev openmpi-bin)
[ "$mode" = fuzz ] && packages+=(clang libclang-rt-dev)
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

if [ "$mode" = fuzz ]; then
  # bash scripts/run.sh fuzz [SECONDS]: each libFuzzer harness of tests/fuzz replays its
  # regression inputs, then fuzzes for SECONDS (default 60) from seeds made from valid files.
  # Inputs are at most 64 KiB, so no allocation may exceed 256 MB (-malloc_limit_mb); the
  # safetensors_expand harness grows its input into headers of up to 4 MiB and gets 1 GB.
  seconds=${2:-60}
  echo "== building the fuzz harnesses with clang + libFuzzer + ASan/UBSan (build-fuzz/)"
  cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXGRAD_FUZZ=ON -DXGRAD_NATIVE=OFF -DXGRAD_MPI=OFF \
    -DXGRAD_BUILD_TESTS=OFF -DXGRAD_BUILD_EXAMPLES=OFF -DXGRAD_BUILD_BENCH=OFF > /dev/null
  cmake --build build-fuzz -j"$(nproc)"
  rm -rf build-fuzz/seeds && build-fuzz/tests/fuzz/fuzz_make_seeds build-fuzz/seeds
  mkdir -p build-fuzz/findings
  for h in idx safetensors load_state_dict safetensors_expand; do
    bin=build-fuzz/tests/fuzz/fuzz_$h
    dict=(); [ "$h" = idx ] || dict=(-dict=tests/fuzz/safetensors.dict)
    if compgen -G "tests/fuzz/regressions/$h/*" > /dev/null; then
      echo "== fuzz_$h: replaying tests/fuzz/regressions/$h"
      "$bin" tests/fuzz/regressions/$h/* > build-fuzz/findings/$h-replay.log 2>&1 ||
        { cat build-fuzz/findings/$h-replay.log >&2; exit 1; }
    fi
    echo "== fuzz_$h: fuzzing for $seconds s"
    mkdir -p build-fuzz/corpus/$h
    log=build-fuzz/findings/$h.log
    malloc_mb=256; [ "$h" = safetensors_expand ] && malloc_mb=1024
    if ! "$bin" build-fuzz/corpus/$h build-fuzz/seeds/$h "${dict[@]}" -max_total_time="$seconds" -max_len=65536 \
        -malloc_limit_mb=$malloc_mb -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix=build-fuzz/findings/$h- > "$log" 2>&1; then
      grep -v "^INFO" "$log" | head -60 >&2
      echo "fuzz_$h found a problem (input and log in build-fuzz/findings/)" >&2
      exit 1
    fi
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)|^#[0-9]+ *DONE" "$log"
  done
  exit 0
fi

if [ "$mode" = sanitize ]; then
  echo "== building with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)"
  # With MPI: the distributed tests run with tests/distributed/lsan_openmpi.supp, which keeps Open MPI's
  # own allocations held until exit out of LSan's report (ctest sets LSAN_OPTIONS for those tests).
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXGRAD_SANITIZE=ON -DXGRAD_BUILD_BENCH=OFF -DXGRAD_MPI=ON > /dev/null
  cmake --build build-asan -j"$(nproc)"
  echo "== running the test suite under the sanitizers"
  # allocator_may_return_null: a refused huge allocation is the library's OutOfMemoryError to raise.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$(nproc)" -E install_and_find_package
  exit 0
fi

echo "== building (build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j"$(nproc)"

case "$mode" in
  run)
    echo "== training an MLP on Fashion-MNIST (build/examples/train/xgrad-train --help for options)"
    source scripts/openblas_env.sh
    ./build/examples/train/xgrad-train --out runs/fashion-mnist
    ;;
  test)
    echo "== running the test suite"
    ctest --test-dir build --output-on-failure -j"$(nproc)"
    ;;
  *)
    echo "usage: $0 [run|test|sanitize|fuzz [SECONDS]]" >&2
    exit 2
    ;;
esac
