// The trainer's pieces on a tiny synthetic dataset: option parsing, metrics file, checkpoints,
// bit-for-bit resume, the NaN stop, the sweep's dev-only discipline.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "check.h"
#include "config.h"
#include "report.h"
#include "train.h"

namespace fs = std::filesystem;
using xg::train::Config;

namespace {
std::optional<Config> parse(std::vector<const char*> args, int& code) {
  args.insert(args.begin(), "xgrad-train");
  return xg::train::parse_args(static_cast<int>(args.size()), args.data(), code);
}

Config tiny(const std::string& name) {
  Config c;
  c.synthetic = 400;
  c.hidden = {16};
  c.epochs = 3;
  c.batch_size = 16;
  c.lr = 1e-2;
  c.quiet = true;
  c.out = (fs::temp_directory_path() / ("xgrad_trainer_test_" + name)).string();
  fs::remove_all(c.out);
  return c;
}
}  // namespace

TEST_CASE("trainer: options parse with defaults, values and clear errors") {
  int code = -1;
  auto c = parse({}, code);
  REQUIRE(c);
  CHECK(code == 0);
  CHECK(c->optimizer == "adam");
  CHECK(c->hidden == std::vector<std::int64_t>{512, 256});
  c = parse({"--lr", "0.05", "--hidden", "64", "32", "16", "--optimizer", "momentum", "--batch-norm", "--dropout", "0.5"}, code);
  REQUIRE(c);
  CHECK(c->lr == 0.05);
  CHECK(c->hidden == std::vector<std::int64_t>{64, 32, 16});
  CHECK(c->optimizer == "momentum");
  CHECK(c->batch_norm);
  CHECK(c->dropout == 0.5);
  CHECK_FALSE(parse({"--optimizer", "lbfgs"}, code));
  CHECK(code != 0);
  CHECK_FALSE(parse({"--lr", "-1"}, code));
  CHECK(code != 0);
  CHECK_FALSE(parse({"--dropout", "1.5"}, code));
  CHECK(code != 0);
}

TEST_CASE("trainer: a run writes metrics, checkpoints and a report, and learns") {
  Config c = tiny("run");
  const auto data = xg::train::load_data(c);
  const auto r = xg::train::train(c, data, /*evaluate_test=*/true);
  CHECK_FALSE(r.stopped);
  const auto rows = xg::train::read_metrics(c.out + "/metrics.csv");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].epoch == 1);
  CHECK(rows[2].train_loss < rows[0].train_loss);
  CHECK(r.best_dev_accuracy > 0.8);
  CHECK(r.test_accuracy > 0.8);
  CHECK(fs::exists(c.out + "/best.safetensors"));
  CHECK(fs::exists(c.out + "/last.safetensors"));
  std::ifstream report(c.out + "/report.txt");
  const std::string text((std::istreambuf_iterator<char>(report)), std::istreambuf_iterator<char>());
  CHECK(text.find("test accuracy") != std::string::npos);
  CHECK(text.find("confusion matrix") != std::string::npos);
  CHECK(xg::train::evaluate_checkpoint(c, data, c.out + "/last.safetensors") == doctest::Approx(xg::train::evaluate_checkpoint(c, data, c.out + "/last.safetensors")));
  fs::remove_all(c.out);
}

TEST_CASE("trainer: stopping and resuming gives the same model bit for bit") {
  Config c = tiny("resume_full");
  c.epochs = 4;
  c.dropout = 0.3;  // the dropout masks' generator must resume too
  c.batch_norm = true;
  c.schedule = "step";
  c.step_size = 2;
  const auto data = xg::train::load_data(c);
  xg::train::train(c, data, false);
  const xg::StateDict straight = xg::load(c.out + "/last.safetensors");

  Config first = c;
  first.out = tiny("resume_parts").out;
  first.epochs = 2;
  xg::train::train(first, data, false);
  Config second = first;
  second.epochs = 4;
  second.resume = first.out + "/last.safetensors";
  xg::train::train(second, data, false);
  const xg::StateDict resumed = xg::load(first.out + "/last.safetensors");
  REQUIRE(resumed.size() == straight.size());
  for (const auto& [name, t] : straight) {
    CAPTURE(name);
    CHECK(xg::equal(t, resumed.at(name)));
  }
  CHECK(xg::train::read_metrics(first.out + "/metrics.csv").size() == 4);
  fs::remove_all(c.out);
  fs::remove_all(first.out);
}

TEST_CASE("trainer: a NaN/Inf loss stops the run and names where") {
  Config c = tiny("nan");
  c.optimizer = "sgd";
  c.lr = 1e30;
  c.momentum = 0;
  const auto data = xg::train::load_data(c);
  const auto r = xg::train::train(c, data, true);
  CHECK(r.stopped);
  CHECK(r.test_accuracy == -1);  // never reached the test set
  fs::remove_all(c.out);
}

TEST_CASE("trainer: the sweep scores on dev only and tests the retrained best once") {
  Config c = tiny("sweep");
  c.sweep_lr = {1e-5, 1e-2};
  c.sweep_l2 = {0};
  c.sweep_dropout = {0};
  c.sweep_batch = {16};
  c.sweep_epochs = 2;
  c.epochs = 2;
  const auto data = xg::train::load_data(c);
  const auto r = xg::train::sweep(c, data);
  CHECK(r.test_accuracy > 0.5);
  std::ifstream table(c.out + "/sweep.txt");
  std::string header, best;
  std::getline(table, header);
  std::getline(table, best);
  CHECK(best.rfind("0.01", 0) == 0);  // the larger lr wins on dev in 2 epochs
  CHECK_FALSE(fs::exists(c.out + "/sweep/00/report.txt"));  // no trial looked at the test set
  CHECK(fs::exists(c.out + "/best/report.txt"));
  fs::remove_all(c.out);
}

TEST_CASE("trainer: confusion matrix counts by hand") {
  const auto cm = xg::train::confusion_matrix(xg::from_vector(std::vector<std::int64_t>{0, 1, 1, 2}, {4}),
                                              xg::from_vector(std::vector<std::int64_t>{0, 1, 2, 2}, {4}), 3);
  CHECK(cm == std::vector<std::vector<std::int64_t>>{{1, 0, 0}, {0, 1, 1}, {0, 0, 1}});
}

TEST_CASE("trainer: SIGINT leaves a resumable checkpoint") {
  Config c = tiny("sigint");
  c.epochs = 1000;  // runs until interrupted
  const std::string last = c.out + "/last.safetensors";
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    xg::train::install_interrupt_handler();
    const auto data = xg::train::load_data(c);
    const auto r = xg::train::train(c, data, false);
    _exit(r.stopped ? 0 : 1);
  }
  // Interrupt once at least one epoch has been written, i.e. mid-run.
  for (int i = 0; i < 400 && xg::train::read_metrics(c.out + "/metrics.csv").size() < 2; ++i) usleep(25000);
  REQUIRE(kill(child, SIGINT) == 0);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);  // stopped cleanly, not killed by the signal
  REQUIRE(fs::exists(last));
  const xg::StateDict saved = xg::load(last);
  const auto done = saved.at("trainer.epoch").item<std::int64_t>();
  CHECK(done >= 2);
  // Resume from it for one more epoch.
  Config more = c;
  more.epochs = done + 1;
  more.resume = last;
  const auto data = xg::train::load_data(more);
  const auto r = xg::train::train(more, data, false);
  CHECK_FALSE(r.stopped);
  CHECK(xg::load(last).at("trainer.epoch").item<std::int64_t>() == done + 1);
  fs::remove_all(c.out);
}

TEST_CASE("trainer: resuming from another model's or a foreign checkpoint is a clear error that leaves the file alone") {
  Config c = tiny("resume_wrong");
  c.epochs = 1;
  const auto data = xg::train::load_data(c);
  xg::train::train(c, data, false);
  const std::string last = c.out + "/last.safetensors";
  const xg::StateDict before = xg::load(last);

  Config other = c;
  other.hidden = {24};  // another model: its shapes do not match the checkpoint's
  other.epochs = 2;
  other.resume = last;
  XGT_CHECK_THROWS_MSG(xg::train::train(other, data, false), xg::ValueError, "load_state_dict", "[24");
  const xg::StateDict after = xg::load(last);
  REQUIRE(after.size() == before.size());
  for (const auto& [name, t] : before) CHECK(xg::equal(t, after.at(name)));

  const std::string foreign = c.out + "/foreign.safetensors";
  xg::save(xg::StateDict{{"w", xg::zeros({2})}}, foreign);
  Config f = c;
  f.epochs = 2;
  f.resume = foreign;
  XGT_CHECK_THROWS_MSG(xg::train::train(f, data, false), xg::FormatError, "--resume", "trainer.epoch",
                       "not a checkpoint written by xgrad-train");
  fs::remove_all(c.out);
}
