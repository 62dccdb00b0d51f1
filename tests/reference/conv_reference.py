#!/usr/bin/python3
"""Reference numbers for tests/test_ops_conv*.cpp and test_ops_pool.cpp, from PyTorch (Debian's python3-torch).

Run: /usr/bin/python3 tests/reference/conv_reference.py > tests/conv_reference_values.h
The inputs are the closed-form sequences the C++ tests build (xgt::seq: a + b·i + c·i² at flat
index i, and sin of one for the pools, so no window has a tie). Each case prints the output and
the gradients of sum(out · r) with r = seq(out.shape, 0.2, -0.05, 0.003).
"""
import torch

torch.set_default_dtype(torch.float64)
F = torch.nn.functional
out = []


def seq(shape, a, b, c):
    n = 1
    for s in shape:
        n *= s
    return torch.tensor([a + b * i + c * i * i for i in range(n)]).reshape(shape)


def wave(shape):
    return torch.sin(seq(shape, 0.3, 0.7, 0.01))


def show(name, t):
    t = t.detach()
    vals = ", ".join(f"{v:.17g}" for v in t.flatten().tolist())
    out.append(f"// {list(t.shape)}\ninline const std::vector<double> {name} = {{{vals}}};")


def case(name, fn, *inputs):
    ins = [t.clone().requires_grad_() for t in inputs]
    y = fn(*ins)
    show(name + "_y", y)
    (y * seq(y.shape, 0.2, -0.05, 0.003)).sum().backward()
    for i, t in enumerate(ins):
        show(f"{name}_d{i}", t.grad)


# conv2d: groups 2, stride (2, 1), padding (1, 2), dilation (1, 2), bias
case("conv2d_grouped", lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2),
     seq([2, 4, 5, 4], -0.7, 0.05, 0.001), seq([6, 2, 3, 2], 0.4, -0.03, 0.002), seq([6], 0.1, 0.2, 0))
# conv2d padding="same" with even kernel sizes (PyTorch pads the extra one at the end)
case("conv2d_same", lambda x, w: F.conv2d(x, w, padding="same", dilation=(1, 1)),
     seq([1, 2, 4, 5], 0.3, -0.04, 0.002), seq([3, 2, 2, 4], -0.2, 0.05, -0.001))
# depthwise with channel multiplier 2, stride 2, padding 1
case("conv2d_depthwise", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, groups=3),
     seq([2, 3, 5, 5], 0.1, 0.02, -0.0003), seq([6, 1, 3, 3], -0.5, 0.07, 0.001), seq([6], -0.3, 0.1, 0))
# 1x1 conv
case("conv2d_pointwise", lambda x, w: F.conv2d(x, w), seq([2, 3, 2, 3], 0.5, -0.02, 0.001), seq([4, 3, 1, 1], 0.2, 0.1, -0.01))
# conv1d: stride 2, padding 1, dilation 2, groups 2
case("conv1d", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, dilation=2, groups=2),
     seq([2, 4, 9], 0.2, -0.03, 0.001), seq([4, 2, 3], -0.1, 0.06, 0.002), seq([4], 0.5, -0.2, 0))
case("conv1d_same", lambda x, w: F.conv1d(x, w, padding="same", dilation=3),
     seq([1, 2, 7], 0.2, 0.03, -0.001), seq([2, 2, 2], 0.3, -0.1, 0.01))
# conv_transpose2d: stride (2, 3), padding (1, 0), output_padding (1, 2), groups 2, dilation (1, 2)
case("conv_transpose2d", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=(2, 3), padding=(1, 0), output_padding=(1, 2),
                                                              groups=2, dilation=(1, 2)),
     seq([2, 4, 3, 2], 0.3, -0.02, 0.001), seq([4, 3, 3, 2], -0.4, 0.05, -0.0007), seq([6], 0.2, -0.1, 0))
# unfold / fold
case("unfold", lambda x: F.unfold(x, kernel_size=(2, 3), dilation=(2, 1), padding=1, stride=(1, 2)), seq([2, 2, 4, 5], 0.1, 0.1, -0.002))
case("fold", lambda c: F.fold(c, output_size=(4, 5), kernel_size=(2, 3), dilation=(2, 1), padding=1, stride=(1, 2)),
     seq([2, 12, 12], -0.3, 0.01, 0.0001))
# pools
x_pool = wave([2, 2, 5, 7])
case("max_pool2d", lambda x: F.max_pool2d(x, kernel_size=3, stride=2, padding=1, ceil_mode=True), x_pool)
show("max_pool2d_idx", F.max_pool2d(x_pool, kernel_size=3, stride=2, padding=1, ceil_mode=True, return_indices=True)[1].double())
case("max_pool2d_dilated", lambda x: F.max_pool2d(x, kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 2)), x_pool)
case("avg_pool2d", lambda x: F.avg_pool2d(x, kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), x_pool)
case("avg_pool2d_pad", lambda x: F.avg_pool2d(x, kernel_size=(2, 3), stride=(2, 2), padding=(1, 1), ceil_mode=True), x_pool)
case("avg_pool2d_divisor", lambda x: F.avg_pool2d(x, kernel_size=2, divisor_override=3), x_pool)
case("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (3, 4)), x_pool)
case("adaptive_max_pool2d", lambda x: F.adaptive_max_pool2d(x, (3, 4)), x_pool)
show("adaptive_max_pool2d_idx", F.adaptive_max_pool2d(x_pool, (3, 4), return_indices=True)[1].double())
x_pool1 = wave([2, 3, 9])
case("max_pool1d", lambda x: F.max_pool1d(x, 3, 2, 1, ceil_mode=True), x_pool1)
case("avg_pool1d", lambda x: F.avg_pool1d(x, 4, 3, 2, ceil_mode=True, count_include_pad=False), x_pool1)
case("adaptive_avg_pool1d", lambda x: F.adaptive_avg_pool1d(x, 4), x_pool1)
case("adaptive_max_pool1d", lambda x: F.adaptive_max_pool1d(x, 4), x_pool1)
# pad
x_pad = seq([2, 3, 4], 0.1, 0.3, -0.01)
case("pad_reflect", lambda x: F.pad(x, (2, 3, 1, 2), mode="reflect"), x_pad.unsqueeze(0))
case("pad_replicate", lambda x: F.pad(x, (2, 1, 0, 3), mode="replicate"), x_pad.unsqueeze(0))
case("pad_circular", lambda x: F.pad(x, (3, 1, 2, 0), mode="circular"), x_pad.unsqueeze(0))
case("pad_constant", lambda x: F.pad(x, (1, -2, 2, 1), value=0.5), x_pad)

# interpolate
x_int = seq([1, 2, 3, 4], 0.1, 0.3, -0.02)
case("interp_nearest_size", lambda x: F.interpolate(x, size=(5, 7), mode="nearest"), x_int)
case("interp_nearest_scale", lambda x: F.interpolate(x, scale_factor=(2.0, 1.5), mode="nearest"), x_int)
case("interp_bilinear", lambda x: F.interpolate(x, size=(5, 7), mode="bilinear", align_corners=False), x_int)
case("interp_bilinear_ac", lambda x: F.interpolate(x, size=(5, 7), mode="bilinear", align_corners=True), x_int)
case("interp_bilinear_scale", lambda x: F.interpolate(x, scale_factor=1.7, mode="bilinear"), x_int)
case("interp_bilinear_down", lambda x: F.interpolate(x, size=(2, 3), mode="bilinear"), x_int)

# BatchNorm2d: training forward and gradients, running stats after two batches, eval output
xb = seq([2, 3, 2, 3], 0.3, 0.41, -0.037).requires_grad_()
bn = torch.nn.BatchNorm2d(3, eps=1e-5, momentum=0.1)
with torch.no_grad():
    bn.weight.copy_(torch.tensor([1.5, -0.5, 2.0]))
    bn.bias.copy_(torch.tensor([0.1, 0.2, -0.3]))
yb = bn(xb)
(yb * seq(yb.shape, 0.2, -0.05, 0.003)).sum().backward()
show("bn2d_y", yb)
show("bn2d_dx", xb.grad)
show("bn2d_dweight", bn.weight.grad)
show("bn2d_dbias", bn.bias.grad)
xb2 = seq([2, 3, 2, 3], -1.0, 0.23, 0.02)
bn(xb2)
show("bn2d_running_mean", bn.running_mean)
show("bn2d_running_var", bn.running_var)
bn.eval()
show("bn2d_eval_y", bn(xb2))

print("#pragma once")
print("// Generated by tests/reference/conv_reference.py (PyTorch " + torch.__version__ + "); do not edit.")
print("#include <vector>\n\nnamespace convref {\n")
print("\n".join(out))
print("\n}  // namespace convref")
