#pragma once
// One progress line per epoch: a bar redrawn in place on a terminal, plain lines otherwise.
#include <chrono>
#include <cstdint>
#include <string>

namespace xg::train {

class Progress {
 public:
  Progress(std::int64_t epoch, std::int64_t epochs, std::int64_t steps, std::int64_t samples_per_step, bool quiet);
  void update(std::int64_t step, double loss);  // step counts from 1
  void finish(const std::string& summary);

 private:
  std::int64_t epoch_, epochs_, steps_, per_step_;
  bool tty_, quiet_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace xg::train
