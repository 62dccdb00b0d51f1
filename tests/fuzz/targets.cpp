#include "targets.h"

#include <cmath>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "data/idx.h"
#include "fuzz_util.h"
#include "io/safetensors.h"

namespace xg::fuzz {

namespace {

void require(bool ok, const char* what) {
  if (!ok) throw InvariantBroken(what);
}

std::string_view as_chars(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

void load_model(Trained& t, const StateDict& sd, bool strict) {
  const StateDict before = deep_copy(t.net.state_dict());
  try {
    t.net.load_state_dict(sd, strict);
  } catch (const Error&) {
    require(same_bits(t.net.state_dict(), before), "a failed Module::load_state_dict changed the model");
    return;
  }
  for (const auto& [name, value] : t.net.state_dict()) {
    const auto it = sd.find(name);
    if (it != sd.end()) require(same_bits(value, it->second.to(value.dtype())), "a loaded entry differs from the file");
  }
}

void load_optimizer(Trained& t, const StateDict& sd) {
  const StateDict before = deep_copy(t.adam.state_dict());
  try {
    t.adam.load_state_dict(sd);
  } catch (const Error&) {
    require(same_bits(t.adam.state_dict(), before), "a failed Optimizer::load_state_dict changed the optimizer");
    return;
  }
  // A loaded state must be usable: one more step either works or fails with an xg::Error.
  try {
    t.adam.zero_grad();
    t.net.forward(ones({2, 3})).sum().backward();
    t.adam.step();
  } catch (const Error&) {
  }
}


std::string idx_bytes(const data::IdxArray& a, bool gzip) {
  const data::Bytes b = gzip ? data::gzip(data::serialize_idx(a)) : data::serialize_idx(a);
  return {b.begin(), b.end()};
}

std::map<std::string, std::string> idx_seeds() {
  manual_seed(1);
  const Tensor labels = randint(0, 10, {7});
  const data::IdxArray arrays[] = {data::idx_from_tensor(randint(0, 256, {3, 4, 5}), true), data::idx_from_tensor(labels, true),
                                   data::idx_from_tensor(labels), data::idx_from_tensor(randn({2, 3})),
                                   data::idx_from_tensor(randn({4}, kFloat64))};
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < std::size(arrays); ++i) {
    out[fmt::format("array{}.idx", i)] = idx_bytes(arrays[i], false);
    out[fmt::format("array{}.idx.gz", i)] = idx_bytes(arrays[i], true);
  }
  return out;
}

std::map<std::string, std::string> safetensors_seeds() {
  manual_seed(2);
  return {{"empty.safetensors", io::to_safetensors({})},
          {"mixed.safetensors", io::to_safetensors({{"a", randn({2, 3})}, {"b", randn({3}, kFloat64)},
                                                    {"c", randint(0, 5, {2, 2})}, {"scalar", scalar_tensor(1.5)},
                                                    {"zero", zeros({0, 4})}},
                                                   {{"note", "seed"}, {"epoch", "3"}})}};
}

std::map<std::string, std::string> load_state_dict_seeds() {
  manual_seed(3);
  Trained t;
  io::Checkpoint ck;
  ck.set("model", t.net.state_dict());
  ck.set("optimizer", t.adam.state_dict());
  ck.epoch = 2;
  ck.step = 40;
  ck.set_generator("global", default_generator());
  return {{"model.safetensors", io::to_safetensors(t.net.state_dict())},
          {"optimizer.safetensors", io::to_safetensors(t.adam.state_dict())},
          {"checkpoint.safetensors", io::to_safetensors(ck.flatten(), ck.file_metadata())}};
}

std::string le64(std::uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  return s;
}

// An input of safetensors_expand_input: counts, then the parts joined by 0xff.
std::string expand_seed(std::uint16_t n1, std::uint16_t n2, const std::vector<std::string>& parts) {
  std::string s{static_cast<char>(n1 & 0xff), static_cast<char>(n1 >> 8), static_cast<char>(n2 & 0xff),
                static_cast<char>(n2 >> 8)};
  for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? "\xff" : "") + parts[i];
  return s;
}

std::map<std::string, std::string> safetensors_expand_seeds() {
  return {{"deep-array", expand_seed(50000, 50000, {"{\"a\":", "[", "1", "]", "}"})},
          {"deep-shape", expand_seed(30000, 30000, {R"({"t":{"dtype":"F32","shape":)", "[", "", "]", R"(,"data_offsets":[0,0]}})"})},
          {"deep-object", expand_seed(40000, 40000, {"{\"__metadata__\":", "{\"k\":", "\"v\"", "}", "}"})},
          {"long-metadata", expand_seed(60000, 3, {R"({"__metadata__":{"k":")", "xyz", R"("},"t":{"dtype":"F32","shape":[)",
                                                   "1,", R"(1],"data_offsets":[0,4]}})", std::string(4, '\0')})},
          {"many-tensors", expand_seed(2000, 1, {"{", R"("t":{"dtype":"I64","shape":[0],"data_offsets":[0,0]},)", "",
                                                 R"("u":{"dtype":"F64","shape":[1],"data_offsets":[0,8]})", "}",
                                                 std::string(8, '\0')})}};
}

}  // namespace

void safetensors_expand_input(std::span<const std::uint8_t> input) {
  constexpr std::size_t kMaxHeader = std::size_t{4} << 20;
  if (input.size() < 4) return;
  const std::size_t n1 = input[0] | (input[1] << 8), n2 = input[2] | (input[3] << 8);
  std::vector<std::string> parts(1);
  for (std::size_t i = 4; i < input.size(); ++i) {
    if (input[i] == 0xff && parts.size() < 6) parts.emplace_back();
    else parts.back() += static_cast<char>(input[i]);
  }
  parts.resize(6);
  if (parts[1].size() * n1 + parts[3].size() * n2 > kMaxHeader) return;
  std::string header = parts[0];
  for (std::size_t i = 0; i < n1; ++i) header += parts[1];
  header += parts[2];
  for (std::size_t i = 0; i < n2; ++i) header += parts[3];
  header += parts[4];
  const std::string file = le64(header.size()) + header + parts[5];
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(file.data()), file.size());
  safetensors_input(bytes);
  try {
    const io::SafetensorsData d = io::from_safetensors(file, "fuzz input");
    (void)io::Checkpoint::unflatten(d.tensors, d.metadata, "fuzz input");
  } catch (const Error& e) {
    for (const char c : std::string_view(e.what()))
      require(static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f,
              "an error message quotes raw bytes of the file");
    require(std::string_view(e.what()).size() < 4096, "an error message quotes a whole value");
  }
}

void idx_input(std::span<const std::uint8_t> input) {
  using namespace xg::data;
  Bytes bytes(input.begin(), input.end());
  try {
    if (is_gzip(bytes)) bytes = gunzip(bytes, "fuzz input");
    const IdxArray a = parse_idx(bytes, "fuzz input");
    require(serialize_idx(a) == bytes, "parse_idx accepted bytes that serialize_idx does not reproduce");
    const Tensor t = to_tensor(a);
    require(t.numel() == a.numel(), "to_tensor changed the element count");
    if (a.numel() > 0) {
      const double first = t.to_vector<double>().front(), expected = a.value(0);
      require(first == expected || (std::isnan(first) && std::isnan(expected)), "to_tensor changed the first value");
    }
  } catch (const Error&) {
  }
}

void safetensors_input(std::span<const std::uint8_t> bytes) {
  try {
    const io::SafetensorsData file = io::from_safetensors(as_chars(bytes), "fuzz input");
    const io::SafetensorsData again = io::from_safetensors(io::to_safetensors(file.tensors, file.metadata), "round trip");
    require(again.metadata == file.metadata, "the metadata changed in a round trip");
    require(same_bits(again.tensors, file.tensors), "the tensors changed in a round trip");
  } catch (const Error&) {
  }
}

void load_state_dict_input(std::span<const std::uint8_t> bytes) {
  io::SafetensorsData file;
  try {
    file = io::from_safetensors(as_chars(bytes), "fuzz input");
  } catch (const Error&) {
    return;
  }
  {
    Trained t;
    load_model(t, file.tensors, true);
    load_model(t, file.tensors, false);
    load_optimizer(t, file.tensors);
  }
  try {
    const io::Checkpoint ck = io::Checkpoint::unflatten(file.tensors, file.metadata, "fuzz input");
    Trained t;
    if (ck.has("model")) load_model(t, ck.get("model"), true);
    if (ck.has("optimizer")) load_optimizer(t, ck.get("optimizer"));
    for (const auto& [name, state] : ck.generators()) {
      Generator g(1);
      ck.restore_generator(name, g);
      (void)g.next_u64();
    }
  } catch (const Error&) {
  }
}

void run_input(const std::string& harness, std::span<const std::uint8_t> bytes) {
  if (harness == "idx") return idx_input(bytes);
  if (harness == "safetensors") return safetensors_input(bytes);
  if (harness == "load_state_dict") return load_state_dict_input(bytes);
  if (harness == "safetensors_expand") return safetensors_expand_input(bytes);
  throw std::invalid_argument("no fuzz harness named " + harness);
}

std::map<std::string, std::string> seeds(const std::string& harness) {
  if (harness == "idx") return idx_seeds();
  if (harness == "safetensors") return safetensors_seeds();
  if (harness == "load_state_dict") return load_state_dict_seeds();
  if (harness == "safetensors_expand") return safetensors_expand_seeds();
  throw std::invalid_argument("no fuzz harness named " + harness);
}

}  // namespace xg::fuzz
