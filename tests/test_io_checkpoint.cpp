// io/: Checkpoint — parts, counters, generator states and metadata in one safetensors file, its
// errors, and a training run resumed from a checkpoint that matches the uninterrupted run bit for
// bit (model + Adam + StepLR + dropout's global RNG + a shuffling DataLoader).
#include "check.h"

#include <filesystem>

#include "data/data.h"
#include "io/io.h"
#include "optim/lr_scheduler.h"
#include "optim/optim.h"

namespace fs = std::filesystem;
namespace nn = xg::nn;
using xg::Tensor;

namespace {
using xgt::bitwise_equal;
using xgt::TempDir;

// fc1 4 → 8, dropout 0.3, fc2 8 → 3.
struct Net : xgt::Net {
  Net() : xgt::Net(4, 8, 3, 0.3) {}
};

// The training state that a checkpoint must capture.
struct Run {
  Net net;
  xg::optim::Adam opt{net.parameters(), xg::optim::AdamOptions(1e-2)};
  xg::optim::StepLR sched{opt, 2, 0.5};
  xg::data::DataLoader loader;
  explicit Run(const xg::data::TensorDataset& ds, std::uint64_t loader_seed)
      : loader(ds, 8, /*shuffle=*/true, /*drop_last=*/false, xg::Generator(loader_seed)) {}
  void train(std::int64_t from, std::int64_t to) {
    for (std::int64_t e = from; e < to; ++e) {
      for (auto [x, y] : loader) {
        Tensor loss = nn::functional::cross_entropy(net(x), y);
        opt.zero_grad();
        loss.backward();
        opt.step();
      }
      sched.step();
    }
  }
};

xg::data::TensorDataset toy_data() {
  xg::Generator g(5);
  Tensor x = xg::randn({30, 4}, {}, &g);
  Tensor y = xg::randint(0, 3, {30}, &g);
  return {x, y};
}
}  // namespace

TEST_CASE("io: checkpoint round trip of parts, counters, generators and metadata") {
  TempDir dir("ckpt_roundtrip");
  xg::manual_seed(3);
  Net net;
  xg::io::Checkpoint ck;
  ck.set("model", net.state_dict());
  ck.set("scheduler", {{"last_epoch", xg::scalar_tensor(4, xg::kInt64)}});
  ck.set("empty", {});
  ck.epoch = 12;
  ck.step = (std::int64_t{1} << 53) + 1;  // not representable as a double
  xg::Generator g(77);
  g.normal();  // leaves a spare normal in the state
  ck.set_generator("loader", g);
  ck.metadata = {{"run", "baseline"}};
  ck.save(dir.file("c.safetensors"));

  const auto back = xg::io::Checkpoint::load(dir.file("c.safetensors"));
  CHECK(back.epoch == 12);
  CHECK(back.step == (std::int64_t{1} << 53) + 1);
  CHECK(back.metadata == xg::io::Metadata{{"run", "baseline"}});
  CHECK(back.has("empty"));
  CHECK(back.get("empty").empty());
  const auto& m = back.get("model");
  REQUIRE(m.size() == 4);
  for (const auto& [k, t] : net.state_dict()) CHECK(bitwise_equal(m.at(k), t));
  CHECK(back.get("scheduler").at("last_epoch").item<std::int64_t>() == 4);
  // The restored generator continues the stream exactly, spare normal included.
  xg::Generator h(1);
  back.restore_generator("loader", h);
  CHECK(h.normal() == g.normal());
  CHECK(h.next_u64() == g.next_u64());
  // It is a plain safetensors file with prefixed keys.
  const auto flat = xg::io::read_safetensors(dir.file("c.safetensors"));
  CHECK(flat.tensors.count("model.fc1.weight") == 1);
  CHECK(flat.tensors.count("scheduler.last_epoch") == 1);
  CHECK(flat.tensors.at("rng.loader").dtype() == xg::kInt64);
  xgt::check_shape(flat.tensors.at("rng.loader"), {6});
  CHECK(flat.metadata.at("xgrad.format") == "xgrad.checkpoint");
  CHECK(flat.metadata.at("xgrad.parts") == "empty,model,scheduler");
}

TEST_CASE("io: checkpoint errors name the part, key or file") {
  TempDir dir("ckpt_errors");
  xg::io::Checkpoint ck;
  XGT_CHECK_THROWS_MSG(ck.set("a.b", {}), xg::ValueError, "part name \"a.b\"");
  CHECK_THROWS_AS(ck.set("rng", {}), xg::ValueError);
  CHECK_THROWS_AS(ck.set("", {}), xg::ValueError);
  ck.set("model", {{"w", xg::ones({2})}});
  XGT_CHECK_THROWS_MSG(ck.get("optimizer"), xg::ValueError, "no part \"optimizer\" (parts: model)");
  xg::Generator g;
  XGT_CHECK_THROWS_MSG(ck.restore_generator("global", g), xg::ValueError, "no generator \"global\"");
  XGT_CHECK_THROWS_MSG(xg::io::set_generator_state(g, xg::zeros({6})), xg::ValueError, "int64 tensor of shape [6]");
  ck.metadata["xgrad.parts"] = "x";
  XGT_CHECK_THROWS_MSG(ck.save(dir.file("r.safetensors")), xg::ValueError, "reserved");
  CHECK_FALSE(fs::exists(dir.file("r.safetensors")));
  // A weights file is not a checkpoint; nor is one whose entries do not match its part list.
  xg::save({{"w", xg::ones({2})}}, dir.file("w.safetensors"));
  XGT_CHECK_THROWS_MSG(xg::io::Checkpoint::load(dir.file("w.safetensors")), xg::FormatError, "not an xgrad checkpoint");
  xg::io::Checkpoint good;
  good.set("model", {{"w", xg::ones({2})}});
  auto flat = good.flatten();
  auto meta = good.file_metadata();
  flat["other.w"] = xg::ones({1});
  XGT_CHECK_THROWS_MSG(xg::io::Checkpoint::unflatten(flat, meta), xg::FormatError,
                       "'other.w' belongs to part \"other\"");
  flat.erase("other.w");
  flat["rng.global"] = xg::ones({6});
  XGT_CHECK_THROWS_MSG(xg::io::Checkpoint::unflatten(flat, meta), xg::FormatError, "entry 'rng.global'");
  flat.erase("rng.global");
  flat.erase("checkpoint.epoch");
  XGT_CHECK_THROWS_MSG(xg::io::Checkpoint::unflatten(flat, meta), xg::FormatError, "missing entry 'checkpoint.epoch'");
}

TEST_CASE("io: training resumed from a checkpoint matches the uninterrupted run bit for bit") {
  TempDir dir("ckpt_resume");
  const auto ds = toy_data();

  // Uninterrupted: 5 epochs.
  xg::manual_seed(0);
  Run full(ds, 11);
  full.train(0, 5);

  // Interrupted after epoch 2: save everything, then continue in fresh objects built from other
  // seeds (so anything the checkpoint missed would show).
  xg::manual_seed(0);
  {
    Run first(ds, 11);
    first.train(0, 2);
    xg::io::Checkpoint ck;
    ck.set("model", first.net.state_dict());
    ck.set("optimizer", first.opt.state_dict());
    ck.set("scheduler", first.sched.state_dict());
    ck.epoch = 2;
    ck.set_generator("global", xg::default_generator());
    ck.set_generator("loader", first.loader.generator());
    ck.save(dir.file("last.safetensors"));
  }
  xg::manual_seed(12345);
  Run resumed(ds, 999);
  const auto ck = xg::io::Checkpoint::load(dir.file("last.safetensors"));
  resumed.net.load_state_dict(ck.get("model"));
  resumed.opt.load_state_dict(ck.get("optimizer"));
  resumed.sched.load_state_dict(ck.get("scheduler"));
  ck.restore_generator("global", xg::default_generator());
  ck.restore_generator("loader", resumed.loader.generator());
  resumed.train(ck.epoch, 5);

  for (const auto& [k, t] : full.net.state_dict()) {
    CAPTURE(k);
    CHECK(bitwise_equal(resumed.net.state_dict().at(k), t));
  }
  const auto a = full.opt.state_dict(), b = resumed.opt.state_dict();
  REQUIRE(a.size() == b.size());
  for (const auto& [k, t] : a) {
    CAPTURE(k);
    CHECK(bitwise_equal(b.at(k), t));
  }
  CHECK(full.sched.get_last_lr() == resumed.sched.get_last_lr());
  CHECK(full.loader.generator().get_state() == resumed.loader.generator().get_state());
}
