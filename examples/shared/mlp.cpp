#include "shared/mlp.h"

#include <fmt/format.h>

namespace xg::examples {

namespace {
std::shared_ptr<nn::Module> activation(const std::string& name) {
  if (name == "relu") return std::make_shared<nn::ReLUImpl>();
  if (name == "leaky_relu") return std::make_shared<nn::LeakyReLUImpl>(0.01);
  if (name == "tanh") return std::make_shared<nn::TanhImpl>();
  if (name == "sigmoid") return std::make_shared<nn::SigmoidImpl>();
  if (name == "gelu") return std::make_shared<nn::GELUImpl>();
  if (name == "elu") return std::make_shared<nn::ELUImpl>();
  throw ValueError(fmt::format("make_mlp: unknown activation '{}'", name));
}
}  // namespace

std::shared_ptr<nn::Module> make_activation(const std::string& name) { return activation(name); }

std::shared_ptr<nn::SequentialImpl> make_mlp(const MlpSpec& spec) {
  const std::size_t n = spec.widths.size();
  if (n < 2) throw ValueError(fmt::format("make_mlp: needs at least an input and an output width, got {}", n));
  auto net = std::make_shared<nn::SequentialImpl>();
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const bool last = i + 2 == n;
    auto lin = std::make_shared<nn::LinearImpl>(spec.widths[i], spec.widths[i + 1], true, spec.dtype);
    if (spec.init) spec.init(*lin, last);
    if (last) {
      net->push_back("out", lin);
      break;
    }
    const std::string k = std::to_string(i + 1);
    net->push_back("fc" + k, lin);
    if (spec.batch_norm) {
      auto bn = std::make_shared<nn::BatchNorm1dImpl>(spec.widths[i + 1]);
      bn->to(spec.dtype);
      net->push_back("bn" + k, bn);
    }
    net->push_back("act" + k, activation(spec.activation));
    if (spec.dropout > 0) net->push_back("drop" + k, std::make_shared<nn::DropoutImpl>(spec.dropout));
  }
  return net;
}

std::vector<nn::LinearImpl*> linear_layers(const nn::SequentialImpl& net) {
  std::vector<nn::LinearImpl*> out;
  for (std::size_t i = 0; i < net.size(); ++i)
    if (auto* lin = dynamic_cast<nn::LinearImpl*>(&net[i])) out.push_back(lin);
  return out;
}

}  // namespace xg::examples
