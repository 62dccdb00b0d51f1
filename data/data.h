#pragma once
// xgrad's data/: datasets, train/dev/test splits, k-fold, seeded DataLoader, normalization, the
// IDX reader and Fashion-MNIST, and LibTorch's torch::data spelling over them (datasets::MNIST,
// make_data_loader). Everything lives in namespace xg::data.
#include "data/dataloader.h"
#include "data/dataset.h"
#include "data/datasets.h"
#include "data/distributed_sampler.h"
#include "data/fashion_mnist.h"
#include "data/gzip.h"
#include "data/idx.h"
#include "data/make_data_loader.h"
#include "data/normalize.h"
#include "data/split.h"
#include "data/transforms.h"
