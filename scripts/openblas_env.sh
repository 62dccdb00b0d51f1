# Sourced by scripts/run.sh and bench/run.sh. OpenBLAS's idle threads spin for 2^28 cycles
# (about 0.1 s) after each product and take a core from xgrad's own parallel loops (im2col,
# element-wise ops, pools) in between; 2^18 cycles keeps back-to-back GEMMs warm without that.
# A value the user set is kept.
export OPENBLAS_THREAD_TIMEOUT=${OPENBLAS_THREAD_TIMEOUT:-18}
