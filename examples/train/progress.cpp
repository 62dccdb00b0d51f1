#include "progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace xg::train {

Progress::Progress(std::int64_t epoch, std::int64_t epochs, std::int64_t steps, std::int64_t per_step, bool quiet)
    : epoch_(epoch), epochs_(epochs), steps_(steps), per_step_(per_step), tty_(isatty(fileno(stdout)) != 0), quiet_(quiet),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void Progress::update(std::int64_t step, double loss) {
  if (quiet_) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const bool last = step == steps_;
  if (tty_) {
    if (!last && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    const int width = 30;
    const int filled = static_cast<int>(width * step / std::max<std::int64_t>(steps_, 1));
    const double rate = static_cast<double>(step * per_step_) / std::max(elapsed, 1e-9);
    const double eta = elapsed / static_cast<double>(step) * static_cast<double>(steps_ - step);
    std::printf("\repoch %lld/%lld [%s%s] %lld/%lld loss %.4f %.0f samples/s ETA %.0fs   ", static_cast<long long>(epoch_),
                static_cast<long long>(epochs_), std::string(static_cast<std::size_t>(filled), '=').c_str(),
                std::string(static_cast<std::size_t>(width - filled), ' ').c_str(), static_cast<long long>(step),
                static_cast<long long>(steps_), loss, rate, eta);
    std::fflush(stdout);
  } else if (step % std::max<std::int64_t>(steps_ / 4, 1) == 0 && !last) {
    std::printf("epoch %lld/%lld step %lld/%lld loss %.4f (%.0f samples/s)\n", static_cast<long long>(epoch_),
                static_cast<long long>(epochs_), static_cast<long long>(step), static_cast<long long>(steps_), loss,
                static_cast<double>(step * per_step_) / std::max(elapsed, 1e-9));
    std::fflush(stdout);
  }
}

void Progress::finish(const std::string& summary) {
  if (quiet_) return;
  if (tty_) std::printf("\r\033[K");
  std::printf("%s\n", summary.c_str());
  std::fflush(stdout);
}

}  // namespace xg::train
