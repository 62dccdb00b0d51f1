#pragma once
// xgrad's io/: safetensors save/load (xg::save, xg::load), atomic writes and training
// checkpoints (xg::io::Checkpoint).
#include "io/atomic_file.h"
#include "io/checkpoint.h"
#include "io/module_io.h"
#include "io/safetensors.h"
