#pragma once
// The number of threads xgrad's kernels use: OpenBLAS's GEMMs and the library's own parallel
// loops (element-wise ops, reductions, convolutions) share one setting, as LibTorch's
// torch::set_num_threads sets its intra-op pool.
namespace xg {

// n >= 1, else ValueError. Affects the whole process.
void set_num_threads(int n);
int get_num_threads();

}  // namespace xg
