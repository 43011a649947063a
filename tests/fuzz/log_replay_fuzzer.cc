// libFuzzer target: the VHDX log on its own (MS-VHDX 2.3): entry validation, the active-sequence
// search over a ring, and replay into an OverlayReader.
//
// vhdx_open reaches the log only after a valid file identifier and header, and then only through
// the log region an image points at, so most of its inputs never exercise the ring search. Here the
// input IS the log, so every mutation lands in entries, descriptors and data sectors:
//
//   16 bytes  the header's LogGuid (entries carrying another GUID are stale)
//   u64 LE    size of the file the log belongs to, before replay (modulo 2^40; checked against
//             the head entry's FlushedFileOffset)
//   then a sparse image (sparse_input.h): the log region itself. Its size is rounded down to
//             4 KiB and kept within [4 KiB, 1 MiB] (the length Hyper-V and QEMU write; a longer
//             ring only makes each run slower); the region sits at file offset 1 MiB, as every
//             writer places it.
//
// After a successful replay the overlay is read back over a bounded window, so the patch
// bookkeeping of OverlayReader is exercised too. Then the in-place plan (what repair --replay-log
// writes) is made from the overlay and checked against it: the file grows only by extension (no
// zeros written past the old end), zero writes never exceed the old file size, writes are in
// order, inside the new size and never overlap, and the file size never passes the documented
// limit (vhdx/log.h); a violation aborts, which the fuzzer reports as a crash.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "sparse_input.h"
#include "vhdchain/error.h"
#include "vhdx/log.h"

namespace {

constexpr uint64_t kLogOffset = 1 << 20;
constexpr uint64_t kMaxRing = 1 << 20;
constexpr uint64_t kSector = 4096;
constexpr uint64_t kReadWindow = 64 << 10;

uint64_t take_le64(std::span<const uint8_t>& in) {
  uint64_t v = 0;
  const size_t n = std::min<size_t>(8, in.size());
  for (size_t i = 0; i < n; ++i) v |= uint64_t(in[i]) << (8 * i);
  in = in.subspan(n);
  return v;
}

void read_window(const vhdchain::Reader& r, uint64_t offset, std::vector<uint8_t>& buf) {
  if (offset >= r.size()) return;
  buf.resize(static_cast<size_t>(std::min(kReadWindow, r.size() - offset)));
  r.read_at(offset, buf);
}

// The in-place plan's invariants (see the top of this file).
void check_in_place_plan(const vhdchain::OverlayReader& replayed, uint64_t file_size) {
  const vhdchain::vhdx::InPlaceReplayPlan plan = vhdchain::vhdx::plan_in_place_replay(replayed, file_size);
  if (plan.new_size != std::max(file_size, replayed.size())) std::abort();
  if (plan.new_size > std::max(file_size, vhdchain::vhdx::kMaxLogFileSize)) std::abort();
  uint64_t zeros = 0, end = 0;
  for (const vhdchain::vhdx::InPlaceWrite& w : plan.writes) {
    if (w.length == 0 || w.offset < end || w.offset + w.length > plan.new_size) std::abort();
    if (!w.data) {
      if (w.offset + w.length > file_size) std::abort();
      zeros += w.length;
    }
    end = w.offset + w.length;
  }
  if (zeros > file_size) std::abort();

  // The file (all zeros here: ZeroReader) with the plan applied reads as the overlay does.
  std::vector<uint8_t> want, got;
  for (uint64_t at : {uint64_t{0}, kLogOffset, plan.new_size - std::min(plan.new_size, kReadWindow)}) {
    if (at >= plan.new_size) continue;
    const uint64_t n = std::min(kReadWindow, plan.new_size - at);
    want.assign(static_cast<size_t>(n), 0);
    got.resize(static_cast<size_t>(n));
    replayed.read_at(at, got);
    for (const vhdchain::vhdx::InPlaceWrite& w : plan.writes) {
      if (!w.data || w.offset >= at + n || w.offset + w.length <= at) continue;
      const uint64_t from = std::max(at, w.offset), to = std::min(at + n, w.offset + w.length);
      std::memcpy(want.data() + (from - at), w.data + (from - w.offset), static_cast<size_t>(to - from));
    }
    if (want != got) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  vhdchain::Guid log_guid;
  const size_t guid_bytes = std::min<size_t>(16, input.size());
  std::memcpy(log_guid.bytes.data(), input.data(), guid_bytes);
  input = input.subspan(guid_bytes);
  const uint64_t file_size = take_le64(input) % (uint64_t(1) << 40);

  auto region = vhdchain::fuzz::decode_sparse_image(input, "fuzz.log");
  const uint64_t length = std::clamp(region->size() / kSector * kSector, kSector, kMaxRing);
  // Reused between runs: a fresh 1 MiB buffer per input costs more than the search itself.
  static std::vector<uint8_t> ring_bytes;
  ring_bytes.assign(static_cast<size_t>(length), 0);
  region->read_at(0, std::span<uint8_t>(ring_bytes).first(static_cast<size_t>(std::min(length, region->size()))));
  const vhdchain::vhdx::LogRing ring(ring_bytes, "fuzz.vhdx", kLogOffset);

  try {
    // The first positions one by one, as a checker listing every entry would (bounded: each check
    // may copy a whole entry).
    for (uint64_t pos = 0; pos < std::min(length, 16 * kSector); pos += kSector)
      (void)vhdchain::vhdx::check_log_entry(ring, pos, log_guid);

    const vhdchain::vhdx::SequenceSearch search = vhdchain::vhdx::find_active_sequence(ring, log_guid);
    if (!search.active) return 0;
    auto file = std::make_shared<vhdchain::fuzz::ZeroReader>(file_size, "fuzz.vhdx");
    vhdchain::OverlayReader overlay(file);
    vhdchain::vhdx::replay_log(ring, *search.active, file->size(), overlay);

    std::vector<uint8_t> buf;
    read_window(overlay, 0, buf);
    read_window(overlay, kLogOffset + length, buf);
    read_window(overlay, overlay.size() - std::min(overlay.size(), kReadWindow), buf);
    check_in_place_plan(overlay, file->size());
  } catch (const vhdchain::Error&) {
  }
  return 0;
}
