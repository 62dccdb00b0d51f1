#include "model.h"

#include "shared/mlp.h"

namespace xg::train {

namespace {
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
  std::vector<std::int64_t> widths = {in};
  widths.insert(widths.end(), c.hidden.begin(), c.hidden.end());
  widths.push_back(classes);
  return examples::make_mlp({.widths = widths,
                             .activation = c.activation,
                             .batch_norm = c.batch_norm,
                             .dropout = c.dropout,
                             .init = [&c](nn::Linear& lin, bool last) { initialize(lin, c, last); }});
}

}  // namespace xg::train
