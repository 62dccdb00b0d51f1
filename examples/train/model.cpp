#include "model.h"

namespace xg::train {

namespace {
std::shared_ptr<nn::Module> activation(const std::string& name) {
  if (name == "relu") return std::make_shared<nn::ReLU>();
  if (name == "leaky_relu") return std::make_shared<nn::LeakyReLU>(0.01);
  if (name == "tanh") return std::make_shared<nn::Tanh>();
  if (name == "sigmoid") return std::make_shared<nn::Sigmoid>();
  if (name == "gelu") return std::make_shared<nn::GELU>();
  return std::make_shared<nn::ELU>();
}

void initialize(nn::Linear& lin, const Config& c, bool last) {
  if (c.init == "pytorch") return;
  const bool rectifier = c.activation == "relu" || c.activation == "leaky_relu" || c.activation == "elu" || c.activation == "gelu";
  if (c.init == "kaiming" && !last) nn::init::kaiming_normal_(lin.weight, 0, nn::init::FanMode::FanIn, rectifier ? "relu" : "linear");
  else if (c.init == "lecun" || (c.init == "kaiming" && last)) nn::init::lecun_normal_(lin.weight);
  else nn::init::xavier_normal_(lin.weight, 1);
  nn::init::zeros_(lin.bias);
}
}  // namespace

std::shared_ptr<nn::Sequential> make_mlp(const Config& c, std::int64_t in, std::int64_t classes) {
  auto net = std::make_shared<nn::Sequential>();
  std::int64_t width = in;
  int layer = 0;
  for (std::int64_t h : c.hidden) {
    auto lin = std::make_shared<nn::Linear>(width, h);
    initialize(*lin, c, false);
    const std::string suffix = std::to_string(++layer);
    net->push_back("fc" + suffix, lin);
    if (c.batch_norm) net->push_back("bn" + suffix, std::make_shared<nn::BatchNorm1d>(h));
    net->push_back("act" + suffix, activation(c.activation));
    if (c.dropout > 0) net->push_back("drop" + suffix, std::make_shared<nn::Dropout>(c.dropout));
    width = h;
  }
  auto out = std::make_shared<nn::Linear>(width, classes);
  initialize(*out, c, true);
  net->push_back("out", out);
  return net;
}

}  // namespace xg::train
