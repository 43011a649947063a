// libFuzzer target: the relink planner as repair --set-parent runs it, on real files: the write
// preflight (locks, full validation of child and parent, the link's format, sizes, identity, a
// cycle), plan_relink, and apply_relink.
//
// Input (integers little-endian; a field cut short by the end of the input reads as zeros):
//
//   u8   flags      bit 0: ignore the identity mismatch (--ignore-id-mismatch)
//                   bit 1: the parent is the child itself (a cycle the preflight must refuse)
//   u32  length m, m bytes: the child as a sparse image (sparse_input.h), clipped to the input
//   the rest: the parent as a sparse image
//
// Both are written as sparse files (at most 4 GiB each; larger inputs are skipped) into a folder of
// this process, child.avhdx and parent.vhdx, and the child is re-pointed at the parent through
// relative_path ".\parent.vhdx".
//
// Besides crashes the target checks what the preflight promises: a refusal (Error(refused)) leaves
// both files with their size and mtime, and a completed relink leaves a child that opens, passes
// the same full validation and accepts the parent's identity. vhdchain::Error from any call is an
// expected outcome; any other exception is a bug. A disagreement aborts.
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "io/overlay_reader.h"
#include "sparse_input.h"
#include "vhdchain/check.h"
#include "vhdchain/error.h"
#include "vhdchain/file.h"
#include "vhdchain/write.h"

namespace {

using namespace vhdchain;

constexpr uint64_t kMaxFile = uint64_t{1} << 32;

using fuzz::take_le;

void remove_folder();

const std::filesystem::path& folder() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("vhdchain-fuzz-relink-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  // Registered once `dir` exists, so it runs before `dir` is destroyed.
  [[maybe_unused]] static const bool cleanup = std::atexit(remove_folder) == 0;
  return dir;
}

void remove_folder() {
  std::error_code ec;
  std::filesystem::remove_all(folder(), ec);
}

// Writes the decoded image as a sparse file: its patches, then its size.
void write_sparse(const std::string& path, const Reader& image) {
  std::filesystem::remove(path);
  auto file = File::open(path, OpenMode::create_new);
  if (const auto* overlay = dynamic_cast<const OverlayReader*>(&image)) {
    std::vector<uint8_t> bytes;
    overlay->for_each_patch([&](uint64_t offset, uint64_t length, const uint8_t* data) {
      if (!data || offset >= image.size()) return;
      bytes.assign(data, data + std::min(length, image.size() - offset));
      file->write_at(offset, bytes);
    });
  }
  file->resize(image.size());
}

struct Stamp {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  friend bool operator==(const Stamp&, const Stamp&) = default;
};
Stamp stamp(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return {static_cast<uint64_t>(st.st_size), int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  const uint64_t flags = take_le(input, 1);
  const size_t child_length = static_cast<size_t>(std::min<uint64_t>(take_le(input, 4), input.size()));
  std::span<const uint8_t> child_input = input.first(child_length);
  std::span<const uint8_t> parent_input = input.subspan(child_length);
  auto child_image = fuzz::decode_sparse_image(child_input, "child");
  auto parent_image = fuzz::decode_sparse_image(parent_input, "parent");
  if (child_image->size() > kMaxFile || parent_image->size() > kMaxFile) return 0;

  const std::string child = (folder() / "child.avhdx").string();
  const std::string parent = (flags & 2) ? child : (folder() / "parent.vhdx").string();
  write_sparse(child, *child_image);
  write_sparse((folder() / "parent.vhdx").string(), *parent_image);
  const Stamp child_before = stamp(child), parent_before = stamp(parent);

  NewParentLink link;
  try {
    link.linkage = open_image_file(parent)->identity();
    link.paths.relative_path = ".\\parent.vhdx";
    link.parent = parent;
    link.ignore_id_mismatch = (flags & 1) != 0;
    const RelinkPlan plan = plan_relink(child, link);
    apply_relink(plan);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::refused && (stamp(child) != child_before || stamp(parent) != parent_before))
      std::abort();  // refused, yet a file changed
    return 0;
  }
  if (flags & 2) std::abort();  // a child made its own parent
  try {
    const auto relinked = open_image_file(child);
    validate_image_deeply(*relinked);
    if (!relinked->info().parent || !relinked->info().parent->accepts(link.linkage)) std::abort();
  } catch (const Error&) {
    std::abort();  // written, and no longer valid
  }
  return 0;
}
