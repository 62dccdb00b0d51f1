// The multi-rank suite: every rank runs every test case; mpirun's exit code is non-zero when
// any rank fails. A short timeout turns a mismatch between ranks into an error, not a hang.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <chrono>

#include "distributed/distributed.h"

int main(int argc, char** argv) {
  xg::distributed::InitGuard mpi(std::chrono::seconds(60));
  doctest::Context context(argc, argv);
  const int failed = context.run();
  // Every rank reports success only when all did.
  xg::Tensor f = xg::from_vector(std::vector<std::int64_t>{failed ? 1 : 0}, xg::Shape{1});
  xg::distributed::all_reduce(f, xg::distributed::ReduceOp::MAX);
  return f.item<std::int64_t>() != 0 ? 1 : 0;
}
