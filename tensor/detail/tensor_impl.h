#pragma once
// Internal: what a Tensor handle points to. Not part of the public API.
#include <atomic>
#include <cstdlib>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace xg {

// A flat, 64-byte aligned buffer shared by a tensor and its views. `version` counts in-place
// writes so autograd can tell when a value saved for backward was overwritten.
struct Storage {
  static constexpr std::size_t kInlineBytes = 16;
  void* data = nullptr;
  std::size_t nbytes = 0;
  std::uint32_t version = 0;
  const char* last_inplace_op = nullptr;
  alignas(16) unsigned char inline_buf[kInlineBytes];
  // The tensors that view this storage (reshape's outputs and their inputs), so that an in-place
  // op on one gives the others their new history; guarded by aliases_lock.
  std::vector<std::weak_ptr<TensorImpl>> aliases;
  std::atomic_flag aliases_lock = ATOMIC_FLAG_INIT;  // 16, not 64: over-aligned objects take glibc's slow memalign path

  // Memory that the caller owns (from_blob): not freed here; `release`, if set, is called instead.
  std::function<void(void*)> release;
  bool borrowed = false;

  explicit Storage(std::size_t bytes);
  Storage(void* borrowed_data, std::size_t bytes, std::function<void(void*)> release_fn);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
};

struct AutogradExtra {
  Tensor grad;
  bool retains_grad = false;
  bool no_grad_view = false;  // a view, taken under NoGradGuard, of a tensor that required grad
  std::vector<std::pair<std::int64_t, Hook>> hooks;  // leaf hooks; non-leaf hooks live on grad_fn
  // Leaf hooks run once per backward after the leaf's last gradient went into .grad(); the engine
  // counts the edges into the leaf still to run in post_pending (valid while post_epoch is its own).
  std::vector<std::pair<std::int64_t, PostAccumulateGradHook>> post_hooks;
  std::int32_t post_pending = 0;
  std::uint64_t post_epoch = 0;
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  std::int64_t numel = 0;
  DType dtype = kFloat32;
  bool requires_grad = false;
  std::shared_ptr<autograd::Node> grad_fn;
  std::unique_ptr<AutogradExtra> extra;

  AutogradExtra& autograd_extra() {
    if (!extra) extra = std::make_unique<AutogradExtra>();
    return *extra;
  }
};

// The public op running on this thread (the outermost one; null outside ops), so an error from
// deep inside a kernel, such as an allocation the system refuses, names the call the user made.
const char* current_op();
class CurrentOpScope {
 public:
  explicit CurrentOpScope(const char* name);
  ~CurrentOpScope();
  CurrentOpScope(const CurrentOpScope&) = delete;
  CurrentOpScope& operator=(const CurrentOpScope&) = delete;

 private:
  bool outermost_;
};

// Allocates an uninitialized contiguous tensor.
// Every size non-negative and the bytes addressable, else ValueError naming `op` and the shape.
std::int64_t checked_numel(const Shape& shape, DType dtype, const char* op);
// A new contiguous tensor, uninitialized.
// OutOfMemoryError naming op (by default the current op), shape and bytes when the system refuses
// the allocation.
Tensor make_tensor(const Shape& shape, DType dtype, const char* op = nullptr);
// ValueError naming op when v cannot be stored in dtype (NaN, infinite or out of range for int64).
void check_representable(const char* op, DType dtype, double v);
// A new handle over the same storage with another shape (same numel), no autograd history.
Tensor alias_with_shape(const Tensor& t, const Shape& shape);


template <class T> inline T* data_of(const Tensor& t) { return static_cast<T*>(t.impl()->storage->data); }

}  // namespace xg
