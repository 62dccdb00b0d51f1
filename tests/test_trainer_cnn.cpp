// xgrad-train --model cnn on a tiny synthetic dataset of 4 x 4 images: the options parse, the
// network is conv blocks then the dense head, a run learns, and a resumed run with --augment
// repeats the uninterrupted one bit for bit.
#include <filesystem>

#include "check.h"
#include "config.h"
#include "model.h"
#include "train.h"

namespace fs = std::filesystem;
using xg::train::Config;

namespace {
Config tiny_cnn(const std::string& name) {
  Config c;
  c.model = "cnn";
  c.channels = {4};
  c.synthetic = 400;
  c.hidden = {16};
  c.epochs = 3;
  c.batch_size = 16;
  c.lr = 1e-2;
  c.quiet = true;
  c.out = (fs::temp_directory_path() / ("xgrad_trainer_cnn_test_" + name)).string();
  fs::remove_all(c.out);
  return c;
}
}  // namespace

TEST_CASE("trainer: --model cnn, --channels and --augment parse; bad values are usage errors") {
  std::vector<const char*> args{"xgrad-train", "--model", "cnn", "--channels", "8", "16", "--augment", "--batch-norm"};
  int code = -1;
  const auto c = xg::train::parse_args(static_cast<int>(args.size()), args.data(), code);
  REQUIRE(c);
  CHECK(c->model == "cnn");
  CHECK(c->channels == std::vector<std::int64_t>{8, 16});
  CHECK(c->augment);
  std::vector<const char*> bad{"xgrad-train", "--model", "resnet"};
  CHECK_FALSE(xg::train::parse_args(static_cast<int>(bad.size()), bad.data(), code));
  CHECK(code != 0);
}

TEST_CASE("trainer: the CNN is Unflatten, conv blocks, Flatten and the dense head, for square images only") {
  Config c = tiny_cnn("shape");
  c.channels = {8, 16};
  c.batch_norm = true;
  const auto net = xg::train::make_cnn(c, 784, 10);
  const auto keys = net->state_dict();
  CHECK(keys.count("conv1.weight"));
  CHECK_FALSE(keys.count("conv1.bias"));  // BatchNorm2d follows: its β is the bias
  CHECK(keys.count("bn2.running_var"));
  CHECK(keys.count("head.fc1.weight"));
  xgt::check_shape(keys.at("head.fc1.weight"), {16, 16 * 7 * 7});
  xgt::check_shape((*net)(xg::randn({3, 784})), {3, 10});
  XGT_CHECK_THROWS_MSG(xg::train::make_cnn(c, 20, 10), xg::ValueError, "square", "20");
  c.channels = {4, 4, 4};
  XGT_CHECK_THROWS_MSG(xg::train::make_cnn(c, 16, 10), xg::ValueError, "--channels", "below one pixel");
}

TEST_CASE("trainer: a CNN run learns, and with --augment a resumed run equals the uninterrupted one") {
  Config c = tiny_cnn("learn");
  const auto d = xg::train::load_data(c);
  CHECK(xg::train::train(c, d, false).best_dev_accuracy > 0.8);
  fs::remove_all(c.out);

  Config straight = tiny_cnn("straight");
  straight.augment = true;  // the crops and flips must resume too
  straight.batch_norm = true;
  straight.schedule = "step";  // cosine's period is the run's length
  straight.epochs = 3;
  xg::train::train(straight, d, false);
  Config first = straight;
  first.out = tiny_cnn("parts").out;
  first.epochs = 2;
  xg::train::train(first, d, false);
  Config second = first;
  second.epochs = 3;
  second.resume = first.out + "/last.safetensors";
  xg::train::train(second, d, false);
  CHECK(xgt::bitwise_equal(xg::load(first.out + "/last.safetensors"), xg::load(straight.out + "/last.safetensors")));
  fs::remove_all(straight.out);
  fs::remove_all(first.out);
}
