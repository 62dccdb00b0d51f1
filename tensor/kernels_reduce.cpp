// Reductions, arg-reductions and softmax. Each works on a view [A, R, B] of the input: A = the
// dims before the reduced block, R = the reduced block, B = the dims after it. Non-adjacent
// reduced dims are first permuted to the end.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "tensor/detail/reduce.h"
#include "tensor/detail/kernels.h"

namespace xg::kernel {

Block as_block(const Tensor& x, std::vector<std::size_t> dims) {
  std::sort(dims.begin(), dims.end());
  const Shape& s = x.shape();
  Block blk;
  bool adjacent = true;
  for (std::size_t i = 1; i < dims.size(); ++i) adjacent &= dims[i] == dims[i - 1] + 1;
  if (adjacent && !dims.empty()) {
    blk.x = x;
    for (std::size_t d = 0; d < s.size(); ++d) {
      if (d < dims.front()) blk.A *= s[d];
      else if (d <= dims.back()) blk.R *= s[d];
      else blk.B *= s[d];
    }
    return blk;
  }
  std::vector<std::size_t> perm;
  for (std::size_t d = 0; d < s.size(); ++d)
    if (!std::binary_search(dims.begin(), dims.end(), d)) perm.push_back(d);
  for (auto d : dims) perm.push_back(d);
  blk.x = permute(x, perm);
  for (std::size_t d = 0; d < s.size(); ++d) {
    if (std::binary_search(dims.begin(), dims.end(), d)) blk.R *= s[d];
    else blk.A *= s[d];
  }
  return blk;
}

ReduceView as_reduce_view(const Tensor& x, std::vector<std::size_t> dims) {
  std::sort(dims.begin(), dims.end());
  const Shape& s = x.shape();
  // Runs of reduced / kept dims (size-1 dims belong to neither), as (size, reduced) pairs.
  std::vector<std::pair<std::int64_t, bool>> runs;
  for (std::size_t d = 0; d < s.size(); ++d) {
    if (s[d] == 1) continue;
    const bool red = std::binary_search(dims.begin(), dims.end(), d);
    if (!runs.empty() && runs.back().second == red) runs.back().first *= s[d];
    else runs.emplace_back(s[d], red);
  }
  ReduceView v;
  const auto reduced_runs = std::count_if(runs.begin(), runs.end(), [](const auto& r) { return r.second; });
  if (reduced_runs > 2) {
    const Block blk = as_block(x, std::move(dims));
    v.x = blk.x, v.A = blk.A, v.R2 = blk.R;
    return v;
  }
  // Filled from the back: B, then R2, M, R1, A.
  v.x = x;
  std::int64_t* slots[] = {&v.B, &v.R2, &v.M, &v.R1, &v.A};
  std::size_t slot = 0;
  for (auto r = runs.rbegin(); r != runs.rend(); ++r) {
    if (r->second != (slot % 2 == 1)) ++slot;  // no kept run at this end: that slot stays 1
    *slots[slot++] = r->first;
  }
  return v;
}

Shape reduced_shape(const Shape& s, const std::vector<std::size_t>& dims, bool keepdim) {
  Shape out;
  for (std::size_t d = 0; d < s.size(); ++d) {
    const bool red = std::find(dims.begin(), dims.end(), d) != dims.end();
    if (!red) out.push_back(s[d]);
    else if (keepdim) out.push_back(1);
  }
  return out;
}

Tensor logsumexp(const Tensor& x, const std::vector<std::size_t>& dims, bool keepdim) {
  Tensor out = make_tensor(reduced_shape(x.shape(), dims, keepdim), x.dtype());
  if (dims.empty()) return alias_with_shape(copy(x), out.shape());
  const Block blk = as_block(x, dims);
  dispatch_float(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    using C = Acc<T>;
    const T* px = data_of<T>(blk.x);
    T* po = data_of<T>(out);
    const std::int64_t R = blk.R, B = blk.B;
    std::vector<C> acc(static_cast<std::size_t>(B)), mx(static_cast<std::size_t>(B));
    for (std::int64_t a = 0; a < blk.A; ++a) {
      const T* xa = px + a * R * B;
      std::fill(acc.begin(), acc.end(), C(0));
      std::fill(mx.begin(), mx.end(), -std::numeric_limits<C>::infinity());
      for (std::int64_t r = 0; r < R; ++r)
        for (std::int64_t b = 0; b < B; ++b) mx[b] = std::max<C>(mx[b], xa[r * B + b]);
      for (auto& m : mx)
        if (!std::isfinite(m)) m = 0;  // all -inf (or inf/nan): no shift
      for (std::int64_t r = 0; r < R; ++r)
        for (std::int64_t b = 0; b < B; ++b) acc[b] += std::exp(static_cast<C>(xa[r * B + b]) - mx[b]);
      for (std::int64_t b = 0; b < B; ++b) po[a * B + b] = static_cast<T>(std::log(acc[b]) + mx[b]);
    }
  });
  return out;
}

std::pair<Tensor, Tensor> reduce_arg(bool is_max, const Tensor& x, std::size_t dim, bool keepdim) {
  const std::vector<std::size_t> dims{dim};
  const Shape os = reduced_shape(x.shape(), dims, keepdim);
  Tensor values = make_tensor(os, x.dtype());
  Tensor indices = make_tensor(os, kInt64);
  Block blk = as_block(x, dims);
  dispatch(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* px = data_of<T>(blk.x);
    T* pv = data_of<T>(values);
    std::int64_t* pi = data_of<std::int64_t>(indices);
    for (std::int64_t a = 0; a < blk.A; ++a)
      for (std::int64_t b = 0; b < blk.B; ++b) {
        const T* p = px + a * blk.R * blk.B + b;
        T best = p[0];
        std::int64_t bi = 0;
        for (std::int64_t r = 1; r < blk.R; ++r) {
          const T v = p[r * blk.B];
          if (best != best) break;  // NaN wins, as in PyTorch
          if ((is_max ? v > best : v < best) || v != v) {
            best = v;
            bi = r;
          }
        }
        pv[a * blk.B + b] = best;
        pi[a * blk.B + b] = bi;
      }
  });
  return {values, indices};
}

Tensor softmax(const Tensor& x, std::size_t dim, bool log) {
  Block blk = as_block(x, {dim});
  Tensor out = make_tensor(x.shape(), x.dtype());
  dispatch_float(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* px = data_of<T>(blk.x);
    T* po = data_of<T>(out);
    const std::int64_t R = blk.R, B = blk.B;
    for (std::int64_t a = 0; a < blk.A; ++a)
      for (std::int64_t b = 0; b < B; ++b) {
        const T* p = px + a * R * B + b;
        T* q = po + a * R * B + b;
        T m = -std::numeric_limits<T>::infinity();
        for (std::int64_t r = 0; r < R; ++r) m = std::max(m, p[r * B]);
        if (!std::isfinite(m)) m = 0;
        Acc<T> s = 0;
        for (std::int64_t r = 0; r < R; ++r) {
          const T e = std::exp(p[r * B] - m);
          s += e;
          if (!log) q[r * B] = e;
        }
        if (log) {
          // (x - m) - log s, not x - (m + log s): exact near 0 beside large values (PyTorch's order).
          const T log_s = static_cast<T>(std::log(s));
          for (std::int64_t r = 0; r < R; ++r) q[r * B] = (p[r * B] - m) - log_s;
        } else {
          const T inv = static_cast<T>(1 / s);
          for (std::int64_t r = 0; r < R; ++r) q[r * B] *= inv;
        }
      }
  });
  return out;
}

}  // namespace xg::kernel
