// Issue #14, classes 1 and 6: a crafted file never crashes the process (deep JSON, huge or
// invalid strings), messages quote only short sanitized excerpts, and an interrupted or
// disk-full checkpoint write leaves the previous checkpoint loadable.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <csignal>
#include <map>
#include <tuple>

#include "check.h"
#include "fuzz/targets.h"

namespace {

using xgt::read_file;
using xgt::TempDir;
using xgt::write_file;

std::string le64(std::uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  return s;
}
std::string file_of(const std::string& header, const std::string& data = "") { return le64(header.size()) + header + data; }

std::string nested(std::size_t depth, char open, char close, const std::string& inner = "1") {
  return std::string(depth, open) + inner + std::string(depth, close);
}
// `depth` levels of {"k": ...}.
std::string nested_objects(std::size_t depth) {
  std::string s;
  for (std::size_t i = 0; i < depth; ++i) s += "{\"k\":";
  return s + "1" + std::string(depth, '}');
}

// The message is short and holds only printable ASCII (no raw bytes of the file).
void check_sanitized(const std::string& msg, std::size_t max_len = 600) {
  CHECK_MESSAGE(msg.size() < max_len, "message of ", msg.size(), " bytes");
  for (unsigned char c : msg) CHECK_MESSAGE((c >= 0x20 && c < 0x7f), "byte ", int(c), " in the message");
}

template <class Fn>
std::string message_of(Fn&& f) {
  return xgt::thrown_message<xg::FormatError>(std::forward<Fn>(f));
}

}  // namespace

TEST_CASE("round2 io: a header nested 100000 levels deep is a FormatError, not a stack overflow") {
  TempDir dir("r2_deep");
  const std::size_t deep = 100000;
  struct Case {
    const char* what;
    std::string header;
  };
  const std::vector<Case> cases{
      {"deep entry value", "{\"a\":" + nested(deep, '[', ']') + "}"},
      {"deep shape", R"({"a":{"dtype":"F32","shape":)" + nested(deep, '[', ']') + R"(,"data_offsets":[0,0]}})"},
      {"deep data_offsets", R"({"a":{"dtype":"F32","shape":[0],"data_offsets":)" + nested(deep, '[', ']') + "}}"},
      {"deep metadata", "{\"__metadata__\":{\"m\":" + nested(deep, '[', ']') + "}}"},
      {"deep objects", "{\"a\":" + nested_objects(deep) + "}"},
      {"deep dtype", R"({"a":{"dtype":)" + nested_objects(deep) + R"(,"shape":[0],"data_offsets":[0,0]}})"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    REQUIRE(c.header.size() < xg::io::kMaxHeaderBytes);
    const std::string bytes = file_of(c.header);
    const std::string p = dir.file("deep.safetensors");
    write_file(p, bytes);
    for (int via = 0; via < 3; ++via) {
      CAPTURE(via);
      const std::string msg = message_of([&] {
        if (via == 0) (void)xg::io::from_safetensors(bytes, "'deep'");
        else if (via == 1) (void)xg::load(p);
        else (void)xg::io::Checkpoint::load(p);
      });
      CHECK_MESSAGE(msg.rfind('<', 0) != 0, msg.substr(0, 200));
      CHECK(msg.find("nests deeper than the 3 levels") != std::string::npos);
      CHECK(msg.find(via == 0 ? "'deep'" : "deep.safetensors") != std::string::npos);
      check_sanitized(msg);
    }
    CHECK(read_file(p) == bytes);  // the file is untouched
  }
}

TEST_CASE("round2 io: the three levels the format has still load; a fourth is refused") {
  const std::string ok = R"({"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  const auto d = xg::io::from_safetensors(file_of(ok, std::string(4, '\0')));
  CHECK(d.metadata.at("k") == "v");
  CHECK(d.tensors.at("a").sizes() == std::vector<std::int64_t>{1});
  const std::string four = R"({"a":{"dtype":"F32","shape":[[1]],"data_offsets":[0,4]}})";
  XGT_CHECK_THROWS_MSG(xg::io::from_safetensors(file_of(four, std::string(4, '\0')), "'four'"), xg::FormatError, "'four'",
                       "nests deeper");
}

TEST_CASE("round2 io: messages quote a short sanitized excerpt of the file, never a whole value") {
  const std::string big(1 << 20, 'x');
  struct Case {
    const char* what;
    std::string bytes;
    const char* expect;
  };
  const std::vector<Case> cases{
      {"megabyte dtype", file_of(R"({"a":{"dtype":")" + big + R"(","shape":[0],"data_offsets":[0,0]}})"), "unknown dtype \"xxxx"},
      {"megabyte tensor name", file_of("{\"" + big + R"(":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}})", std::string(8, '\0')),
       "tensor 'xxxx"},
      {"megabyte metadata key", file_of("{\"__metadata__\":{\"" + big + "\":1}}"), "must be a string"},
      {"megabyte metadata value of the wrong kind", file_of("{\"__metadata__\":{\"k\":[\"" + big + "\"]}}"), "metadata \"k\""},
      {"100000-element shape", file_of(R"({"a":{"dtype":"F32","shape":[)" + [] {
         std::string s = "1";
         for (int i = 1; i < 100000; ++i) s += ",1";
         return s;
       }() + R"(],"data_offsets":[0,4]}})", std::string(4, '\0')), "100000 entries"},
      {"entry that is a long array", file_of("{\"a\":[" + [] {
         std::string s = "1";
         for (int i = 1; i < 50000; ++i) s += ",1";
         return s;
       }() + "]}"), "an array of 50000 elements"},
      {"invalid UTF-8 in a name", file_of("{\"\xff\xfe\x80\":{}}"), "bad JSON header"},
      {"invalid UTF-8 in a value", file_of(R"({"a":{"dtype":")" + std::string("\xc3\x28\xa0\xa1") + R"("}})"), "bad JSON header"},
      {"control characters in a name", file_of(R"({"a\u0007\n\u001b[31m":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}})",
                                              std::string(8, '\0')),
       "\\x07\\x0a\\x1b[31m"},
      {"non-ASCII name", file_of("{\"caf\xc3\xa9\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,8]}}", std::string(8, '\0')),
       "caf\\xc3\\xa9"},
      {"string in shape", file_of(R"({"a":{"dtype":"F32","shape":[")" + big + R"("],"data_offsets":[0,4]}})", std::string(4, '\0')),
       "non-negative integers"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    const std::string msg = message_of([&] { (void)xg::io::from_safetensors(c.bytes, "'crafted'"); });
    CHECK_MESSAGE(msg.rfind('<', 0) != 0, msg.substr(0, 300));
    CHECK_MESSAGE(msg.find(c.expect) != std::string::npos, msg.substr(0, 300));
    CHECK(msg.find("'crafted'") != std::string::npos);
    check_sanitized(msg);
  }
}

TEST_CASE("round2 io: a checkpoint's own entries are quoted sanitized too") {
  xg::StateDict flat{{"checkpoint.epoch", xg::full({}, 0, xg::kInt64)}, {"checkpoint.step", xg::full({}, 0, xg::kInt64)},
                     {"zz\x01" + std::string(5000, 'q'), xg::zeros({1})}};
  const xg::io::Metadata meta{{"xgrad.format", "xgrad.checkpoint"}, {"xgrad.version", "1"}};
  const std::string msg = message_of([&] { (void)xg::io::Checkpoint::unflatten(flat, meta, "'ck'"); });
  CHECK(msg.find("entry 'zz\\x01qqq") != std::string::npos);
  check_sanitized(msg);
  const xg::io::Metadata bad_version{{"xgrad.format", "xgrad.checkpoint"}, {"xgrad.version", std::string(10000, '9') + "\xff"}};
  const std::string msg2 = message_of([&] { (void)xg::io::Checkpoint::unflatten(flat, bad_version, "'ck'"); });
  CHECK(msg2.find("unsupported checkpoint version \"9999") != std::string::npos);
  check_sanitized(msg2);
}

TEST_CASE("round2 io: a state dict with thousands of unexpected keys gets a short message and loads nothing") {
  xgt::MLP m(2, 3, 1);
  const xg::StateDict before = xgt::deep_copy(m.state_dict());
  xg::StateDict sd = before;
  for (int i = 0; i < 5000; ++i) sd["junk\x7f" + std::to_string(i) + std::string(300, 'j')] = xg::zeros({1});
  const std::string msg = xgt::thrown_message<xg::ValueError>([&] { m.load_state_dict(sd); });
  CHECK(msg.find("MLP.load_state_dict") != std::string::npos);
  CHECK(msg.find("junk\x7f") == std::string::npos);  // quoted without raw bytes
  CHECK(msg.find("junk\\x7f") != std::string::npos);
  CHECK(msg.find("and 4992 more") != std::string::npos);
  check_sanitized(msg, 2000);
  CHECK(xgt::bitwise_equal(m.state_dict(), before));
}

namespace {

// A checkpoint with a tensor of n floats (n + 1 values, so each save differs).
xg::io::Checkpoint checkpoint_of(std::int64_t n, double value) {
  xg::io::Checkpoint ck;
  ck.set("model", {{"w", xg::full({n}, value)}});
  ck.epoch = static_cast<std::int64_t>(value);
  return ck;
}

void check_is(const std::string& path, std::int64_t n, double value) {
  const auto ck = xg::io::Checkpoint::load(path);
  CHECK(ck.epoch == static_cast<std::int64_t>(value));
  const xg::Tensor w = ck.get("model").at("w");
  REQUIRE(w.numel() == n);
  CHECK(w.to_vector<double>() == std::vector<double>(static_cast<std::size_t>(n), value));
}

}  // namespace

TEST_CASE("round2 io: a checkpoint write cut at any byte (file size limit) leaves the previous checkpoint loadable") {
  TempDir dir("r2_cut");
  const std::string path = dir.file("last.safetensors");
  checkpoint_of(16, 1).save(path);
  const std::string previous = read_file(path);
  const std::string next = xg::io::to_safetensors(checkpoint_of(64, 2).flatten(), checkpoint_of(64, 2).file_metadata());
  REQUIRE(next.size() > previous.size());
  rlimit old{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);  // writes past the limit fail with EFBIG instead
  std::vector<std::size_t> cuts;
  for (std::size_t cut = 0; cut < next.size(); cut += cut < 64 ? 1 : 37) cuts.push_back(cut);
  cuts.push_back(next.size() - 1);
  for (std::size_t cut : cuts) {
    CAPTURE(cut);
    rlimit lim = old;
    lim.rlim_cur = cut;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &lim) == 0);
    const std::string msg = xgt::thrown_message<xg::IOError>([&] { checkpoint_of(64, 2).save(path); });
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &old) == 0);
    CHECK_MESSAGE(msg.rfind('<', 0) != 0, msg);
    CHECK(msg.find("last.safetensors") != std::string::npos);
    CHECK(read_file(path) == previous);
    CHECK(dir.count() == 1);  // no temporary file left behind
  }
  std::signal(SIGXFSZ, old_handler);
  check_is(path, 16, 1);
  checkpoint_of(64, 2).save(path);  // and with the limit lifted the save goes through
  check_is(path, 64, 2);
}

namespace {

// In a child process: a 64 KiB tmpfs of its own (a private mount namespace), a checkpoint saved
// on it, then one too large for it. Exit codes: 0 ok, 77 no way to mount here, others failures.
int disk_full_child(const std::string& mountpoint) {
  if (::unshare(CLONE_NEWNS) != 0) {
    const uid_t uid = ::getuid();
    const gid_t gid = ::getgid();
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) return 77;
    auto write_to = [](const char* file, const std::string& text) {
      const int fd = ::open(file, O_WRONLY);
      if (fd < 0) return false;
      const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
      ::close(fd);
      return ok;
    };
    write_to("/proc/self/setgroups", "deny");
    if (!write_to("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
        !write_to("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1"))
      return 77;
  }
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return 77;
  if (::mount("xgrad-test", mountpoint.c_str(), "tmpfs", 0, "size=64k") != 0) return 77;
  const std::string path = mountpoint + "/last.safetensors";
  try {
    checkpoint_of(16, 1).save(path);
    const std::string previous = read_file(path);
    try {
      checkpoint_of(100000, 2).save(path);  // 400 KB on a 64 KiB disk
      return 2;
    } catch (const xg::IOError& e) {
      if (std::string(e.what()).find("No space left on device") == std::string::npos) return 3;
    }
    if (read_file(path) != previous) return 4;
    const auto ck = xg::io::Checkpoint::load(path);
    if (ck.epoch != 1 || ck.get("model").at("w").numel() != 16) return 5;
    std::size_t files = 0;
    for (const auto& e : std::filesystem::directory_iterator(mountpoint)) files += e.is_regular_file() ? 1 : 0;
    if (files != 1) return 6;
  } catch (...) {
    return 7;
  }
  return 0;
}

}  // namespace

TEST_CASE("round2 io: a disk-full checkpoint write (ENOSPC on a small tmpfs) leaves the previous checkpoint loadable") {
  TempDir dir("r2_full");
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) ::_exit(disk_full_child(dir.path.string()));
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  const int code = WEXITSTATUS(status);
  if (code == 77) {
    MESSAGE("skipped: no mount namespace for a tmpfs here (the file-size-limit case above still runs)");
    return;
  }
  CHECK_MESSAGE(code == 0, "child failed at step ", code);
}

TEST_CASE("round2 io: the large-header fuzz seeds (deep nesting, long values, many tensors) are handled") {
  for (const auto& [name, bytes] : xg::fuzz::seeds("safetensors_expand")) {
    CAPTURE(name);
    CHECK_NOTHROW(xg::fuzz::run_input("safetensors_expand", {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}));
  }
}

TEST_CASE("round2 io: Checkpoint::restore of a checkpoint that does not match changes no model, optimizer or generator") {
  xg::manual_seed(11);
  xgt::MLP model(3, 4, 2);
  xg::optim::Adam adam(model.parameters(), xg::optim::AdamOptions(0.01));
  adam.zero_grad();
  model.forward(xg::ones({2, 3})).sum().backward();
  adam.step();
  xg::Generator global(5), loader(6);
  (void)loader.next_u64();

  auto snapshot = [&] {
    return std::tuple{xgt::deep_copy(model.state_dict()), xgt::deep_copy(adam.state_dict()), global.get_state(),
                      loader.get_state()};
  };
  const auto before = snapshot();
  std::vector<std::uint32_t> versions;
  for (const auto& p : model.parameters()) versions.push_back(p.version());
  auto unchanged = [&] {
    const auto now = snapshot();
    CHECK(xgt::bitwise_equal(std::get<0>(now), std::get<0>(before)));
    CHECK(xgt::bitwise_equal(std::get<1>(now), std::get<1>(before)));
    CHECK(std::get<2>(now) == std::get<2>(before));
    CHECK(std::get<3>(now) == std::get<3>(before));
    std::size_t i = 0;
    for (const auto& p : model.parameters()) CHECK(p.version() == versions[i++]);
  };
  const std::map<std::string, xg::Generator*> gens{{"global", &global}, {"loader", &loader}};

  // A checkpoint of another run: same shapes, other values and generator states.
  xgt::MLP other(3, 4, 2);
  xg::optim::Adam other_adam(other.parameters(), xg::optim::AdamOptions(0.5));
  other_adam.zero_grad();
  other.forward(xg::ones({1, 3})).sum().backward();
  other_adam.step();
  auto good = [&] {
    xg::io::Checkpoint ck;
    ck.set("model", other.state_dict());
    ck.set("optimizer", other_adam.state_dict());
    ck.set_generator("global", xg::Generator(50));
    ck.set_generator("loader", xg::Generator(60));
    return ck;
  };

  SUBCASE("the model part is another model's") {
    xg::io::Checkpoint ck = good();
    xgt::MLP wider(3, 8, 2);
    ck.set("model", wider.state_dict());
    XGT_CHECK_THROWS_MSG(ck.restore(model, &adam, gens), xg::ValueError, "Checkpoint::restore", "part \"model\"",
                         "fc1.weight", "[8, 3]");
    unchanged();
  }
  SUBCASE("the model matches but the optimizer part is another optimizer's") {
    xg::io::Checkpoint ck = good();
    xg::optim::AdamW adamw(other.parameters(), xg::optim::AdamWOptions(0.1));
    ck.set("optimizer", adamw.state_dict());
    XGT_CHECK_THROWS_MSG(ck.restore(model, &adam, gens), xg::ValueError, "Checkpoint::restore", "part \"optimizer\"",
                         "'AdamW'");
    unchanged();
  }
  SUBCASE("the optimizer matches but the model part misses a key (the optimizer is put back)") {
    xg::io::Checkpoint ck = good();
    xg::StateDict partial = other.state_dict();
    partial.erase("fc2.bias");
    ck.set("model", partial);
    XGT_CHECK_THROWS_MSG(ck.restore(model, &adam, gens), xg::ValueError, "part \"model\"", "fc2.bias");
    unchanged();
  }
  SUBCASE("a generator is missing, or given as a null pointer") {
    xg::io::Checkpoint ck = good();
    XGT_CHECK_THROWS_MSG(ck.restore(model, &adam, {{"global", &global}, {"sampler", &loader}}), xg::ValueError,
                         "Checkpoint::restore", "sampler");
    unchanged();
    XGT_CHECK_THROWS_MSG(ck.restore(model, &adam, {{"global", &global}, {"loader", nullptr}}), xg::ValueError,
                         "Checkpoint::restore", "null pointer", "loader");
    unchanged();
  }
  SUBCASE("a checkpoint without an optimizer part") {
    xg::io::Checkpoint ck;
    ck.set("model", other.state_dict());
    XGT_CHECK_THROWS_MSG(ck.restore(model, &adam), xg::ValueError, "Checkpoint::restore", "no part \"optimizer\"", "model");
    unchanged();
  }
  SUBCASE("a matching checkpoint restores all three") {
    const xg::io::Checkpoint ck = good();
    ck.restore(model, &adam, gens);
    CHECK(xgt::bitwise_equal(model.state_dict(), other.state_dict()));
    CHECK(xgt::bitwise_equal(adam.state_dict(), other_adam.state_dict()));
    CHECK(global.get_state() == xg::Generator(50).get_state());
    CHECK(loader.get_state() == xg::Generator(60).get_state());
  }
}
