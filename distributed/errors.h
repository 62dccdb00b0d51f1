#pragma once
#include "tensor/errors.h"

namespace xg::distributed {

// MPI reported an error, or a collective did not complete within the group's timeout (another
// rank died, hung, or issued different collectives). The message names the call.
class DistributedError : public xg::Error {
 public:
  using xg::Error::Error;
};

}  // namespace xg::distributed
