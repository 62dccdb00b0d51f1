// Crash safety of xg::save (issue #9): a child process saves a ~12 MB StateDict to one path in a
// loop, alternating two known contents A and B, and the parent SIGKILLs it at random moments.
// After every kill the file must load with xg::load and equal A or B exactly; it may be absent
// only before the first save completed. Kill delays come from a fixed-seed xg::Generator.
#include "check.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xgrad.h"

namespace {

namespace fs = std::filesystem;

// Content k (0 = A, 1 = B): "weights" float32 [3'000'000] (12 MB), "bias" float64 [1000],
// "which" int64 0-d. Every element depends on k, so a mix of A and B is detected.
xg::StateDict make_content(int k) {
  // 12 MB rather than 20: xg::load of a 20 MB file takes ~0.2-0.35 s here (it reads the file
  // through istreambuf_iterator), which would push the 50+ verified loads past 20 s.
  const std::int64_t n = 3'000'000;
  std::vector<float> w(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) w[static_cast<std::size_t>(i)] = static_cast<float>((i * (k ? 7 : 3)) % 1001) - (k ? 0.5f : 0.25f);
  std::vector<double> b(1000);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = (k ? -1.0 : 1.0) * static_cast<double>(i) / 3.0;
  xg::StateDict sd;
  sd["weights"] = xg::from_vector(w, {n});
  sd["bias"] = xg::from_vector(b, {1000});
  sd["which"] = xg::full({}, static_cast<double>(k), xg::kInt64);
  return sd;
}

// The temporary files xg::save leaves behind when killed (<path>.tmp-XXXXXX).
std::size_t count_temporaries(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".tmp-") != std::string::npos) ++n;
  return n;
}

// Saves A, B, A, ... (starting with `first`) to `path` forever, writing one byte to `fd` after
// each completed save. Never returns.
[[noreturn]] void child_loop(const xg::StateDict* contents, int first, const std::string& path, int fd) {
  try {
    for (int k = first;; k ^= 1) {
      xg::save(contents[k], path);
      const char c = static_cast<char>('0' + k);
      if (::write(fd, &c, 1) != 1) ::_exit(4);
    }
  } catch (...) {
    ::_exit(3);
  }
}

}  // namespace

TEST_CASE("crash safety: SIGKILL during xg::save leaves the old or the new file, never a broken one") {
  const auto t0 = std::chrono::steady_clock::now();
  const xgt::TempDir scratch("crash");
  const fs::path& dir = scratch.path;
  const fs::path path = dir / "ckpt.safetensors";
  const xg::StateDict contents[2] = {make_content(0), make_content(1)};
  REQUIRE_FALSE(xgt::bitwise_equal(contents[0], contents[1]));

  // How long one save takes here (to a different file), to spread the kills over a save.
  const fs::path probe = dir / "probe.safetensors";
  const auto p0 = std::chrono::steady_clock::now();
  xg::save(contents[0], probe.string());
  const double save_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - p0).count();
  fs::remove(probe);
  MESSAGE("one 12 MB save: " << save_ms << " ms");
  // Kills spread over about two saves (serialization, write, fsync, rename).
  const double max_delay_ms = std::min(std::max(2.0 * save_ms, 5.0), 250.0);

  xg::Generator gen(20261125);
  const int kills_wanted = 52;
  int kills = 0, loads_verified = 0, absent_before_first = 0, loaded_a = 0, loaded_b = 0, killed_mid_write = 0;
  long long saves_completed = 0;
  double wait_s = 0, load_s = 0, delay_s = 0;
  bool failed = false;
  for (int iter = 0; iter < kills_wanted && !failed; ++iter) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      child_loop(contents, iter & 1, path.string(), fds[1]);
    }
    ::close(fds[1]);
    // Let the child complete 0, 1 or 2 saves first (so both A and B are on disk at some kill
    // however slow the machine is right now), then kill it at a random moment of the next ones.
    const int wait_saves = static_cast<int>(gen.uniform() * 3);
    char done;
    for (int w = 0; w < wait_saves && ::read(fds[0], &done, 1) == 1; ++w) ++saves_completed;
    const double delay_ms = gen.uniform() * max_delay_ms;
    delay_s += delay_ms / 1000;
    std::this_thread::sleep_for(std::chrono::microseconds(static_cast<long long>(delay_ms * 1000)));
    REQUIRE(::kill(pid, SIGKILL) == 0);
    int status = 0;
    const auto w0 = std::chrono::steady_clock::now();
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    wait_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    CHECK_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL),
                  "the child ended on its own (status " << status << ") instead of being killed");
    ++kills;
    // Completed saves reported by the child (the pipe holds one byte per save).
    char buf[256];
    ssize_t got;
    while ((got = ::read(fds[0], buf, sizeof buf)) > 0) saves_completed += got;
    ::close(fds[0]);
    if (count_temporaries(dir) > 0) ++killed_mid_write;

    if (!fs::exists(path)) {
      CHECK_MESSAGE(saves_completed == 0, "file missing after " << saves_completed << " completed saves (kill " << kills
                                                                << ")");
      if (saves_completed != 0) failed = true;
      ++absent_before_first;
      continue;
    }
    xg::StateDict loaded;
    const auto l0 = std::chrono::steady_clock::now();
    try {
      loaded = xg::load(path.string());
    } catch (const std::exception& e) {
      FAIL_CHECK("kill " << kills << " after " << delay_ms << " ms: xg::load failed: " << e.what());
      failed = true;
      continue;
    }
    const bool is_a = xgt::bitwise_equal(loaded, contents[0]), is_b = xgt::bitwise_equal(loaded, contents[1]);
    CHECK_MESSAGE((is_a || is_b), "kill " << kills << ": the file is neither A nor B");
    if (!(is_a || is_b)) failed = true;
    load_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - l0).count();
    loaded_a += is_a;
    loaded_b += is_b;
    ++loads_verified;
    // The temporaries a killed save leaves behind are not the library's to clean (the process is
    // gone); remove them so the next round starts clean.
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().filename().string().find(".tmp-") != std::string::npos) fs::remove(e.path());
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE("kills " << kills << ", loads verified " << loads_verified << " (A " << loaded_a << ", B " << loaded_b
                   << "), absent before the first save " << absent_before_first << ", kills that left a temporary "
                   << killed_mid_write << ", saves completed " << saves_completed << "; " << secs << " s (delays " << delay_s
                   << " s, waiting for the killed child " << wait_s << " s, load + compare " << load_s << " s)");
  CHECK(kills >= 50);
  CHECK(loads_verified >= 40);
  CHECK(loaded_a > 0);
  CHECK(loaded_b > 0);
  std::error_code ec;
  fs::remove_all(dir, ec);
  CHECK_FALSE(fs::exists(dir));
}
