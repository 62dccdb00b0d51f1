// Devices: names only; everything runs on the CPU.
#include "tensor/device.h"

#include <fmt/format.h>

#include <ostream>

#include "tensor/errors.h"

namespace xg {

Device::Device(const std::string& spec) : type_(DeviceType::CPU), index_(-1) {
  const auto colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  if (name == "cpu") type_ = DeviceType::CPU;
  else if (name == "cuda") type_ = DeviceType::CUDA;
  else throw ValueError(fmt::format("Device: unknown device string \"{}\" (expected \"cpu\", \"cuda\" or \"cuda:N\")", spec));
  if (colon != std::string::npos) {
    const std::string idx = spec.substr(colon + 1);
    if (idx.empty() || idx.size() > 2 || idx.find_first_not_of("0123456789") != std::string::npos)
      throw ValueError(fmt::format("Device: bad device index in \"{}\"", spec));
    index_ = static_cast<std::int8_t>(std::stoi(idx));
  }
}

std::string Device::str() const {
  std::string s = type_ == DeviceType::CPU ? "cpu" : "cuda";
  if (index_ >= 0) s += fmt::format(":{}", index_);
  return s;
}

std::ostream& operator<<(std::ostream& os, const Device& d) { return os << d.str(); }

namespace detail {
void check_cpu(const char* op, const Device& d) {
  if (!d.is_cpu())
    throw ValueError(fmt::format("{}: device {} is not available: xgrad computes on the CPU only "
                                 "(xg::cuda::is_available() is false; use xg::kCPU)", op, d.str()));
}
}  // namespace detail

}  // namespace xg
