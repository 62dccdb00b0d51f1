#include "autodiff/grad_mode.h"

namespace xg {

namespace {
thread_local bool grad_enabled = true;
thread_local bool anomaly_enabled = false;
}  // namespace

bool GradMode::is_enabled() { return grad_enabled; }
void GradMode::set_enabled(bool on) { grad_enabled = on; }

DetectAnomalyGuard::DetectAnomalyGuard(bool check_nan) : prev_(anomaly_enabled) { anomaly_enabled = check_nan; }
DetectAnomalyGuard::~DetectAnomalyGuard() { anomaly_enabled = prev_; }
bool DetectAnomalyGuard::is_enabled() { return anomaly_enabled; }

}  // namespace xg
