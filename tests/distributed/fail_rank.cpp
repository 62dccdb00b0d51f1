// A job in which rank 1 fails while the others wait in an all-reduce for it:
//   raise  rank 1 throws out of the InitGuard's scope (the guard aborts the job)
//   kill   rank 1 is killed (SIGKILL; mpirun ends the others)
//   hang   rank 1 stops communicating (the others' 3-second timeout ends the job)
// failure.sh checks that the job ends quickly with a message saying what happened.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include "distributed/distributed.h"

namespace dist = xg::distributed;

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  try {
    dist::InitGuard mpi(std::chrono::seconds(3));
    xg::Tensor t = xg::ones({4});
    dist::all_reduce(t);  // everyone is up
    if (dist::rank() == 1) {
      if (mode == "raise") throw xg::ValueError("rank 1 fails on purpose");
      if (mode == "kill") std::raise(SIGKILL);
      if (mode == "hang") std::this_thread::sleep_for(std::chrono::hours(1));
    }
    for (int i = 0; i < 1000; ++i) dist::all_reduce(t);
    std::printf("rank %d: all-reduces done, which should not happen\n", dist::rank());
  } catch (const xg::Error& e) {
    std::fprintf(stderr, "rank caught: %s\n", e.what());
    return 1;
  }
  return 0;
}
