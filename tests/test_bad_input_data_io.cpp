// The bad-input matrix (issue #9), datasets, splits, loaders, save/load and checkpoints:
// realistic misuses across the whole API. Each case checks
//   (a) the exact xg::Error subtype,
//   (b) that the message names the op and the offending shapes / dtypes / values,
//   (c) that nothing was changed by the failed call: input values and version counters, module
//       and optimizer state_dicts, files on disk (byte for byte).
// The other parts are the test_bad_input_*.cpp files; test_errors_*.cpp hold the basic per-type
// cases, which the matrix does not repeat.
#include "check.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace fs = std::filesystem;
namespace data = xg::data;

namespace {

using xgt::bitwise_equal;
using xgt::deep_copy;
using xgt::MLP;
using xgt::read_file;
using xgt::Snapshot;
using xgt::TempDir;
using xgt::write_file;

}  // namespace

// =============================================================================================
// data
// =============================================================================================

TEST_CASE("bad input: datasets, splits and loaders") {
  const xg::Tensor x = xg::arange(0, 20, 1, xg::kFloat32).reshape({10, 2});
  const xg::Tensor y = xg::arange(0, 10, 1, xg::kInt64);
  const Snapshot sx(x), sy(y);
  const data::TensorDataset ds(x, y);
  SUBCASE("DataLoader batch_size 0 and -1") {
    XGT_CHECK_THROWS_MSG(data::DataLoader(ds, 0), xg::ValueError, "DataLoader", "batch_size", "0");
    XGT_CHECK_THROWS_MSG(data::DataLoader(ds, -1), xg::ValueError, "DataLoader", "batch_size", "-1");
  }
  SUBCASE("random_split with counts not summing to the size: generator not advanced") {
    xg::Generator g(3);
    const auto state = g.get_state();
    XGT_CHECK_THROWS_MSG(data::random_split(ds, {6, 3}, g), xg::ValueError, "random_split", "9", "10");
    XGT_CHECK_THROWS_MSG(data::random_split(ds, {6, 5}, g), xg::ValueError, "random_split", "11", "10");
    CHECK(g.get_state() == state);
  }
  SUBCASE("random_split with fractions not summing to 1 or a negative length") {
    xg::Generator g(3);
    XGT_CHECK_THROWS_MSG(data::random_split(ds, {0.5, 0.4}, g), xg::ValueError, "random_split", "0.9");
    XGT_CHECK_THROWS_MSG(data::random_split(ds, {12, -2}, g), xg::ValueError, "random_split", "-2");
  }
  SUBCASE("k_fold with k = 1 and k > size") {
    XGT_CHECK_THROWS_MSG(data::k_fold(ds, 1), xg::ValueError, "k_fold", "k", "1");
    XGT_CHECK_THROWS_MSG(data::k_fold(ds, 11), xg::ValueError, "k_fold", "11", "10");
  }
  SUBCASE("TensorDataset with disagreeing first dims, out-of-range example") {
    XGT_CHECK_THROWS_MSG(data::TensorDataset(x, xg::arange(0, 9, 1, xg::kInt64)), xg::ShapeError, "TensorDataset",
                         "[10, 2]", "[9]");
    XGT_CHECK_THROWS_MSG(ds.get(10), xg::IndexError, "TensorDataset::get", "index 10", "10 examples");
  }
  CHECK(sx.unchanged());
  CHECK(sy.unchanged());
}

// =============================================================================================
// io
// =============================================================================================

TEST_CASE("bad input: save, load and checkpoints") {
  TempDir dir("bad_input");
  MLP m(3, 4, 2);
  const fs::path good = dir.path / "model.safetensors";
  xg::save(m.state_dict(), good.string());
  const std::string good_bytes = read_file(good);
  REQUIRE(good_bytes.size() > 8);

  SUBCASE("a checkpoint from another model: xg::load works, load_state_dict refuses, model unchanged") {
    MLP other(5, 4, 2);
    const fs::path p = dir.path / "other.safetensors";
    xg::save(other.state_dict(), p.string());
    const xg::StateDict before = deep_copy(m.state_dict());
    const xg::StateDict loaded = xg::load(p.string());
    XGT_CHECK_THROWS_MSG(m.load_state_dict(loaded), xg::ValueError, "MLP.load_state_dict", "fc1.weight", "[4, 5]",
                         "[4, 3]");
    CHECK(bitwise_equal(m.state_dict(), before));
  }
  SUBCASE("a Checkpoint of another model through Checkpoint::load") {
    MLP other(3, 8, 2);
    xg::io::Checkpoint ck;
    ck.set("model", other.state_dict());
    const fs::path p = dir.path / "ck.safetensors";
    ck.save(p.string());
    const xg::StateDict before = deep_copy(m.state_dict());
    const auto loaded = xg::io::Checkpoint::load(p.string());
    XGT_CHECK_THROWS_MSG(m.load_state_dict(loaded.get("model")), xg::ValueError, "MLP.load_state_dict", "fc1.weight",
                         "[8, 3]", "[4, 3]");
    XGT_CHECK_THROWS_MSG(loaded.get("optimizer"), xg::ValueError, "optimizer", "model");
    CHECK(bitwise_equal(m.state_dict(), before));
  }
  SUBCASE("truncated files: FormatError at every cut, file untouched") {
    const fs::path p = dir.path / "cut.safetensors";
    for (std::size_t cut : {std::size_t{0}, std::size_t{4}, std::size_t{8}, std::size_t{20}, good_bytes.size() / 2,
                            good_bytes.size() - 1}) {
      CAPTURE(cut);
      write_file(p, good_bytes.substr(0, cut));
      XGT_CHECK_THROWS_MSG(xg::load(p.string()), xg::FormatError, "cut.safetensors");
      CHECK(read_file(p) == good_bytes.substr(0, cut));
    }
  }
  SUBCASE("an absurd header length is refused before allocating") {
    std::string bytes = good_bytes;
    const std::uint64_t huge = std::uint64_t{1} << 60;
    for (int i = 0; i < 8; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<char>((huge >> (8 * i)) & 0xff);
    const fs::path p = dir.path / "huge.safetensors";
    write_file(p, bytes);
    XGT_CHECK_THROWS_MSG(xg::load(p.string()), xg::FormatError, "huge.safetensors", "header");
    CHECK(read_file(p) == bytes);
  }
  SUBCASE("a corrupted header (shape claims 10^12 elements, bad JSON, unknown dtype)") {
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(good_bytes[static_cast<std::size_t>(i)]);
    const std::string header = good_bytes.substr(8, n);
    auto with_header = [&](std::string h) {
      h.resize(n, ' ');  // same length: the data offsets stay valid
      return good_bytes.substr(0, 8) + h + good_bytes.substr(8 + n);
    };
    // A hand-made file whose 16 data bytes claim a [10^6, 10^6] float32 tensor (4 TB).
    const std::string h1 = R"({"w":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,16]}})";
    std::string big(8, '\0');
    for (int i = 0; i < 8; ++i) big[static_cast<std::size_t>(i)] = static_cast<char>((h1.size() >> (8 * i)) & 0xff);
    big += h1 + std::string(16, '\0');
    XGT_CHECK_THROWS_MSG(xg::io::from_safetensors(big, "big"), xg::FormatError, "big", "'w'", "4000000000000 bytes",
                         "16");
    std::string h2 = header;
    h2[0] = '[';
    XGT_CHECK_THROWS_MSG(xg::io::from_safetensors(with_header(h2), "json"), xg::FormatError, "json");
    std::string h3 = header;
    const auto d = h3.find("\"F32\"");
    REQUIRE(d != std::string::npos);
    h3.replace(d, 5, "\"F16\"");
    XGT_CHECK_THROWS_MSG(xg::io::from_safetensors(with_header(h3), "dt"), xg::FormatError, "dt", "F16");
  }
  SUBCASE("xg::load of a missing file") {
    const fs::path p = dir.path / "nope.safetensors";
    XGT_CHECK_THROWS_MSG(xg::load(p.string()), xg::IOError, "nope.safetensors");
    CHECK_FALSE(fs::exists(p));
  }
  SUBCASE("xg::save into a missing folder: IOError, nothing created") {
    const fs::path p = dir.path / "missing" / "model.safetensors";
    XGT_CHECK_THROWS_MSG(xg::save(m.state_dict(), p.string()), xg::IOError, "missing");
    CHECK_FALSE(fs::exists(dir.path / "missing"));
  }
  SUBCASE("xg::save under a path whose parent is a file: IOError, previous file intact") {
    const fs::path p = good / "model.safetensors";
    XGT_CHECK_THROWS_MSG(xg::save(m.state_dict(), p.string()), xg::IOError, "model.safetensors");
    CHECK(read_file(good) == good_bytes);
  }
  SUBCASE("xg::save over a folder: IOError, folder intact, no temporary left") {
    const fs::path p = dir.path / "adir";
    fs::create_directories(p / "inside");
    XGT_CHECK_THROWS_MSG(xg::save(m.state_dict(), p.string()), xg::IOError, "adir");
    CHECK(fs::is_directory(p / "inside"));
    std::size_t entries = 0;
    for (const auto& e : fs::directory_iterator(dir.path)) (void)e, ++entries;
    CHECK(entries == 2u);  // model.safetensors and adir
  }
  SUBCASE("saving an undefined tensor or the reserved name: ValueError, previous file intact") {
    xg::StateDict sd = m.state_dict();
    sd["bad"] = xg::Tensor();
    XGT_CHECK_THROWS_MSG(xg::save(sd, good.string()), xg::ValueError, "bad", "undefined");
    xg::StateDict sd2 = m.state_dict();
    sd2["__metadata__"] = xg::ones({1});
    XGT_CHECK_THROWS_MSG(xg::save(sd2, good.string()), xg::ValueError, "__metadata__");
    CHECK(read_file(good) == good_bytes);
  }
  SUBCASE("Checkpoint part names and generator states") {
    xg::io::Checkpoint ck;
    XGT_CHECK_THROWS_MSG(ck.set("a.b", {}), xg::ValueError, "a.b");
    XGT_CHECK_THROWS_MSG(ck.set("rng", {}), xg::ValueError, "rng");
    xg::Generator g(5);
    const auto state = g.get_state();
    XGT_CHECK_THROWS_MSG(xg::io::set_generator_state(g, xg::zeros({6})), xg::ValueError, "int64", "[6]");
    XGT_CHECK_THROWS_MSG(xg::io::set_generator_state(g, xg::zeros({5}, xg::kInt64)), xg::ValueError, "[5]");
    CHECK(g.get_state() == state);
    CHECK(ck.parts().empty());
  }
  CHECK(read_file(good) == good_bytes);
}
