#pragma once
// Helpers of the convolution and pooling tests: PyTorch reference cases and a direct conv loop.
#include "check.h"
#include "conv_reference_values.h"

namespace xgt {

// fn(inputs) equals y and the gradients of sum(fn · r), r = seq(y.shape, 0.2, -0.05, 0.003),
// equal grads (one per input), as printed by tests/reference/conv_reference.py.
inline void check_reference(const xg::GradcheckFn& fn, std::vector<xg::Tensor> inputs, const std::vector<double>& y,
                            const std::vector<const std::vector<double>*>& grads, double tol = 1e-12) {
  for (auto& t : inputs) t = t.detach().clone().requires_grad_(true);
  const xg::Tensor out = fn(inputs);
  check_values(out, y, tol);
  (out * seq(out.shape(), 0.2, -0.05, 0.003, false)).sum().backward();
  REQUIRE(grads.size() == inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    CAPTURE(i);
    check_values(inputs[i].grad(), *grads[i], tol);
  }
}

// The conv2d definition as a direct loop over every output and tap, in double.
inline std::vector<double> direct_conv2d(const xg::Tensor& x, const xg::Tensor& w, const xg::Tensor& b, std::int64_t sh,
                                         std::int64_t sw, std::int64_t ph, std::int64_t pw, std::int64_t dh, std::int64_t dw,
                                         std::int64_t groups) {
  const auto X = x.to_vector<double>(), Wt = w.to_vector<double>();
  const std::int64_t N = x.size(0), C = x.size(1), H = x.size(2), Wd = x.size(3);
  const std::int64_t Co = w.size(0), Cg = w.size(1), kh = w.size(2), kw = w.size(3), Og = Co / groups;
  const std::int64_t Ho = (H + 2 * ph - dh * (kh - 1) - 1) / sh + 1, Wo = (Wd + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
  std::vector<double> y(static_cast<std::size_t>(N * Co * Ho * Wo));
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t co = 0; co < Co; ++co)
      for (std::int64_t oh = 0; oh < Ho; ++oh)
        for (std::int64_t ow = 0; ow < Wo; ++ow) {
          double acc = b.defined() ? b.to_vector<double>()[static_cast<std::size_t>(co)] : 0.0;
          for (std::int64_t c = 0; c < Cg; ++c)
            for (std::int64_t i = 0; i < kh; ++i)
              for (std::int64_t j = 0; j < kw; ++j) {
                const std::int64_t ih = oh * sh - ph + i * dh, iw = ow * sw - pw + j * dw;
                if (ih < 0 || ih >= H || iw < 0 || iw >= Wd) continue;
                const std::int64_t ci = (co / Og) * Cg + c;
                acc += Wt[static_cast<std::size_t>(((co * Cg + c) * kh + i) * kw + j)] *
                       X[static_cast<std::size_t>(((n * C + ci) * H + ih) * Wd + iw)];
              }
          y[static_cast<std::size_t>(((n * Co + co) * Ho + oh) * Wo + ow)] = acc;
        }
  return y;
}

}  // namespace xgt
