#pragma once
// One file that holds everything a training run needs to resume exactly: named StateDicts
// (model, optimizer, scheduler, normalizer, ...), the epoch and step counters and the states of
// random generators (the global one, a DataLoader's), written atomically as one safetensors file.
//
//   xg::io::Checkpoint ck;
//   ck.set("model", model.state_dict());
//   ck.set("optimizer", opt.state_dict());
//   ck.set("scheduler", sched.state_dict());
//   ck.epoch = epoch;
//   ck.set_generator("global", xg::default_generator());
//   ck.set_generator("loader", loader.generator());
//   ck.save("run/last.safetensors");
//
//   auto ck = xg::io::Checkpoint::load("run/last.safetensors");
//   model.load_state_dict(ck.get("model"));  opt.load_state_dict(ck.get("optimizer")); ...
//   ck.restore_generator("global", xg::default_generator());
//
// In the file, part entries are prefixed with the part name ("model.fc1.weight",
// "optimizer.state.0.exp_avg"), generator states are "rng.<name>" (int64 [6], the bits of
// Generator::State), the counters "checkpoint.epoch" and "checkpoint.step" (int64 0-d); the
// metadata records the format, its version and the part names (so empty parts survive), plus the
// user's own strings. Any safetensors reader (PyTorch's included) can open it.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "io/safetensors.h"
#include "tensor/random.h"
#include "tensor/state_dict.h"

namespace xg::nn {
class Module;
}
namespace xg::optim {
class Optimizer;
}

namespace xg::io {

// A generator's full state as an int64 [6] tensor (bit copies of the uint64 words), and back
// (ValueError when the tensor is not int64 [6]).
Tensor generator_state(const Generator& g);
void set_generator_state(Generator& g, const Tensor& state);

class Checkpoint {
 public:
  std::int64_t epoch = 0;
  std::int64_t step = 0;
  // The user's strings; keys starting with "xgrad." are reserved.
  Metadata metadata;

  // Part names are non-empty, contain no '.', and are not "rng" or "checkpoint" (ValueError).
  void set(const std::string& part, StateDict state);
  bool has(const std::string& part) const { return parts_.count(part) != 0; }
  // ValueError naming the part and the parts present when it is absent.
  const StateDict& get(const std::string& part) const;
  const std::map<std::string, StateDict>& parts() const { return parts_; }

  void set_generator(const std::string& name, const Generator& g);
  void restore_generator(const std::string& name, Generator& g) const;  // ValueError if absent
  const std::map<std::string, Tensor>& generators() const { return generators_; }

  // The flat StateDict and metadata written to the file, and the inverse (FormatError naming the
  // offending key when the contents are not a checkpoint).
  StateDict flatten() const;
  Metadata file_metadata() const;
  static Checkpoint unflatten(const StateDict& flat, const Metadata& metadata, const std::string& source = "checkpoint");

  // Loads the checkpoint into a live run, all or nothing: part "model" into `model`, part
  // "optimizer" into `optimizer` (when given) and each named generator. When anything does not
  // match (a missing part or generator, another model's shapes, another optimizer's state) it
  // raises ValueError naming Checkpoint::restore and the part, and the model, the optimizer and
  // the generators are exactly as they were.
  void restore(nn::Module& model, optim::Optimizer* optimizer = nullptr,
               const std::map<std::string, Generator*>& generators = {}) const;

  // Atomic: on IOError the previous file at `path` is intact.
  void save(const std::string& path) const;
  // IOError when unreadable, FormatError when malformed or not an xgrad checkpoint.
  static Checkpoint load(const std::string& path);

 private:
  std::map<std::string, StateDict> parts_;
  std::map<std::string, Tensor> generators_;
};

}  // namespace xg::io
