#pragma once
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace xg {

// Dimensions of a tensor, stored inline (no heap allocation): copying a shape is cheap,
// which keeps recording an op on a small tensor fast. At most kMaxDims dimensions.
class Shape {
 public:
  static constexpr std::size_t kMaxDims = 8;

  Shape() = default;
  Shape(std::initializer_list<std::int64_t> dims) : Shape(dims.begin(), dims.end()) {}
  Shape(std::int64_t n) { push_back(n); }  // NOLINT: implicit, so zeros(3) is zeros({3}) as in LibTorch
  Shape(const std::vector<std::int64_t>& dims) : Shape(dims.begin(), dims.end()) {}  // NOLINT
  template <class It>
  Shape(It first, It last) {
    for (; first != last; ++first) push_back(static_cast<std::int64_t>(*first));
  }

  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  std::int64_t operator[](std::size_t i) const { return d_[i]; }
  std::int64_t& operator[](std::size_t i) { return d_[i]; }
  std::int64_t back() const { return d_[n_ - 1]; }
  const std::int64_t* begin() const { return d_.data(); }
  const std::int64_t* end() const { return d_.data() + n_; }
  std::int64_t* begin() { return d_.data(); }
  std::int64_t* end() { return d_.data() + n_; }

  void push_back(std::int64_t v);
  void insert(std::size_t pos, std::int64_t v);
  void erase(std::size_t pos);

  // The product of the sizes; saturates at INT64_MAX when it overflows (a shape no tensor can
  // have, rejected by creation and never equal to a real tensor's numel), 0 if any size is 0.
  std::int64_t numel() const {
    std::int64_t n = 1;
    bool overflow = false;
    for (std::size_t i = 0; i < n_; ++i) {
      if (d_[i] == 0) return 0;
      overflow = __builtin_mul_overflow(n, d_[i], &n) || overflow;
    }
    return overflow ? INT64_MAX : n;
  }
  std::vector<std::int64_t> vec() const { return {begin(), end()}; }
  operator std::vector<std::int64_t>() const { return vec(); }  // NOLINT

  friend bool operator==(const Shape& a, const Shape& b) {
    if (a.n_ != b.n_) return false;
    for (std::size_t i = 0; i < a.n_; ++i)
      if (a.d_[i] != b.d_[i]) return false;
    return true;
  }

 private:
  std::array<std::int64_t, kMaxDims> d_{};
  std::uint8_t n_ = 0;
};

std::string to_string(const Shape& s);  // "[2, 3]"

// The dims a reduction or permutation takes, as LibTorch's IntArrayRef accepts them: one int
// (x.sum(1)), a braced list (x.sum({0, 1})) or a vector; empty means every dim.
class Dims {
 public:
  Dims() = default;
  Dims(std::int64_t d) : v_{d} {}                                 // NOLINT: implicit on purpose
  Dims(std::initializer_list<std::int64_t> d) : v_(d) {}          // NOLINT
  Dims(std::vector<std::int64_t> d) : v_(std::move(d)) {}         // NOLINT
  operator const std::vector<std::int64_t>&() const { return v_; }  // NOLINT
  const std::vector<std::int64_t>& vec() const { return v_; }

 private:
  std::vector<std::int64_t> v_;
};

// Row-major strides (in elements) of a contiguous tensor.
std::array<std::int64_t, Shape::kMaxDims> contiguous_strides(const Shape& s);

// NumPy/PyTorch broadcasting of two shapes; throws ShapeError naming `op` on mismatch.
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);

// Wraps a possibly negative dim into [0, ndim); throws IndexError naming `op` otherwise.
std::size_t wrap_dim(const char* op, std::int64_t dim, std::size_t ndim);

}  // namespace xg
