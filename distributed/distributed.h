#pragma once
// xgrad's data-parallel training over MPI (link xgrad::distributed; run under mpirun).
#include "distributed/ddp.h"
#include "distributed/errors.h"
#include "distributed/process_group.h"
