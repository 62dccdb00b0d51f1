// io/: safetensors round trips for every dtype, a file built byte by byte as PyTorch's
// safetensors writes it (Debian has no python3-safetensors package, so the file is hand-built
// here from the format's specification), every corruption case, and atomic writes that leave the
// previous file intact when they fail.
#include "check.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "io/io.h"

namespace fs = std::filesystem;
using xg::Tensor;

namespace {
using xgt::read_file;
using xgt::TempDir;

std::string le64(std::uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  return s;
}

// A file: header length, header, data.
std::string file_of(const std::string& header, const std::string& data) { return le64(header.size()) + header + data; }

void check_same(const xg::StateDict& a, const xg::StateDict& b) {
  REQUIRE(a.size() == b.size());
  for (const auto& [k, t] : a) {
    CAPTURE(k);
    REQUIRE(b.count(k) == 1);
    CHECK(t.dtype() == b.at(k).dtype());
    CHECK(t.shape() == b.at(k).shape());
    // Bit-for-bit, NaN included.
    CHECK(std::memcmp(t.raw_data(), b.at(k).raw_data(), static_cast<std::size_t>(t.numel()) * xg::dtype_size(t.dtype())) == 0);
  }
}

// xg::save with the process's file-size limit lowered to `limit` bytes (SIGXFSZ ignored, so the
// write fails with EFBIG instead of killing the process); the limit and the handler are restored
// before anything the save throws leaves.
void save_with_file_size_limit(const xg::StateDict& sd, const std::string& path, rlim_t limit) {
  struct rlimit saved {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  auto* old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct Restore {
    const struct rlimit& saved;
    decltype(old_handler) handler;
    ~Restore() {
      ::setrlimit(RLIMIT_FSIZE, &saved);
      ::signal(SIGXFSZ, handler);
    }
  } restore{saved, old_handler};
  struct rlimit small = saved;
  small.rlim_cur = limit;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  xg::save(sd, path);
}
}  // namespace

TEST_CASE("io: safetensors round trip for every dtype, scalars, empty tensors and metadata") {
  TempDir dir("st_roundtrip");
  xg::StateDict sd;
  sd["fc1.weight"] = xg::tensor({{1.5, -2.25, 3e-38}, {NAN, INFINITY, -0.0}}, xg::kFloat32);
  sd["fc1.bias"] = xg::tensor({1e300, -4.9e-324}, xg::kFloat64);
  sd["labels"] = xg::tensor({-9007199254740993.0, 0, 42}, xg::kInt64);
  sd["labels"].data_ptr<std::int64_t>()[0] = INT64_MIN;  // beyond a double's exact range
  sd["step"] = xg::scalar_tensor(7, xg::kInt64);          // 0-d
  sd["lr"] = xg::scalar_tensor(0.1, xg::kFloat64);
  sd["empty"] = xg::zeros({0, 3}, xg::kFloat32);
  sd["also_empty"] = xg::zeros({2, 0}, xg::kFloat64);
  const xg::io::Metadata meta = {{"format", "pt"}, {"epoch", "3"}, {"note", "unicode ✓"}};
  xg::save(sd, dir.file("m.safetensors"), meta);
  const auto back = xg::io::read_safetensors(dir.file("m.safetensors"));
  check_same(sd, back.tensors);
  CHECK(back.metadata == meta);
  check_same(sd, xg::load(dir.file("m.safetensors")));
  CHECK(xg::load(dir.file("m.safetensors")).at("step").dim() == 0);

  // The layout: little-endian header length, an 8-byte aligned data buffer, data in name order.
  const std::string bytes = read_file(dir.file("m.safetensors"));
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  CHECK(n % 8 == 0);
  CHECK(bytes[8] == '{');
  CHECK(bytes.size() == 8 + n + (2 * 3 * 4 + 2 * 8 + 3 * 8 + 8 + 8));
  CHECK(bytes.find("\"dtype\":\"F32\"") != std::string::npos);
  // A model's state_dict goes through and loads back into a fresh model.
  xg::manual_seed(0);
  xg::nn::Linear a(3, 2);
  xg::manual_seed(1);
  xg::nn::Linear b(3, 2);
  xg::save(a->state_dict(), dir.file("lin.safetensors"));
  b->load_state_dict(xg::load(dir.file("lin.safetensors")));
  CHECK(xg::equal(a->weight, b->weight));
  CHECK(xg::equal(a->bias, b->bias));
  // No metadata: no "__metadata__" entry.
  xg::save({{"x", xg::ones({1})}}, dir.file("plain.safetensors"));
  CHECK(read_file(dir.file("plain.safetensors")).find("__metadata__") == std::string::npos);
  CHECK(dir.count() == 3);  // no temporary files left behind
}

TEST_CASE("io: reads a safetensors file built byte by byte") {
  // What safetensors.torch.save_file({"w": torch.tensor([1.0, -2.5]), "i": torch.tensor(7),
  // "d": torch.tensor([[0.5]], dtype=torch.float64)}, path, {"format": "pt"}) produces, in the
  // order that library uses (largest alignment first, then by name): i, d, w. Header padded with
  // spaces to a multiple of 8. Values: 1.0f = 00 00 80 3f, -2.5f = 00 00 20 c0,
  // 0.5 (f64) = 00 .. 00 e0 3f, 7 (i64) = 07 00 .. 00.
  std::string header =
      R"({"__metadata__":{"format":"pt"},"d":{"dtype":"F64","shape":[1,1],"data_offsets":[8,16]},)"
      R"("i":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  const std::string data = std::string("\x07\0\0\0\0\0\0\0", 8) + std::string("\0\0\0\0\0\0\xe0\x3f", 8) +
                           std::string("\0\0\x80\x3f\0\0\x20\xc0", 8);
  const auto st = xg::io::from_safetensors(file_of(header, data), "hand-built");
  CHECK(st.metadata == xg::io::Metadata{{"format", "pt"}});
  REQUIRE(st.tensors.size() == 3);
  CHECK(st.tensors.at("i").dim() == 0);
  CHECK(st.tensors.at("i").item<std::int64_t>() == 7);
  xgt::check_shape(st.tensors.at("d"), {1, 1});
  CHECK(st.tensors.at("d").dtype() == xg::kFloat64);
  xgt::check_values(st.tensors.at("d"), {0.5});
  CHECK(st.tensors.at("w").dtype() == xg::kFloat32);
  xgt::check_values(st.tensors.at("w"), {1.0, -2.5});
  // And xgrad writes the same tensors with the same data bytes (in name order: d, i, w).
  const std::string ours = xg::io::to_safetensors(st.tensors);
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(ours[static_cast<std::size_t>(i)]);
  CHECK(ours.substr(8 + n) == data.substr(8, 8) + data.substr(0, 8) + data.substr(16, 8));
}

TEST_CASE("io: every corrupted safetensors file raises FormatError with the reason") {
  const std::string good_header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  const std::string data8(8, '\0');
  CHECK(xg::io::from_safetensors(file_of(good_header, data8)).tensors.size() == 1);
  auto bad = [](const std::string& bytes, const char* why) {
    CAPTURE(why);
    XGT_CHECK_THROWS_MSG(xg::io::from_safetensors(bytes, "'x.safetensors'"), xg::FormatError, why);
  };
  auto entry = [&](const std::string& e) { return file_of("{\"a\":" + e + "}", data8); };
  bad(std::string("\x10\0\0", 3), "truncated header: 3 bytes is shorter than the 8-byte header length");
  bad(le64(1000) + good_header + data8, "header length 1000 is larger than the");
  bad(le64(~std::uint64_t{0}) + "{}", "header length 18446744073709551615 is larger than");
  bad(file_of(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})", data8), "bad JSON header");  // unbalanced
  bad(file_of(R"({"a": nope})", ""), "bad JSON header");
  bad(file_of("[1, 2]", ""), "must be a JSON object");
  bad(entry(R"({"dtype":"F32","shape":[2],"data_offsets":[0,16]})"), "tensor 'a': data_offsets [0, 16] reach past the end of the 8-byte data buffer");
  bad(entry(R"({"dtype":"F32","shape":[2],"data_offsets":[8,0]})"), "end before they begin");
  bad(entry(R"({"dtype":"F32","shape":[2],"data_offsets":[0,-8]})"), "two non-negative integers");
  bad(entry(R"({"dtype":"F33","shape":[2],"data_offsets":[0,8]})"), "tensor 'a': unknown dtype \"F33\"");
  bad(entry(R"({"dtype":"F16","shape":[4],"data_offsets":[0,8]})"), "dtype \"F16\" is not supported");
  bad(entry(R"({"dtype":7,"shape":[2],"data_offsets":[0,8]})"), "\"dtype\" must be a string");
  bad(entry(R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})"), "shape [3] of F32 needs 12 bytes but data_offsets [0, 8] hold 8");
  bad(entry(R"({"dtype":"F64","shape":[2],"data_offsets":[0,8]})"), "needs 16 bytes");
  bad(entry(R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})"), "non-negative integers");
  bad(entry(R"({"dtype":"F32","shape":[2.5],"data_offsets":[0,8]})"), "non-negative integers");
  // A shape whose byte count overflows 64 bits: rejected before any allocation.
  bad(entry(R"({"dtype":"F64","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]})"), "needs more than 2^64 bytes");
  bad(entry(R"({"dtype":"F32","shape":[1,1,1,1,1,1,1,1,2],"data_offsets":[0,8]})"), "more than 8 dimensions");
  bad(entry(R"({"dtype":"F32","data_offsets":[0,8]})"), "no \"shape\" field");
  bad(entry(R"([1])"), "must be an object");
  bad(file_of(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
              data8),
      "tensors 'a' [0, 8] and 'b' [4, 8] overlap");
  bad(file_of(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", data8), "bytes [0, 4) before tensor 'a' belong to no tensor");
  bad(file_of(good_header, data8 + "xx"), "10 bytes but the tensors cover 8");
  bad(file_of(R"({"__metadata__":{"k":1}})", ""), "metadata \"k\" must be a string");
  bad(file_of(R"({"__metadata__":[]})", ""), "\"__metadata__\" must be an object");
  bad(file_of(" {}", ""), "must be a JSON object starting with '{'");
  // Truncating a valid file anywhere gives a FormatError, never a crash.
  const std::string whole = xg::io::to_safetensors({{"w", xg::ones({3, 2})}, {"n", xg::scalar_tensor(1, xg::kInt64)}});
  for (std::size_t len = 0; len < whole.size(); ++len) CHECK_THROWS_AS(xg::io::from_safetensors(whole.substr(0, len)), xg::FormatError);

  TempDir dir("st_bad");
  XGT_CHECK_THROWS_MSG(xg::load(dir.file("absent.safetensors")), xg::IOError, "absent.safetensors");
  XGT_CHECK_THROWS_MSG(xg::load(dir.path.string()), xg::IOError, "is a directory");
  std::ofstream(dir.file("cut.safetensors"), std::ios::binary) << whole.substr(0, whole.size() - 1);
  XGT_CHECK_THROWS_MSG(xg::load(dir.file("cut.safetensors")), xg::FormatError, "cut.safetensors");
  XGT_CHECK_THROWS_MSG(xg::io::to_safetensors({{"__metadata__", xg::ones({1})}}), xg::ValueError, "reserved");
  XGT_CHECK_THROWS_MSG(xg::io::to_safetensors({{"w", Tensor()}}), xg::ValueError, "tensor 'w' is undefined");
}

TEST_CASE("io: a failing write raises IOError and leaves the previous file intact") {
  TempDir dir("st_atomic");
  const std::string path = dir.file("ckpt.safetensors");
  const xg::StateDict old_sd = {{"w", xg::tensor({1, 2, 3})}};
  xg::save(old_sd, path);
  const std::string old_bytes = read_file(path);
  const xg::StateDict big = {{"w", xg::ones({1000, 100})}};

  // A missing folder (a bad path).
  XGT_CHECK_THROWS_MSG(xg::save(big, dir.file("no/such/dir/x.safetensors")), xg::IOError, "no/such/dir/x.safetensors");
  // The target is a directory: the rename fails, the temporary file is removed.
  fs::create_directories(dir.path / "adir" / "inner");
  XGT_CHECK_THROWS_MSG(xg::save(big, dir.file("adir")), xg::IOError, "rename");

  // A full disk, simulated with a file-size limit: write() fails with EFBIG part way through.
  XGT_CHECK_THROWS_MSG(save_with_file_size_limit(big, path, 4096), xg::IOError, path, "write failed");
  CHECK(read_file(path) == old_bytes);
  check_same(xg::load(path), old_sd);

  // A read-only folder (root ignores permissions, so this part only runs for other users).
  fs::permissions(dir.path, fs::perms::owner_read | fs::perms::owner_exec);
  if (::access(dir.path.c_str(), W_OK) != 0) {
    XGT_CHECK_THROWS_MSG(xg::save(big, path), xg::IOError, "Permission denied");
    CHECK(read_file(path) == old_bytes);
  } else {
    std::cout << "[io] read-only folder case skipped: running as root, who may write anywhere\n";
  }
  fs::permissions(dir.path, fs::perms::owner_all);
  CHECK(dir.count() == 2);  // ckpt.safetensors and adir: no temporary files left behind
  // A later good write replaces the file.
  xg::save(big, path);
  check_same(xg::load(path), big);
}
