#include "model.h"

#include <fmt/format.h>

#include <cmath>

#include "shared/mlp.h"

namespace xg::train {

namespace {
void initialize(nn::LinearImpl& lin, const Config& c, bool last) {
  if (c.init == "pytorch") return;
  const bool rectifier = c.activation == "relu" || c.activation == "leaky_relu" || c.activation == "elu" || c.activation == "gelu";
  if (c.init == "kaiming" && !last) nn::init::kaiming_normal_(lin.weight, 0, nn::init::FanMode::FanIn, rectifier ? "relu" : "linear");
  else if (c.init == "lecun" || (c.init == "kaiming" && last)) nn::init::lecun_normal_(lin.weight);
  else nn::init::xavier_normal_(lin.weight, 1);
  nn::init::zeros_(lin.bias);
}
}  // namespace

std::shared_ptr<nn::SequentialImpl> make_mlp(const Config& c, std::int64_t in, std::int64_t classes) {
  std::vector<std::int64_t> widths = {in};
  widths.insert(widths.end(), c.hidden.begin(), c.hidden.end());
  widths.push_back(classes);
  return examples::make_mlp({.widths = widths,
                             .activation = c.activation,
                             .batch_norm = c.batch_norm,
                             .dropout = c.dropout,
                             .init = [&c](nn::LinearImpl& lin, bool last) { initialize(lin, c, last); }});
}

std::shared_ptr<nn::SequentialImpl> make_cnn(const Config& c, std::int64_t in, std::int64_t classes) {
  auto side = static_cast<std::int64_t>(std::lround(std::sqrt(static_cast<double>(in))));
  if (side * side != in) throw ValueError(fmt::format("--model cnn needs square images, got {} features", in));
  auto net = std::make_shared<nn::SequentialImpl>();
  net->push_back("unflatten", std::make_shared<nn::UnflattenImpl>(1, std::vector<std::int64_t>{1, side, side}));
  std::int64_t ch = 1;
  for (std::size_t i = 0; i < c.channels.size(); ++i) {
    if (side < 2)
      throw ValueError(fmt::format("--channels: {} conv blocks halve {} x {} images below one pixel", c.channels.size(),
                                   std::lround(std::sqrt(static_cast<double>(in))), std::lround(std::sqrt(static_cast<double>(in)))));
    const std::string k = std::to_string(i + 1);
    net->push_back("conv" + k, nn::Conv2d(nn::Conv2dOptions(ch, c.channels[i], 3).padding(1).bias(!c.batch_norm)));
    if (c.batch_norm) net->push_back("bn" + k, std::make_shared<nn::BatchNorm2dImpl>(c.channels[i]));
    net->push_back("act" + k, examples::make_activation(c.activation));
    net->push_back("pool" + k, std::make_shared<nn::MaxPool2dImpl>(2));
    ch = c.channels[i];
    side /= 2;
  }
  net->push_back("flatten", std::make_shared<nn::FlattenImpl>());
  net->push_back("head", make_mlp(c, ch * side * side, classes));
  return net;
}

std::shared_ptr<nn::SequentialImpl> make_model(const Config& c, std::int64_t in, std::int64_t classes) {
  return c.model == "cnn" ? make_cnn(c, in, classes) : make_mlp(c, in, classes);
}

}  // namespace xg::train
