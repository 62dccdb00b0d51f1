#pragma once
// What a training run writes: metrics.csv, curves.png (through gnuplot), report.txt.
#include <string>
#include <vector>

#include <xgrad.h>

namespace xg::train {

struct EpochMetrics {
  std::int64_t epoch = 0;
  double train_loss = 0, dev_loss = 0, dev_accuracy = 0, lr = 0, seconds = 0;
};

// Appends one row; writes the header first when the file is new or empty.
void append_metrics(const std::string& path, const EpochMetrics& m);
std::vector<EpochMetrics> read_metrics(const std::string& path);

// counts[true][predicted] from int64 labels and predictions.
std::vector<std::vector<std::int64_t>> confusion_matrix(const Tensor& labels, const Tensor& predicted, std::int64_t classes);
std::string format_confusion(const std::vector<std::vector<std::int64_t>>& cm, const std::vector<std::string>& names);

// Draws loss and accuracy curves from metrics.csv into png_path with gnuplot. Returns false
// (and says why in `why`) when gnuplot is not installed or fails; the CSV stays either way.
bool plot_curves(const std::string& csv_path, const std::string& png_path, std::string& why);

}  // namespace xg::train
