#pragma once
// xgrad's data/: datasets, train/dev/test splits, k-fold, seeded DataLoader, normalization, the
// IDX reader and Fashion-MNIST. Everything lives in namespace xg::data.
#include "data/dataloader.h"
#include "data/dataset.h"
#include "data/distributed_sampler.h"
#include "data/fashion_mnist.h"
#include "data/gzip.h"
#include "data/idx.h"
#include "data/normalize.h"
#include "data/split.h"
#include "data/transforms.h"
