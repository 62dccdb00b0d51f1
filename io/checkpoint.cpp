#include "io/checkpoint.h"

#include <cstring>
#include <fmt/format.h>

#include "io/atomic_file.h"
#include "nn/module.h"
#include "optim/optimizer.h"
#include "tensor/detail/excerpt.h"

namespace xg::io {

namespace {
constexpr const char* kFormatKey = "xgrad.format";
constexpr const char* kFormat = "xgrad.checkpoint";
constexpr const char* kVersionKey = "xgrad.version";
constexpr const char* kVersion = "1";
constexpr const char* kPartsKey = "xgrad.parts";

void check_part_name(const std::string& part) {
  if (part.empty() || part.find('.') != std::string::npos || part == "rng" || part == "checkpoint")
    throw ValueError(fmt::format(
        "Checkpoint: part name \"{}\" must be non-empty, contain no '.', and not be \"rng\" or \"checkpoint\"", part));
}

std::string join(const std::map<std::string, StateDict>& parts) {
  std::string out;
  for (const auto& [name, sd] : parts) out += (out.empty() ? "" : ",") + name;
  return out;
}

// Names and strings read from a file, as an error message quotes them.
std::string q(const std::string& s) { return xg::detail::excerpt(s, 64); }

std::int64_t scalar_int(const StateDict& flat, const std::string& key, const std::string& source) {
  const auto it = flat.find(key);
  if (it == flat.end()) throw FormatError(fmt::format("{}: missing entry '{}'", source, key));
  if (it->second.dtype() != kInt64 || it->second.numel() != 1)
    throw FormatError(fmt::format("{}: entry '{}' must be one int64, got {} {}", source, key, dtype_name(it->second.dtype()),
                                  to_string(it->second.shape())));
  return it->second.item<std::int64_t>();
}
}  // namespace

Tensor generator_state(const Generator& g) {
  const Generator::State s = g.get_state();
  std::vector<std::int64_t> v(s.size());
  std::memcpy(v.data(), s.data(), sizeof(s));
  return from_vector(v, Shape{static_cast<std::int64_t>(v.size())});
}

void set_generator_state(Generator& g, const Tensor& state) {
  Generator::State s{};
  if (!state.defined() || state.dtype() != kInt64 || state.dim() != 1 || state.numel() != static_cast<std::int64_t>(s.size()))
    throw ValueError(fmt::format("set_generator_state: expected an int64 tensor of shape [{}], got {}", s.size(),
                                 state.defined() ? std::string(dtype_name(state.dtype())) + " " + to_string(state.shape())
                                                 : std::string("an undefined tensor")));
  std::memcpy(s.data(), state.data_ptr<std::int64_t>(), sizeof(s));
  g.set_state(s);
}

void Checkpoint::set(const std::string& part, StateDict state) {
  check_part_name(part);
  for (const auto& [key, t] : state)
    if (!t.defined()) throw ValueError(fmt::format("Checkpoint::set: entry '{}' of part '{}' is undefined", key, part));
  parts_[part] = std::move(state);
}

const StateDict& Checkpoint::get(const std::string& part) const {
  const auto it = parts_.find(part);
  if (it == parts_.end())
    throw ValueError(fmt::format("Checkpoint: no part \"{}\" (parts: {})", part, parts_.empty() ? "none" : join(parts_)));
  return it->second;
}

void Checkpoint::set_generator(const std::string& name, const Generator& g) {
  if (name.empty()) throw ValueError("Checkpoint::set_generator: the name must not be empty");
  generators_[name] = generator_state(g);
}

void Checkpoint::restore_generator(const std::string& name, Generator& g) const {
  const auto it = generators_.find(name);
  if (it == generators_.end()) throw ValueError(fmt::format("Checkpoint: no generator \"{}\"", name));
  set_generator_state(g, it->second);
}

StateDict Checkpoint::flatten() const {
  StateDict flat;
  for (const auto& [part, sd] : parts_)
    for (const auto& [key, t] : sd) flat[part + "." + key] = t;
  for (const auto& [name, t] : generators_) flat["rng." + name] = t;
  flat["checkpoint.epoch"] = scalar_tensor(static_cast<double>(epoch), kInt64);
  flat["checkpoint.step"] = scalar_tensor(static_cast<double>(step), kInt64);
  // scalar_tensor goes through double: write the exact counters.
  *flat["checkpoint.epoch"].data_ptr<std::int64_t>() = epoch;
  *flat["checkpoint.step"].data_ptr<std::int64_t>() = step;
  return flat;
}

Metadata Checkpoint::file_metadata() const {
  Metadata m;
  for (const auto& [k, v] : metadata) {
    if (k.rfind("xgrad.", 0) == 0) throw ValueError(fmt::format("Checkpoint: metadata key \"{}\" is reserved", k));
    m[k] = v;
  }
  m.insert_or_assign(kFormatKey, std::string(kFormat));
  m.insert_or_assign(kVersionKey, std::string(kVersion));
  m.insert_or_assign(kPartsKey, join(parts_));
  return m;
}

Checkpoint Checkpoint::unflatten(const StateDict& flat, const Metadata& meta, const std::string& source) {
  const auto fmt_it = meta.find(kFormatKey);
  if (fmt_it == meta.end() || fmt_it->second != kFormat)
    throw FormatError(fmt::format("{}: not an xgrad checkpoint (metadata \"{}\" is not \"{}\")", source, kFormatKey, kFormat));
  const auto ver = meta.find(kVersionKey);
  if (ver == meta.end() || ver->second != kVersion)
    throw FormatError(fmt::format("{}: unsupported checkpoint version \"{}\" (this xgrad reads version {})", source,
                                  ver == meta.end() ? "" : q(ver->second), kVersion));
  Checkpoint ck;
  const auto parts_it = meta.find(kPartsKey);
  if (parts_it != meta.end() && !parts_it->second.empty()) {
    const std::string& list = parts_it->second;
    std::size_t start = 0;
    while (start <= list.size()) {
      const std::size_t comma = std::min(list.find(',', start), list.size());
      const std::string part = list.substr(start, comma - start);
      try {
        check_part_name(part);
      } catch (const ValueError& e) {
        throw FormatError(fmt::format("{}: bad part list \"{}\": {}", source, q(list), xg::detail::excerpt(e.what(), 200)));
      }
      ck.parts_[part];
      start = comma + 1;
    }
  }
  ck.epoch = scalar_int(flat, "checkpoint.epoch", source);
  ck.step = scalar_int(flat, "checkpoint.step", source);
  for (const auto& [key, t] : flat) {
    const std::size_t dot = key.find('.');
    if (dot == std::string::npos) throw FormatError(fmt::format("{}: entry '{}' has no part prefix", source, q(key)));
    const std::string part = key.substr(0, dot), rest = key.substr(dot + 1);
    if (part == "checkpoint") {
      if (rest != "epoch" && rest != "step") throw FormatError(fmt::format("{}: unknown entry '{}'", source, q(key)));
    } else if (part == "rng") {
      Generator probe;
      try {
        set_generator_state(probe, t);
      } catch (const ValueError& e) {
        throw FormatError(fmt::format("{}: entry '{}': {}", source, q(key), e.what()));
      }
      ck.generators_[rest] = t;
    } else {
      const auto it = ck.parts_.find(part);
      if (it == ck.parts_.end())
        throw FormatError(fmt::format("{}: entry '{}' belongs to part \"{}\", which the metadata does not list", source, q(key),
                                      q(part)));
      it->second[rest] = t;
    }
  }
  for (const auto& [k, v] : meta)
    if (k.rfind("xgrad.", 0) != 0) ck.metadata[k] = v;
  return ck;
}

void Checkpoint::restore(nn::Module& model, optim::Optimizer* optimizer,
                         const std::map<std::string, Generator*>& generators) const {
  const char* who = "Checkpoint::restore";
  auto part = [&](const char* name) -> const StateDict& {
    const auto it = parts_.find(name);
    if (it == parts_.end())
      throw ValueError(fmt::format("{}: the checkpoint has no part \"{}\" (parts: {})", who, name,
                                   parts_.empty() ? "none" : join(parts_)));
    return it->second;
  };
  const StateDict& model_state = part("model");
  const StateDict* optimizer_state = optimizer ? &part("optimizer") : nullptr;
  for (const auto& [name, g] : generators) {
    const auto it = generators_.find(name);
    if (it == generators_.end() || !g)
      throw ValueError(fmt::format("{}: {} generator \"{}\"", who, g ? "the checkpoint has no" : "null pointer for", name));
    Generator probe;
    set_generator_state(probe, it->second);
  }
  // Each load_state_dict checks everything before it changes anything; the optimizer goes first
  // and is put back from its own state if the model then refuses its part.
  StateDict optimizer_before;
  if (optimizer) {
    optimizer_before = optimizer->state_dict();
    try {
      optimizer->load_state_dict(*optimizer_state);
    } catch (const ValueError& e) {
      throw ValueError(fmt::format("{}: part \"optimizer\": {}", who, e.what()));
    }
  }
  try {
    model.load_state_dict(model_state);
  } catch (const ValueError& e) {
    if (optimizer) optimizer->load_state_dict(optimizer_before);
    throw ValueError(fmt::format("{}: part \"model\": {}", who, e.what()));
  } catch (...) {
    if (optimizer) optimizer->load_state_dict(optimizer_before);
    throw;
  }
  for (const auto& [name, g] : generators) set_generator_state(*g, generators_.at(name));
}

void Checkpoint::save(const std::string& path) const { xg::save(flatten(), path, file_metadata()); }

Checkpoint Checkpoint::load(const std::string& path) {
  SafetensorsData d = read_safetensors(path);
  return unflatten(d.tensors, d.metadata, fmt::format("'{}'", path));
}

}  // namespace xg::io
