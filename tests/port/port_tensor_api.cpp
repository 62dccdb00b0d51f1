// The tensor API as LibTorch users write it: method forms, int and braced dims, Scalar item(),
// bool/uint8/int32 dtypes and masks, indexing with torch::indexing, devices, from_blob.
// Expected numbers come from tests/reference/port_tensor_reference.py (PyTorch 1.13, float32);
// the program checks them itself and returns 1 on a mismatch.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <tuple>
#include <vector>

#include <xgrad/torch.h>

using namespace torch::indexing;

namespace {
// ----- from tests/reference/port_tensor_reference.py -----
const std::vector<double> kSum1{-2.5, 1.5, 5.5};
const std::vector<double> kMean1{-0.625, 0.375, 1.375};
const std::vector<double> kMM{1.0714285373687744, 0.3571428060531616, 0.5, 0.9285714626312256, -0.07142862677574158, 1.5};
const std::vector<double> kVar1{0.1041666641831398, 0.1041666641831398, 0.1041666641831398};
const std::vector<double> kStd0{1.0, 1.0, 1.0, 1.0};
const std::vector<double> kNorm1{1.3693064451217651, 0.9354143738746643, 2.8062429428100586};
const std::vector<double> kSoftmax1{0.16529618203639984, 0.21224449574947357, 0.2725273370742798, 0.3499320149421692, 0.16529618203639984, 0.21224449574947357, 0.2725273370742798, 0.3499320149421692, 0.16529618203639984, 0.21224449574947357, 0.2725273370742798, 0.3499320149421692};
const std::vector<double> kLog1pAbs{0.6931471824645996, 0.5596157908439636, 0.40546509623527527, 0.2231435477733612, 0.0, 0.2231435477733612, 0.40546509623527527, 0.5596157908439636, 0.6931471824645996, 0.8109301924705505, 0.9162907600402832, 1.0116009712219238};
const std::vector<double> kMaxValues{-0.25, 0.75, 1.75};
const std::vector<double> kMaxIndices{3.0, 3.0, 3.0};
const std::vector<double> kArgmax0{2.0, 2.0, 2.0, 2.0};
const std::vector<double> kClampPow{0.25, 0.25, 0.25, 0.0625, 0.0, 0.0625, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25};
const std::vector<double> kExpSigmoidSum{17.773414611816406};
const std::vector<double> kMethodLoss{2.335676670074463};
const std::vector<double> kMethodGrad{-1.1715867519378662, -1.1842530965805054, -0.21025428175926208, 0.7466229200363159, -0.6293389797210693, -0.43726497888565063, 0.7414743900299072, 1.9030919075012207, 0.8492756485939026, 0.16393420100212097, 0.4652582108974457, 0.7494604587554932};
const std::vector<double> kMaskCount{7.0};
const std::vector<double> kMaskedFill{2.0, 2.0, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75};
const std::vector<double> kMaskedSelect{1.25, 1.5, 1.75};
const std::vector<double> kMaskLoss{53.08600997924805};
const std::vector<double> kMaskGrad{-1.0, -1.0, -0.25, -0.8125, -1.0, 0.6875, 1.75, 3.1875, 5.0, 10.67784309387207, 14.231689453125, 18.442102432250977};
const std::vector<double> kIndexLoss{27.525402069091797};
const std::vector<double> kIndexGrad{0.0, 4.0, 4.0, 1.7788007259368896, 0.0, 1.5, 2.0, 4.617000102996826, 0.0, 6.0, 6.0, 8.754602432250977};
const std::vector<double> kIndexPutValues{-1.0, 5.0, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 6.0};
const std::vector<double> kIndexPutGradV{10.0, 12.0};

int failures = 0;

void expect(bool ok, const std::string& what) {
  if (!ok) {
    ++failures;
    std::cerr << "FAILED: " << what << "\n";
  }
}

void expect_values(const torch::Tensor& t, const std::vector<double>& want, const std::string& what, double tol = 1e-5) {
  const auto got = t.to(torch::kDouble).contiguous().view(-1);
  bool ok = got.numel() == static_cast<int64_t>(want.size());
  for (int64_t i = 0; ok && i < got.numel(); ++i)
    ok = std::abs(got[i].item<double>() - want[static_cast<std::size_t>(i)]) <= tol * (1 + std::abs(want[static_cast<std::size_t>(i)]));
  if (!ok) std::cerr << what << ": got " << t << "\n";
  expect(ok, what);
}

torch::Tensor input() { return torch::arange(12, torch::kFloat).reshape({3, 4}).div(4).sub(1); }
torch::Tensor weights() { return torch::linspace(-1, 1, 8).view({4, 2}); }

void method_forms() {
  auto x = input();
  auto w = weights();
  expect_values(x.sum(1), kSum1, "x.sum(1)");
  expect_values(x.sum({1}), kSum1, "x.sum({1})");
  expect_values(x.mean(1, true), kMean1, "x.mean(1, true)");
  expect(x.mean(1, true).sizes() == std::vector<int64_t>{3, 1}, "mean keepdim shape");
  expect_values(x.mm(w), kMM, "x.mm(w)");
  expect_values(x.matmul(w), kMM, "x.matmul(w)");
  expect_values(x.var(1), kVar1, "x.var(1)");
  expect_values(x.std(0), kStd0, "x.std(0)");
  expect_values(x.norm(2, 1), kNorm1, "x.norm(2, 1)");
  expect_values(x.softmax(1), kSoftmax1, "x.softmax(1)");
  expect_values(x.abs().log1p(), kLog1pAbs, "x.abs().log1p()");
  auto [values, indices] = x.max(1);
  expect_values(values, kMaxValues, "std::get<0>(x.max(1))");
  expect_values(indices, kMaxIndices, "std::get<1>(x.max(1))");
  expect(indices.dtype() == torch::kLong, "max indices are kLong");
  expect_values(x.argmax(0), kArgmax0, "x.argmax(0)");
  expect_values(x.clamp(-0.5, 0.5).pow(2), kClampPow, "x.clamp(-0.5, 0.5).pow(2)");
  expect_values((x.exp() * x.sigmoid()).sum(), kExpSigmoidSum, "(x.exp() * x.sigmoid()).sum()");
  expect_values(x.narrow(1, 1, 2), {-0.75, -0.5, 0.25, 0.5, 1.25, 1.5}, "x.narrow(1, 1, 2)");
  expect_values(x.index_select(0, torch::tensor({2, 0}, torch::kLong)).select(1, 0), {1.0, -1.0}, "index_select");
  expect_values(x.gather(1, torch::tensor({{0}, {1}, {3}}, torch::kLong)), {-1.0, 0.25, 1.75}, "gather");
  expect(x.t().transpose(0, 1).permute({0, 1}).contiguous().equal(x), "t, transpose, permute, contiguous");
  expect(x.view({2, 6}).reshape({12}).unsqueeze(0).squeeze(0).sizes() == std::vector<int64_t>{12}, "view/reshape/squeeze");
  expect(x.unsqueeze(1).expand_as(torch::zeros({3, 5, 4})).sum(1).allclose(x * 5), "expand_as");
  expect(x.to(torch::kDouble).dtype() == torch::kDouble, "to(kDouble)");
  expect(x.abs().sqrt().pow(2).allclose(x.abs()), "abs, sqrt, pow");
  expect(x.eq(x.clone()).all().item<bool>(), "x.eq(x.clone()).all()");
  expect(torch::randn(3).sizes() == std::vector<int64_t>{3} && torch::zeros(3).sizes() == torch::randn({3}).sizes(),
         "randn(3) and randn({3})");

  // item(): a Scalar that converts, or item<T>()
  expect(x.sum().item().toFloat() == 4.5f, "item().toFloat()");
  expect(x.sum().item<float>() == 4.5f, "item<float>()");
  expect(x.sum().item().to<double>() == 4.5, "item().to<double>()");
  expect(x.argmax().item().toLong() == 11, "argmax().item().toLong()");

  // compound operators
  auto y = x.clone();
  y += x;
  y *= 2;
  y -= torch::ones({3, 4});
  y /= 4;
  expect(y.allclose((x * 4 - 1) / 4), "compound operators");

  // gradients through the method forms
  auto p = input().requires_grad_(true);
  auto loss = p.mm(w).tanh().pow(2).sum() + p.norm(2, 1).sum() + p.var(1).sum() +
              p.log_softmax(1).index({Slice(), 0}).sum();
  loss.backward();
  expect_values(loss, kMethodLoss, "method-form loss");
  expect_values(p.grad(), kMethodGrad, "method-form gradient");
}

void dtypes_and_masks() {
  auto x = input();
  auto mask = x > 0;
  expect(mask.dtype() == torch::kBool, "x > 0 is kBool");
  expect_values(mask.sum(), kMaskCount, "mask.sum()");
  expect(mask.sum().dtype() == torch::kLong, "a mask sums to kLong");
  expect((x == x).all().item<bool>() && (x != x).any().item<bool>() == false, "== and !=");
  expect_values(x.masked_fill(x < -0.5, 2.0), kMaskedFill, "masked_fill");
  expect_values(x.masked_select(x > 1), kMaskedSelect, "masked_select");
  expect_values(torch::where(x > 0, x, -x), x.abs().to(torch::kDouble).view(-1).to_vector<double>(), "where");
  expect_values(torch::logical_and(x > 0, x < 1), {0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0}, "logical_and");
  expect_values(torch::logical_or(x < -0.8, x > 1.6).logical_not(), {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0}, "logical_or/not");
  expect_values(torch::logical_xor(x > 0, x > 1), {0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0}, "logical_xor");
  expect_values((x > 0).any(1), {0, 1, 1}, "any(dim)");
  expect_values((x > 0).all(1), {0, 0, 1}, "all(dim)");

  auto p = input().requires_grad_(true);
  auto loss = torch::where(p > 0, p * p, -p).sum() + p.masked_fill(p < -0.5, 2.0).pow(3).sum() +
              p.masked_select(p > 1).exp().sum();
  loss.backward();
  expect_values(loss, kMaskLoss, "mask loss");
  expect_values(p.grad(), kMaskGrad, "mask gradient");

  // images as bytes, labels as int32
  auto image = torch::tensor({0, 51, 255, 128}, torch::kByte).view({2, 2});
  auto scaled = image.to(torch::kFloat).div(255);
  expect_values(scaled, {0, 0.2, 1, 128.0 / 255}, "uint8 image to float");
  auto labels = torch::tensor({3, 1, 2}, torch::kInt);
  expect(labels.to(torch::kLong).dtype() == torch::kLong, "int32 labels to kLong");
  const std::string path = (std::filesystem::temp_directory_path() / "xgrad_port_tensor_api.safetensors").string();
  torch::save(torch::StateDict{{"image", image}, {"labels", labels}, {"mask", mask}}, path);
  auto back = torch::load(path);
  std::filesystem::remove(path);
  expect(back["image"].equal(image) && back["labels"].equal(labels) && back["mask"].equal(mask), "safetensors u8/i32/bool");
}

void indexing() {
  auto x = input();
  expect_values(x[1], {0, 0.25, 0.5, 0.75}, "x[1]");
  expect_values(x.index({Slice(), 0}), {-1, 0, 1}, "x.index({Slice(), 0})");
  expect_values(x.index({Slice(0, None, 2), Slice(1, 3)}), {-0.75, -0.5, 1.25, 1.5}, "Slice(0, None, 2)");
  expect(x.index({None, Ellipsis, -1}).sizes() == std::vector<int64_t>{1, 3}, "None, Ellipsis");
  expect_values(x.index({x > 1.2}), {1.25, 1.5, 1.75}, "bool mask index");
  expect_values(x.index({torch::tensor({2, 0}, torch::kLong), torch::tensor({3, 0}, torch::kLong)}), {1.75, -1}, "paired index");
  expect_values(x.select(1, -1), {-0.25, 0.75, 1.75}, "select");

  auto p = input().requires_grad_(true);
  auto q = p * 1;
  q.index_put_({Slice(), 0}, 0);
  auto r = q.index({q > 0.2}).sum() + q[1].pow(2).sum() + q.index({None, Ellipsis, -1}).exp().sum() +
           q.index({Slice(None, None, 2), Slice(1, 3)}).sum() * 3 + q.index({torch::tensor({2, 0, 2}, torch::kLong)}).sum();
  r.backward();
  expect_values(r, kIndexLoss, "indexing loss");
  expect_values(p.grad(), kIndexGrad, "indexing gradient");

  auto v = torch::tensor({5.0, 6.0}, torch::requires_grad());
  auto s = p.detach() * 1;
  s.index_put_({torch::tensor({0, 2}, torch::kLong), torch::tensor({1, 3}, torch::kLong)}, v);
  (s * s).sum().backward();
  expect_values(s, kIndexPutValues, "index_put_ values");
  expect_values(v.grad(), kIndexPutGradV, "index_put_ gradient of the values");
}

void devices() {
  torch::Device device(torch::kCPU);
  if (torch::cuda::is_available()) device = torch::Device(torch::kCUDA);
  auto options = torch::TensorOptions().dtype(torch::kFloat).device(device).requires_grad(true);
  auto x = torch::ones({2, 2}, options);
  expect(x.device() == device && x.requires_grad(), "TensorOptions().dtype().device().requires_grad()");
  auto y = x.to(device);
  expect(y.device().is_cpu(), "to(device)");
  auto net = std::make_shared<torch::nn::Module>();
  net->to(device);
  torch::autograd::Variable variable = x * 2;
  expect(variable.requires_grad(), "autograd::Variable is a Tensor");
  bool refused = false;
  try {
    x.to(torch::Device(torch::kCUDA));
  } catch (const std::exception&) {
    refused = true;  // xgrad computes on the CPU only
  }
  expect(refused, "a CUDA device raises");
}

void blobs() {
  std::vector<float> buffer{1, 2, 3, 4, 5, 6};
  auto view = torch::from_blob(buffer.data(), {2, 3}, torch::kFloat);
  auto owned = view.clone();
  buffer[0] = 100;
  expect(view[0][0].item<float>() == 100, "from_blob views the buffer");
  expect(owned[0][0].item<float>() == 1, "clone() owns a copy");
  int deleted = 0;
  {
    auto t = torch::from_blob(buffer.data(), {6}, [&](void*) { ++deleted; }, torch::kFloat);
    expect(t.sum().item<float>() == 120, "from_blob with a deleter");
  }
  expect(deleted == 1, "the deleter ran once");

  auto w = torch::ones(3, torch::requires_grad());
  w.mutable_grad() = torch::full(3, 0.5);
  (w * 2).sum().backward();
  expect_values(w.grad(), {2.5, 2.5, 2.5}, "mutable_grad() then accumulate");
}

// Scans, sorting, rearranging, scatter and search (numbers by hand).
void scans_sorting_scatter() {
  auto x = torch::tensor({{3.0, 1.0, 2.0}, {0.0, 5.0, 4.0}});
  expect_values(x.cumsum(1), {3, 4, 6, 0, 5, 9}, "x.cumsum(1)");
  expect_values(torch::cumprod(x, 0), {3, 1, 2, 0, 5, 8}, "torch::cumprod(x, 0)");
  expect_values(x.flip({0}), {0, 5, 4, 3, 1, 2}, "x.flip({0})");
  expect_values(torch::roll(x, 1, 1), {2, 3, 1, 4, 0, 5}, "torch::roll(x, 1, 1)");
  expect(x.repeat({2, 1}).sizes() == std::vector<int64_t>{4, 3}, "x.repeat({2, 1})");
  expect_values(torch::tril(x), {3, 0, 0, 0, 5, 0}, "torch::tril(x)");
  expect_values(x.triu(1), {0, 1, 2, 0, 0, 4}, "x.triu(1)");
  expect(x.unbind(0).size() == 2 && torch::unbind(x, 1)[2].equal(torch::tensor({2.0, 4.0})), "unbind");
  auto [sorted, order] = x.sort(1, /*descending=*/true);
  expect_values(sorted, {3, 2, 1, 5, 4, 0}, "x.sort(1, true) values");
  expect_values(order, {0, 2, 1, 1, 2, 0}, "x.sort(1, true) indices");
  expect_values(x.argsort(1), {1, 2, 0, 0, 2, 1}, "x.argsort(1)");
  auto [top, where] = torch::topk(x.flatten(), 2);
  expect_values(top, {5, 4}, "torch::topk values");
  expect_values(where, {4, 5}, "torch::topk indices");
  auto index = torch::tensor({{2, 0, 1}}, torch::kLong);
  expect_values(torch::zeros({2, 3}).scatter(1, index, x.index({Slice(0, 1)})), {1, 2, 3, 0, 0, 0}, "scatter");
  auto acc = torch::zeros({2, 3});
  acc.scatter_add_(0, torch::tensor({{1, 1, 0}}, torch::kLong), torch::ones({1, 3}));
  acc.index_fill_(1, torch::tensor({0}, torch::kLong), -1);
  expect_values(acc, {-1, 0, 1, -1, 1, 0}, "scatter_add_ and index_fill_");
  expect_values(torch::nonzero(x > 2.5), {0, 0, 1, 1, 1, 2}, "torch::nonzero");
  auto coords = torch::where(x == 0);
  expect(coords.size() == 2 && coords[0].item<int64_t>() == 1 && coords[1].item<int64_t>() == 0, "torch::where(cond)");
  expect(torch::isclose(x, x * (1 + 1e-6)).all().item<bool>() && !x.isclose(x + 1e-4).any().item<bool>(), "torch::isclose");
  auto y = torch::zeros({2}, x.options());
  expect(y.dtype() == x.dtype(), "zeros(..., x.options())");

  auto p = x.clone().requires_grad_(true);
  auto [values, indices] = p.topk(2, 1);
  (values * torch::tensor({{1.0, 10.0}})).sum().backward();
  expect_values(p.grad(), {1, 0, 10, 0, 1, 10}, "topk gradient");
}
}  // namespace

int main() {
  try {
    method_forms();
    dtypes_and_masks();
    indexing();
    devices();
    blobs();
    scans_sorting_scatter();
  } catch (const std::exception& e) {
    std::cerr << "FAILED with an exception: " << e.what() << "\n";
    return 1;
  }
  std::cout << (failures ? "port_tensor_api: FAILED\n" : "port_tensor_api: all checks passed\n");
  return failures ? 1 : 0;
}
