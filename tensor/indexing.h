#pragma once
// The index types of Tensor::index and index_put_, as LibTorch's torch::indexing:
//   x.index({Slice(), 0})              x[:, 0]
//   x.index({Slice(1, None, 2)})       x[1::2]
//   x.index({None, Ellipsis, -1})      x[None, ..., -1]
//   x.index({mask}), x.index({idx})    x[mask] (kBool), x[idx] (int64)
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

#include "tensor/tensor.h"

namespace xg::indexing {

struct NoneType {};
struct EllipsisType {};
inline constexpr NoneType None{};
inline constexpr EllipsisType Ellipsis{};

// One bound of a Slice: an integer or None.
class SliceBound {
 public:
  SliceBound(NoneType) {}  // NOLINT: implicit on purpose
  template <class T>
    requires std::is_integral_v<T>
  SliceBound(T v) : v_(static_cast<std::int64_t>(v)) {}  // NOLINT
  const std::optional<std::int64_t>& value() const { return v_; }

 private:
  std::optional<std::int64_t> v_;
};

// start:stop:step; bounds may be negative (from the end) and are clamped as Python's; step >= 1.
class Slice {
 public:
  Slice(SliceBound start = None, SliceBound stop = None, SliceBound step = None)  // NOLINT
      : start_(start.value()), stop_(stop.value()), step_(step.value().value_or(1)) {}
  const std::optional<std::int64_t>& start() const { return start_; }
  const std::optional<std::int64_t>& stop() const { return stop_; }
  std::int64_t step() const { return step_; }

 private:
  std::optional<std::int64_t> start_, stop_;
  std::int64_t step_;
};

class TensorIndex {
 public:
  enum class Kind : std::uint8_t { None, Ellipsis, Integer, Slice, Tensor };
  TensorIndex(NoneType) : kind_(Kind::None) {}          // NOLINT: implicit, as LibTorch's
  TensorIndex(EllipsisType) : kind_(Kind::Ellipsis) {}  // NOLINT
  // "..." is Ellipsis; any other string is a ValueError when the index is used.
  TensorIndex(const char* s) : kind_(std::string_view(s) == "..." ? Kind::Ellipsis : Kind::None), bad_string_(std::string_view(s) != "...") {}  // NOLINT
  template <class T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  TensorIndex(T i) : kind_(Kind::Integer), integer_(static_cast<std::int64_t>(i)) {}  // NOLINT
  TensorIndex(Slice s) : kind_(Kind::Slice), slice_(s) {}  // NOLINT
  TensorIndex(xg::Tensor t) : kind_(Kind::Tensor), tensor_(std::move(t)) {}  // NOLINT

  Kind kind() const { return kind_; }
  std::int64_t integer() const { return integer_; }
  const Slice& slice() const { return slice_; }
  const xg::Tensor& tensor() const { return tensor_; }
  bool bad_string() const { return bad_string_; }

 private:
  Kind kind_;
  std::int64_t integer_ = 0;
  Slice slice_;
  xg::Tensor tensor_;
  bool bad_string_ = false;
};

}  // namespace xg::indexing
