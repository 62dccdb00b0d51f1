// data/: the IDX reader (hand-built files, plain and gzip, and every malformed case) and
// Fashion-MNIST (the real Debian files when installed, skipped with a note otherwise).
// Expected values: the hand-built IDX bytes below are decoded by hand in the comments; the
// Fashion-MNIST facts (class counts, first labels, pixel sum of image 0) were computed with
// NumPy from /usr/share/datasets/fashion-mnist (gzip.open + np.frombuffer).
#include "check.h"

#include <filesystem>
#include <iostream>

#include "data/data.h"

namespace data = xg::data;
namespace fs = std::filesystem;

namespace {
using xgt::TempDir;

void write_bytes(const std::string& path, const data::Bytes& b) {
  xgt::write_file(path, std::string(b.begin(), b.end()));
}

// 2 x 2 x 3 unsigned bytes 0, 10, 20, ..., 110.
data::Bytes ubyte_2x2x3() {
  data::Bytes b = {0x00, 0x00, 0x08, 0x03, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3};
  for (int i = 0; i < 12; ++i) b.push_back(static_cast<unsigned char>(10 * i));
  return b;
}
}  // namespace

TEST_CASE("data: IDX files built byte by byte decode to the right values") {
  const auto a = data::parse_idx(ubyte_2x2x3(), "ubyte");
  CHECK(a.type == data::IdxType::UInt8);
  CHECK(a.dims == std::vector<std::int64_t>{2, 2, 3});
  const auto t = data::to_tensor(a);
  CHECK(t.dtype() == xg::kInt64);
  xgt::check_shape(t, {2, 2, 3});
  CHECK(t.at<std::int64_t>({1, 0, 2}) == 80);  // flat index 8

  // int32, 3 values big-endian: 1, -2 (ff ff ff fe), 65536 (00 01 00 00).
  const data::Bytes i32 = {0, 0, 0x0C, 1, 0, 0, 0, 3, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe, 0, 1, 0, 0};
  CHECK(data::to_tensor(data::parse_idx(i32, "i32")).to_vector<std::int64_t>() == std::vector<std::int64_t>{1, -2, 65536});
  // float32 1.5 = 3f c0 00 00, -0.25 = be 80 00 00; float64 2.0 = 40 00 00 00 00 00 00 00.
  const data::Bytes f32 = {0, 0, 0x0D, 1, 0, 0, 0, 2, 0x3f, 0xc0, 0, 0, 0xbe, 0x80, 0, 0};
  const auto tf = data::to_tensor(data::parse_idx(f32, "f32"));
  CHECK(tf.dtype() == xg::kFloat32);
  xgt::check_values(tf, {1.5, -0.25});
  const data::Bytes f64 = {0, 0, 0x0E, 1, 0, 0, 0, 1, 0x40, 0, 0, 0, 0, 0, 0, 0};
  xgt::check_values(data::to_tensor(data::parse_idx(f64, "f64")), {2.0});
  // int8 -1 = ff, int16 -300 = fe d4.
  CHECK(data::to_tensor(data::parse_idx({0, 0, 0x09, 1, 0, 0, 0, 1, 0xff}, "i8")).item<std::int64_t>() == -1);
  CHECK(data::to_tensor(data::parse_idx({0, 0, 0x0B, 1, 0, 0, 0, 1, 0xfe, 0xd4}, "i16")).item<std::int64_t>() == -300);
}

TEST_CASE("data: IDX round trip through plain and gzip files") {
  TempDir dir("idx_roundtrip");
  write_bytes(dir.file("plain-idx3-ubyte"), ubyte_2x2x3());
  const auto plain = data::read_idx(dir.file("plain-idx3-ubyte"));
  // The writer reproduces the hand-built bytes exactly; gzip is detected from the content.
  CHECK(data::serialize_idx(plain) == ubyte_2x2x3());
  data::write_idx(dir.file("copy.gz"), plain, /*gzip=*/true);
  data::write_idx(dir.file("copy-no-gz-suffix"), plain, /*gzip=*/true);
  const auto raw = data::read_file(dir.file("copy.gz"));
  CHECK(data::is_gzip(raw));
  CHECK(data::gunzip(raw, "copy") == ubyte_2x2x3());
  for (const char* name : {"copy.gz", "copy-no-gz-suffix"}) {
    const auto back = data::read_idx(dir.file(name));
    CHECK(back.dims == plain.dims);
    CHECK(back.data == plain.data);
  }
  // Two concatenated gzip members (as `cat a.gz b.gz`) inflate to both.
  auto twice = data::gzip({1, 2, 3});
  const auto second = data::gzip({4, 5});
  twice.insert(twice.end(), second.begin(), second.end());
  CHECK(data::gunzip(twice, "two members") == data::Bytes{1, 2, 3, 4, 5});
  // Tensors of every dtype round-trip.
  for (const auto& t : {xg::tensor({1.5, -2.25, 3}, xg::kFloat32), xg::tensor({{1e300, -1e-300}}, xg::kFloat64),
                        xg::tensor({-7, 0, 2147483647}, xg::kInt64)}) {
    data::write_idx(dir.file("t.idx.gz"), data::idx_from_tensor(t), true);
    CHECK(xg::equal(data::to_tensor(data::read_idx(dir.file("t.idx.gz"))), t));
  }
  CHECK_THROWS_AS(data::idx_from_tensor(xg::tensor({256}, xg::kInt64), /*as_uint8=*/true), xg::ValueError);
}

TEST_CASE("data: malformed IDX files raise FormatError naming the problem") {
  auto bad = [](data::Bytes b, const char* what) {
    CAPTURE(what);
    XGT_CHECK_THROWS_MSG(data::parse_idx(b, "'f.idx'"), xg::FormatError, what);
  };
  bad({0, 0, 8}, "shorter than the 4-byte magic");
  bad({1, 0, 8, 1, 0, 0, 0, 1, 7}, "bad magic number 01 00 08 01");
  bad({0, 0, 0x07, 1, 0, 0, 0, 1, 7}, "unknown IDX type code 0x07");
  bad({0, 0, 8, 0}, "0 dimensions");
  bad({0, 0, 8, 3, 0, 0, 0, 2, 0, 0}, "truncated IDX header: 3 dimensions need 16 header bytes, the file has 10");
  auto truncated = ubyte_2x2x3();
  truncated.pop_back();
  bad(truncated, "truncated IDX data: dims 2 x 2 x 3 need 12 bytes of data, the file has 11");
  auto trailing = ubyte_2x2x3();
  trailing.push_back(0);
  bad(trailing, "(1 trailing bytes)");
  // Dims whose product overflows 64 bits: rejected without allocating or reading past the buffer.
  bad({0, 0, 0x0E, 4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3},
      "need more than 2^64 bytes");
  // Dims that disagree with the data in the other direction: 2 x 0 needs no data.
  bad({0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 0, 9}, "dims 2 x 0 need 0 bytes of data but the file has 1");

  TempDir dir("idx_bad");
  const auto gz = data::gzip(ubyte_2x2x3());
  // A truncated gzip stream and a corrupted one.
  write_bytes(dir.file("cut.gz"), data::Bytes(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(gz.size() / 2)));
  XGT_CHECK_THROWS_MSG(data::read_idx(dir.file("cut.gz")), xg::FormatError, "truncated gzip");
  auto corrupt = gz;
  for (std::size_t i = 10; i < corrupt.size(); ++i) corrupt[i] = 0xff;
  write_bytes(dir.file("corrupt.gz"), corrupt);
  XGT_CHECK_THROWS_MSG(data::read_idx(dir.file("corrupt.gz")), xg::FormatError, "corrupt gzip");
  // A gzip'ed file whose content is malformed names the file.
  write_bytes(dir.file("trunc.gz"), data::gzip(truncated));
  XGT_CHECK_THROWS_MSG(data::read_idx(dir.file("trunc.gz")), xg::FormatError, dir.file("trunc.gz").c_str());
  XGT_CHECK_THROWS_MSG(data::read_idx(dir.file("absent")), xg::IOError, dir.file("absent").c_str());
}

TEST_CASE("data: MNIST-format image/label pairs are scaled to [0, 1] and checked") {
  TempDir dir("mnist_small");
  // 3 images of 2 x 2: pixel values 0, 51, 102, 153, 204, 255, ... (51 = 0.2 · 255).
  data::IdxArray images{data::IdxType::UInt8, {3, 2, 2}, {}};
  for (int i = 0; i < 12; ++i) images.data.push_back(static_cast<unsigned char>((51 * i) % 256));
  data::IdxArray labels{data::IdxType::UInt8, {3}, {9, 0, 4}};
  data::write_idx(dir.file("train-images-idx3-ubyte.gz"), images, true);
  data::write_idx(dir.file("train-labels-idx1-ubyte"), labels, false);  // plain works too
  data::write_idx(dir.file("t10k-images-idx3-ubyte.gz"), images, true);
  data::write_idx(dir.file("t10k-labels-idx1-ubyte.gz"), data::IdxArray{data::IdxType::UInt8, {3}, {1, 10, 2}}, true);

  data::FashionMNIST ds(dir.path.string(), "train");
  CHECK(ds.size() == 3);
  xgt::check_shape(ds.features(), {3, 2, 2});
  CHECK(ds.features().dtype() == xg::kFloat32);
  CHECK(ds.targets().to_vector<std::int64_t>() == std::vector<std::int64_t>{9, 0, 4});
  xgt::check_values(ds.get(1).data, {204 / 255.0, 1.0, (306 % 256) / 255.0, (357 % 256) / 255.0}, 1e-7);
  data::FashionMNIST flat(dir.path.string(), data::Split::Train, {.flatten = true, .normalize = std::pair{0.5, 0.25}});
  xgt::check_shape(flat.features(), {3, 4});
  xgt::check_values(xg::slice(flat.features(), 0, 0, 1), {-2, (0.2 - 0.5) / 0.25, (0.4 - 0.5) / 0.25, (0.6 - 0.5) / 0.25}, 1e-6);
  // A label outside 0..9.
  XGT_CHECK_THROWS_MSG(data::FashionMNIST(dir.path.string(), data::Split::Test), xg::FormatError,
                       "label 10 at index 1");
  // Images and labels that disagree in count.
  data::write_idx(dir.file("train-labels-idx1-ubyte"), data::IdxArray{data::IdxType::UInt8, {2}, {1, 2}}, false);
  XGT_CHECK_THROWS_MSG(data::FashionMNIST(dir.path.string()), xg::FormatError, "holds 3 images but");
  XGT_CHECK_THROWS_MSG(data::FashionMNIST(dir.path.string(), "dev"), xg::ValueError, "got \"dev\"");
}

TEST_CASE("data: a missing Fashion-MNIST file names the path and the Debian package") {
  TempDir dir("mnist_missing");
  XGT_CHECK_THROWS_MSG(data::FashionMNIST(dir.path.string()), xg::IOError,
                       dir.file("train-images-idx3-ubyte.gz").c_str());
  XGT_CHECK_THROWS_MSG(data::FashionMNIST(dir.path.string()), xg::IOError, "apt-get install dataset-fashion-mnist");
}

TEST_CASE("data: Fashion-MNIST from Debian's dataset-fashion-mnist package") {
  const std::string root = data::FashionMNIST::default_root();
  if (!fs::exists(fs::path(root) / "train-images-idx3-ubyte.gz")) {
    std::cout << "[data] skipped: Fashion-MNIST not found under " << root
              << " (apt-get install dataset-fashion-mnist)\n";
    return;
  }
  const data::FashionMNIST train(root, data::Split::Train);
  const data::FashionMNIST test(root, data::Split::Test);
  CHECK(train.size() == 60000);
  CHECK(test.size() == 10000);
  xgt::check_shape(train.features(), {60000, 28, 28});
  xgt::check_shape(test.features(), {10000, 28, 28});
  CHECK(train.features().dtype() == xg::kFloat32);
  CHECK(train.targets().dtype() == xg::kInt64);
  // Balanced classes: 6000 / 1000 of each label 0..9.
  std::vector<std::int64_t> counts(10, 0), test_counts(10, 0);
  for (auto y : train.targets().to_vector<std::int64_t>()) {
    REQUIRE((y >= 0 && y <= 9));
    ++counts[static_cast<std::size_t>(y)];
  }
  for (auto y : test.targets().to_vector<std::int64_t>()) ++test_counts[static_cast<std::size_t>(y)];
  CHECK(counts == std::vector<std::int64_t>(10, 6000));
  CHECK(test_counts == std::vector<std::int64_t>(10, 1000));
  const auto first = train.targets().to_vector<std::int64_t>();
  CHECK(std::vector<std::int64_t>(first.begin(), first.begin() + 5) == std::vector<std::int64_t>{9, 0, 0, 3, 0});
  CHECK(xg::max(train.features()).item<double>() == 1.0);
  CHECK(xg::min(train.features()).item<double>() == 0.0);
  // Image 0's pixels sum to 76247 / 255 (NumPy); the mean over the training set is kMean (to float32
  // rounding of the scaled pixels).
  CHECK(xg::sum(train.get(0).data.to(xg::kFloat64)).item<double>() == doctest::Approx(76247 / 255.0).epsilon(1e-6));
  CHECK(xg::mean(train.features().to(xg::kFloat64)).item<double>() == doctest::Approx(data::FashionMNIST::kMean).epsilon(1e-6));
  const auto norm = data::Standardizer::fit(train.features(), /*per_feature=*/false);
  CHECK(norm.std().item<double>() == doctest::Approx(data::FashionMNIST::kStd).epsilon(1e-7));
  data::FashionMNISTOptions opts;
  opts.flatten = true;
  const data::FashionMNIST flat(root, data::Split::Test, opts);
  xgt::check_shape(flat.features(), {10000, 784});
  data::DataLoader loader(flat, 1000, true, false, xg::Generator(0));
  CHECK(loader.num_batches() == 10);
  auto [x, y] = *loader.begin();
  xgt::check_shape(x, {1000, 784});
  xgt::check_shape(y, {1000});
}
