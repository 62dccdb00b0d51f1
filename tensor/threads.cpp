#include "tensor/threads.h"

#include <cblas.h>
#include <fmt/format.h>

#include <algorithm>

#include "tensor/errors.h"

namespace xg {

void set_num_threads(int n) {
  if (n < 1) throw ValueError(fmt::format("set_num_threads: the number of threads must be at least 1, got {}", n));
  openblas_set_num_threads(n);
}

int get_num_threads() { return std::max(1, openblas_get_num_threads()); }

namespace kernel {
int num_threads() { return get_num_threads(); }
}  // namespace kernel

}  // namespace xg
