#include "targets.h"

#include <cmath>
#include <string_view>

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

}  // namespace

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
  throw std::invalid_argument("no fuzz harness named " + harness);
}

std::map<std::string, std::string> seeds(const std::string& harness) {
  if (harness == "idx") return idx_seeds();
  if (harness == "safetensors") return safetensors_seeds();
  if (harness == "load_state_dict") return load_state_dict_seeds();
  throw std::invalid_argument("no fuzz harness named " + harness);
}

}  // namespace xg::fuzz
