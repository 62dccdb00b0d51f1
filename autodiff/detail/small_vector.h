#pragma once
#include <array>
#include <cstddef>
#include <vector>

namespace xg::autograd {

// A vector whose first N elements live inline: nodes with few inputs allocate nothing extra.
template <class T, std::size_t N>
class SmallVector {
 public:
  SmallVector() = default;
  SmallVector(std::initializer_list<T> xs) {
    for (const auto& x : xs) push_back(x);
  }
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  T& operator[](std::size_t i) { return i < N ? inline_[i] : heap_[i - N]; }
  const T& operator[](std::size_t i) const { return i < N ? inline_[i] : heap_[i - N]; }
  void push_back(T x) {
    if (n_ < N) inline_[n_] = std::move(x);
    else heap_.push_back(std::move(x));
    ++n_;
  }
  void clear() {
    for (std::size_t i = 0; i < n_ && i < N; ++i) inline_[i] = T{};
    heap_.clear();
    n_ = 0;
  }

 private:
  std::array<T, N> inline_{};
  std::vector<T> heap_;
  std::size_t n_ = 0;
};

}  // namespace xg::autograd
