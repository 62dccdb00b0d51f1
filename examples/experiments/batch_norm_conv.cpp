// exp_batch_norm --conv: a sigmoid conv net with PyTorch's default init, plain SGD, with and
// without BatchNorm2d after every conv layer (the conv counterpart of batch_norm.cpp).
#include <fmt/format.h>

#include <xgrad.h>

#include "batch_norm.h"
#include "fashion_mnist_subset.h"
#include "training.h"

namespace xg::experiments {

namespace {

// [N, 784] -> [1, 28, 28] -> per entry of `channels`: conv 3x3 (padding 1) -> [BatchNorm2d] ->
// sigmoid, with a 2x2 max pool after every second conv -> flatten -> Linear to 10 classes. The
// conv layers are built first and in order, and BatchNorm2d draws no random numbers, so the same
// seed gives the same conv and linear weights with and without batch norm.
std::shared_ptr<nn::SequentialImpl> conv_net(const std::vector<std::int64_t>& channels, bool batch_norm) {
  auto net = std::make_shared<nn::SequentialImpl>();
  net->push_back("unflatten", std::make_shared<nn::UnflattenImpl>(1, std::vector<std::int64_t>{1, 28, 28}));
  std::int64_t in = 1, side = 28;
  for (std::size_t i = 0; i < channels.size(); ++i) {
    const std::string k = std::to_string(i + 1);
    net->push_back("conv" + k, nn::Conv2d(nn::Conv2dOptions(in, channels[i], 3).padding(1)));
    if (batch_norm) net->push_back("bn" + k, std::make_shared<nn::BatchNorm2dImpl>(channels[i]));
    net->push_back("act" + k, std::make_shared<nn::SigmoidImpl>());
    if (i % 2 == 1) {
      net->push_back("pool" + k, std::make_shared<nn::MaxPool2dImpl>(2));
      side /= 2;
    }
    in = channels[i];
  }
  net->push_back("flatten", std::make_shared<nn::FlattenImpl>());
  net->push_back("out", nn::Linear(in * side * side, 10));
  return net;
}

}  // namespace

BatchNormResult run_batch_norm_conv(const RunOptions& o) {
  const std::string dir = output_dir(o, "batch_norm_conv");
  const std::int64_t n_train = o.fast ? 1500 : 4000, n_dev = o.fast ? 300 : 1000;
  const int epochs = o.fast ? 3 : 6;
  const std::vector<std::int64_t> channels = {8, 8, 16, 16};
  const std::int64_t batch = 64;
  const double lr = 0.05;

  const TrainDev d = fashion_mnist_train_dev(n_train, n_dev, 3);
  BatchNormResult r;
  r.epochs = epochs;
  r.synthetic = d.synthetic;
  r.plain.name = "plain";
  r.bn.name = "batch norm";
  r.bn.batch_norm = true;

  Csv csv(dir + "/epochs.csv", {"batch_norm", "epoch", "train_loss", "dev_acc", "first_layer_grad_norm"});
  for (BatchNormRun* run : {&r.plain, &r.bn}) {
    manual_seed(5);  // the conv and linear layers start from the same weights in both runs
    auto net = conv_net(channels, run->batch_norm);
    Tensor first;
    for (const auto& [name, p] : net->named_parameters())
      if (name == "conv1.weight") first = p;
    optim::SGD opt(net->parameters(), optim::SGDOptions(lr));
    data::DataLoader loader(d.train, batch, /*shuffle=*/true, /*drop_last=*/true, Generator(9));
    auto record = [&](int epoch, double grad) {
      const auto tr = evaluate(*net, d.train), dv = evaluate(*net, d.dev);
      run->train_loss.push_back(tr.loss);
      run->dev_acc.push_back(dv.accuracy);
      csv.row({run->batch_norm ? 1.0 : 0.0, double(epoch), tr.loss, dv.accuracy, grad});
    };
    record(0, 0);
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      net->train();
      double grad_sum = 0;
      int steps = 0;
      const Stopwatch sw;
      for (auto [x, y] : loader) {
        opt.zero_grad();
        const Tensor loss = nn::functional::cross_entropy((*net)(x), y);
        loss.backward();
        grad_sum += norm(first.grad()).item<double>();
        ++steps;
        opt.step();
      }
      run->seconds += sw.seconds();
      run->first_layer_grad.push_back(grad_sum / steps);
      record(epoch, grad_sum / steps);
    }
  }

  auto by_epoch = [&](const std::string& title, const std::string& ylabel, int column, bool logy) {
    return Chart{title, "epoch", ylabel, false, logy,
                 {{csv.path(), 2, column, "plain", "$1 == 0"}, {csv.path(), 2, column, "BatchNorm2d", "$1 == 1"}}};
  };
  plot(dir + "/batch_norm_conv.png",
       {by_epoch("dev accuracy", "accuracy", 4, false), by_epoch("training loss", "cross-entropy", 3, true)}, o.quiet);

  if (!o.quiet) {
    fmt::print("Batch norm on {}: conv net 1x28x28 -> conv3x3 {} (2x2 max pool after every second) -> Linear 10,\n"
               "sigmoid, PyTorch's default init, plain SGD lr {}, batch {} (drop_last), {} epochs; the same initial\n"
               "weights with and without BatchNorm2d after every conv layer (before the sigmoid).\n",
               d.source, fmt::join(channels, "-"), lr, batch, epochs);
    std::vector<std::vector<std::string>> rows;
    for (const BatchNormRun* run : {&r.plain, &r.bn}) {
      std::string accs;
      for (std::size_t e = 1; e < run->dev_acc.size(); ++e) accs += (e > 1 ? " " : "") + fmt_num(run->dev_acc[e], 3);
      rows.push_back({run->name, fmt_num(run->train_loss.back()), fmt_num(run->dev_acc.back()),
                      fmt_num(run->first_layer_grad.front(), 3), fmt_num(run->seconds, 3), accs});
    }
    fmt::print("{}Wrote {}/epochs.csv, batch_norm_conv.png\n",
               table({"network", "final train loss", "final dev acc", "|grad conv1| epoch 1", "train s", "dev acc per epoch"}, rows),
               dir);
  }
  return r;
}

}  // namespace xg::experiments
