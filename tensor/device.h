#pragma once
// Devices as LibTorch names them. xgrad computes on the CPU only: Device(kCUDA) can be named, so
// programs that pick a device compile unchanged, but moving a tensor or module there raises a
// ValueError naming the call.
#include <cstdint>
#include <iosfwd>
#include <string>

namespace xg {

enum class DeviceType : std::int8_t { CPU = 0, CUDA = 1 };
inline constexpr DeviceType kCPU = DeviceType::CPU;
inline constexpr DeviceType kCUDA = DeviceType::CUDA;

class Device {
 public:
  Device(DeviceType type, std::int8_t index = -1) : type_(type), index_(index) {}  // NOLINT: implicit as LibTorch
  // "cpu", "cuda", "cuda:1"; ValueError for anything else.
  explicit Device(const std::string& spec);
  DeviceType type() const { return type_; }
  std::int8_t index() const { return index_; }
  bool has_index() const { return index_ >= 0; }
  bool is_cpu() const { return type_ == DeviceType::CPU; }
  bool is_cuda() const { return type_ == DeviceType::CUDA; }
  std::string str() const;
  friend bool operator==(const Device& a, const Device& b) { return a.type_ == b.type_ && a.index_ == b.index_; }

 private:
  DeviceType type_;
  std::int8_t index_;
};

std::ostream& operator<<(std::ostream& os, const Device& d);

namespace detail {
// ValueError naming `op` unless d is the CPU.
void check_cpu(const char* op, const Device& d);
}  // namespace detail

namespace cuda {
inline bool is_available() { return false; }
inline std::int64_t device_count() { return 0; }
}  // namespace cuda

}  // namespace xg
