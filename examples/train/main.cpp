// xgrad-train: trains an MLP on Fashion-MNIST with a strict train/dev/test discipline.
//   xgrad-train                      # defaults: reaches about 89% test accuracy in a few minutes
//   xgrad-train --help
#include <cblas.h>
#include <fmt/format.h>

#include <optional>

#include "parallel.h"
#include "train.h"

int main(int argc, char** argv) {
  int code = 0;
  const auto config = xg::train::parse_args(argc, argv, code);
  if (!config) return code;
  std::optional<xg::train::DistributedSession> session;  // MPI for the whole run with --distributed
  try {
    session.emplace(config->distributed);
    if (config->threads > 0) openblas_set_num_threads(config->threads);
    if (config->distributed && (config->sweep || !config->eval.empty()))
      throw xg::ValueError("--distributed trains one configuration; run --sweep and --eval without it");
    if (!config->eval.empty()) {  // the checkpoint says how to build the model and scale the images
      xg::train::evaluate_checkpoint_alone(*config, config->eval);
      return 0;
    }
    const xg::train::Data data = xg::train::load_data(*config);
    xg::train::install_interrupt_handler();
    const auto result = config->sweep ? xg::train::sweep(*config, data) : xg::train::train(*config, data, true);
    return result.stopped ? 3 : 0;
  } catch (const xg::Error& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    if (session) session->abort_job(e.what());  // the other ranks would wait for this one
    return 1;
  }
}
