// libFuzzer target: a small differencing chain opened through an in-memory ImageOpener (no file
// system), parent resolution, and reads of the chain's virtual disk through ChainReader.
//
// Input (all integers little-endian; a field cut short by the end of the input reads as zeros):
//
//   u8   flags      bits 0-1: image count - 1 (a value of 3 means 3 images too)
//                   bit 2:    "direct": besides open_chain, read a ChainReader built straight from
//                             every image that opens, in input order, linked or not
//   then, per image (image 0 is the leaf, the others are files a locator may name):
//   u8   name length k (taken modulo 64), k bytes: the file name; the image lives at /fuzz/<name>
//        ('/' and NUL become '_'; an empty name becomes "image<i>")
//   u32  length m, m bytes: the image as a sparse image (sparse_input.h), clipped to the input
//   then, until the input ends, read operations of 13 bytes each (at most kMaxOps):
//   u8   op         0: read_at, 1: next_extent walk, 2: run_at walk (taken modulo 3)
//   u64  offset     taken modulo the virtual size
//   u32  length     read_at: bytes (at most kMaxRead); walks: max_length of each step
//                   (at most kMaxStep; 0 means the rest of the disk, capped likewise)
//
// Before the input's operations a fixed program runs (an extent walk from 0 and reads of its first
// extents), so a mutated image is read even when the operations were cut off.
//
// Besides crashes and sanitizer reports the target checks that the reader agrees with itself:
// read_at over a range equals the same range assembled from run_at runs (each a read of one
// layer's data() or zeros), and next_extent's zero extents read as zeros. A disagreement aborts.
// vhdchain::Error from any call is an expected outcome; any other exception is a bug.
#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "sparse_input.h"
#include "vhdchain/chain.h"
#include "vhdchain/error.h"

namespace {

using namespace vhdchain;

constexpr size_t kMaxImages = 3;
constexpr size_t kMaxOps = 32;
constexpr uint64_t kMaxRead = 1 << 20;
constexpr uint64_t kReadBudget = 8 << 20;   // bytes read_at may return per input
constexpr uint64_t kMaxStep = 64 << 20;     // max_length of one next_extent / run_at step
constexpr int kWalkSteps = 64;
constexpr uint64_t kCheckBytes = 256 << 10;  // the read_at/run_at comparison covers this much per op
const std::string kFolder = "/fuzz/";

using fuzz::take_le;

struct InputImage {
  std::string path;
  std::shared_ptr<const Reader> file;
};

// The in-memory ImageOpener: /fuzz/<name> opens the first image of that name; FileIdentity is its index,
// so the same file reached by two paths is one file (loop detection), and copies are not.
class MemoryOpener {
 public:
  explicit MemoryOpener(const std::vector<InputImage>& images) : images_(images) {}
  OpenedImage operator()(const std::string& path) const {
    for (size_t i = 0; i < images_.size(); ++i)
      if (images_[i].path == path) return OpenedImage{.image = open_image(images_[i].file), .key = FileIdentity{1, 0, i}};
    throw IoError(path, "open", ENOENT);
  }

 private:
  const std::vector<InputImage>& images_;
};

// Windows paths (absolute or volume) map to their file name in the fuzz folder.
std::optional<std::string> map_to_folder(std::string_view stored) {
  const size_t slash = stored.find_last_of("\\/");
  std::string_view name = slash == std::string_view::npos ? stored : stored.substr(slash + 1);
  if (name.empty()) return std::nullopt;
  return kFolder + std::string(name);
}

[[noreturn]] void disagree() { std::abort(); }

class Driver {
 public:
  explicit Driver(const ChainReader& reader) : reader_(reader) {}

  void read(uint64_t offset, uint64_t length) {
    const uint64_t size = reader_.size();
    if (size == 0) return;
    offset %= size;
    length = std::min({length, size - offset, kMaxRead, budget_});
    if (length == 0) return;
    budget_ -= length;
    buf_.resize(length);
    try {
      reader_.read_at(offset, buf_);
    } catch (const Error&) {
      return;
    }
    // The same bytes assembled run by run.
    const uint64_t check = std::min(length, kCheckBytes);
    std::vector<uint8_t> part;
    try {
      for (uint64_t done = 0; done < check;) {
        const ChainRun run = reader_.run_at(offset + done, check - done);
        if (run.virtual_offset != offset + done || run.length == 0 || run.length > check - done) disagree();
        part.resize(run.length);
        if (run.zero)
          std::fill(part.begin(), part.end(), 0);
        else
          reader_.layers().at(run.layer)->data().read_at(run.file_offset, part);
        if (!std::equal(part.begin(), part.end(), buf_.begin() + static_cast<ptrdiff_t>(done))) disagree();
        done += run.length;
      }
    } catch (const Error&) {
    }
  }

  // Walks extents (or runs) from offset; returns the first few extents for the fixed program.
  std::vector<ChainExtent> walk(uint64_t offset, uint64_t step, bool runs) {
    std::vector<ChainExtent> seen;
    const uint64_t size = reader_.size();
    if (size == 0) return seen;
    offset %= size;
    if (step == 0 || step > kMaxStep) step = kMaxStep;
    try {
      for (int i = 0; i < kWalkSteps && offset < size; ++i) {
        ChainExtent e;
        if (runs) {
          const ChainRun r = reader_.run_at(offset, step);
          e = ChainExtent{.virtual_offset = r.virtual_offset, .length = r.length, .zero = r.zero};
        } else {
          e = reader_.next_extent(offset, step);
        }
        if (e.virtual_offset != offset || e.length == 0 || e.length > std::min(step, size - offset)) disagree();
        if (e.zero && !runs) check_zero(e);
        seen.push_back(e);
        offset += e.length;
      }
    } catch (const Error&) {
    }
    return seen;
  }

 private:
  void check_zero(const ChainExtent& e) {
    const uint64_t n = std::min({e.length, uint64_t(64 << 10), budget_});
    if (n == 0) return;
    budget_ -= n;
    buf_.resize(n);
    reader_.read_at(e.virtual_offset, buf_);  // an Error here is the walk's to swallow
    if (std::any_of(buf_.begin(), buf_.end(), [](uint8_t b) { return b != 0; })) disagree();
  }

  const ChainReader& reader_;
  uint64_t budget_ = kReadBudget;
  std::vector<uint8_t> buf_;
};

void exercise(const ChainReader& reader, std::span<const uint8_t> ops) {
  Driver driver(reader);
  for (const ChainExtent& e : driver.walk(0, 0, false)) {
    driver.read(e.virtual_offset, e.length);
    if (e.length > 1) driver.read(e.virtual_offset + e.length - 1, 2);  // across the extent's end
  }
  for (size_t i = 0; i < kMaxOps && !ops.empty(); ++i) {
    const uint64_t op = take_le(ops, 1) % 3;
    const uint64_t offset = take_le(ops, 8);
    const uint64_t length = take_le(ops, 4);
    if (op == 0)
      driver.read(offset, length);
    else
      driver.walk(offset, length, op == 2);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  const uint64_t flags = take_le(input, 1);
  const size_t count = std::min<size_t>((flags & 3) + 1, kMaxImages);
  const bool direct = flags & 4;

  std::vector<InputImage> images;
  for (size_t i = 0; i < count; ++i) {
    const size_t name_length = std::min<size_t>(take_le(input, 1) % 64, input.size());
    std::string name(reinterpret_cast<const char*>(input.data()), name_length);
    input = input.subspan(name_length);
    std::replace(name.begin(), name.end(), '/', '_');
    std::replace(name.begin(), name.end(), '\0', '_');
    if (name.empty() || name == "." || name == "..") name = "image" + std::to_string(i);
    const size_t length = std::min<size_t>(take_le(input, 4), input.size());
    std::span<const uint8_t> bytes = input.subspan(0, length);
    input = input.subspan(length);
    images.push_back(InputImage{.path = kFolder + name, .file = vhdchain::fuzz::decode_sparse_image(bytes, name)});
  }
  const std::span<const uint8_t> ops = input;

  const MemoryOpener opener(images);
  ChainOptions options;
  options.opener = opener;
  options.map_windows_path = map_to_folder;
  options.max_depth = 8;
  try {
    const Chain chain = open_chain(images.front().path, options);
    exercise(*chain.reader(), ops);
  } catch (const Error&) {
  }

  if (direct) {
    std::vector<std::shared_ptr<const DiskImage>> layers;
    for (const InputImage& image : images) {
      try {
        layers.push_back(open_image(image.file));
      } catch (const Error&) {
      }
    }
    try {
      if (!layers.empty()) exercise(ChainReader(std::move(layers)), ops);
    } catch (const Error&) {
    }
  }
  return 0;
}
