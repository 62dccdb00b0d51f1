// The trainer's checkpoints carry the model configuration and the input standardization, so that
// --eval (and a PyTorch user) needs nothing but the file.
#include <filesystem>

#include "check.h"
#include "config.h"
#include "train.h"

namespace fs = std::filesystem;
using xg::train::Config;

TEST_CASE("trainer metadata: best and last checkpoints say how to rebuild and feed the model") {
  Config c;
  c.synthetic = 300;
  c.hidden = {12, 6};
  c.activation = "tanh";
  c.dropout = 0.25;
  c.batch_norm = true;
  c.epochs = 2;
  c.batch_size = 32;
  c.quiet = true;
  c.out = (fs::temp_directory_path() / ("xgrad_trainer_meta_" + std::to_string(::getpid()))).string();
  fs::remove_all(c.out);
  auto d = xg::train::load_data(c);
  d.input_mean = 0.25, d.input_std = 0.5;  // as if the images had been standardized so
  const auto r = xg::train::train(c, d, /*evaluate_test=*/false);
  REQUIRE_FALSE(r.stopped);
  for (const std::string file : {"/best.safetensors", "/last.safetensors"}) {
    CAPTURE(file);
    const auto meta = xg::io::read_safetensors(c.out + file).metadata;
    REQUIRE(meta.count("xgrad.model") == 1);
    CHECK(meta.at("xgrad.model") ==
          R"({"activation":"tanh","batch_norm":true,"channels":[32,64],"classes":10,"dropout":0.25,"hidden":[12,6],"in_features":20,"model":"mlp"})");
    CHECK(meta.at("xgrad.input_mean") == "0.25");
    CHECK(meta.at("xgrad.input_std") == "0.5");
    // A default configuration takes the model from the file.
    const Config back = xg::train::config_from_checkpoint(Config{}, meta);
    CHECK(back.hidden == c.hidden);
    CHECK(back.activation == "tanh");
    CHECK(back.dropout == 0.25);
    CHECK(back.batch_norm);
    CHECK(back.model == "mlp");
  }
  // The keys of the best checkpoint are the model's own (fc1.weight, bn1.running_mean, ..., out.bias).
  const auto sd = xg::load(c.out + "/best.safetensors");
  CHECK(sd.count("fc1.weight") == 1);
  CHECK(sd.count("bn1.running_var") == 1);
  CHECK(sd.count("out.bias") == 1);
  // --eval with nothing but the file and the (synthetic) data option: the model the flags of the
  // training run would build, the same test accuracy.
  Config eval;
  eval.synthetic = c.synthetic;
  eval.quiet = true;
  eval.out = c.out + "/eval";
  const double alone = xg::train::evaluate_checkpoint_alone(eval, c.out + "/best.safetensors");
  Config with_flags = c;
  with_flags.out = c.out + "/eval_flags";
  CHECK(alone == xg::train::evaluate_checkpoint(with_flags, xg::train::load_data(c), c.out + "/best.safetensors"));
  // Without the metadata, the default model (hidden 512 256) does not fit the file.
  xg::save(xg::load(c.out + "/best.safetensors"), c.out + "/bare.safetensors");
  CHECK_THROWS_AS(xg::train::evaluate_checkpoint_alone(eval, c.out + "/bare.safetensors"), xg::Error);

  xg::io::Metadata broken = {{"xgrad.model", "{\"model\": 3}"}};
  XGT_CHECK_THROWS_MSG(xg::train::config_from_checkpoint(Config{}, broken), xg::FormatError, "xgrad.model");
  broken["xgrad.model"] = "not json";
  XGT_CHECK_THROWS_MSG(xg::train::config_from_checkpoint(Config{}, broken), xg::FormatError, "not json");
  CHECK(xg::train::config_from_checkpoint(c, {}).hidden == c.hidden);  // no metadata: unchanged
  fs::remove_all(c.out);
}
