#include "tensor/detail/raw_views.h"

#include "tensor/xt_view.h"

namespace xg {

namespace {
thread_local std::uint64_t raw_views = 0;
}  // namespace

std::uint64_t raw_view_count() { return raw_views; }

namespace detail {
void note_raw_view() { ++raw_views; }
}  // namespace detail

}  // namespace xg
