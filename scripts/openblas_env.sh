# Sourced by scripts/run.sh and bench/run.sh. Debian 12's OpenBLAS (0.3.21) does not recognise AMD
# Zen 4/5 and runs its AVX2 (Haswell) kernels there although the CPU has AVX-512; its SkylakeX
# kernels run sgemm about 1.5x faster on such a CPU. Intel CPUs with AVX-512 are detected
# correctly and left alone, and a value the user set is kept.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -q -m1 AuthenticAMD /proc/cpuinfo 2>/dev/null; then
  flags=$(grep -m1 '^flags' /proc/cpuinfo)
  if [[ $flags == *avx512f* && $flags == *avx512bw* && $flags == *avx512dq* && $flags == *avx512vl* ]]; then
    export OPENBLAS_CORETYPE=SkylakeX
  fi
  unset flags
fi
# OpenBLAS's idle threads spin for 2^28 cycles (about 0.1 s) after each product and take a core
# from xgrad's own parallel loops (im2col, element-wise ops, pools) in between; 2^18 cycles keeps
# back-to-back GEMMs warm without that.
export OPENBLAS_THREAD_TIMEOUT=${OPENBLAS_THREAD_TIMEOUT:-18}
