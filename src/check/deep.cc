// --deep: every BAT entry and every sector bitmap, not just the headers.
//
// The default check reads headers and metadata, and BATs for capacity; a corrupt sector bitmap or a
// BAT entry that only a read of that block would touch goes unnoticed until a VM or a merge reads
// it. --deep walks each disk's whole map, which makes the reader validate every entry and bitmap it
// passes (payload itself is never read: its bytes have no checksum to verify). Each disk is walked
// through an image of its own, dropped afterwards, so the bitmaps stream through the reader's small
// cache and memory does not grow with the number of disks (maps.cc).
#include "check/check_internal.h"

namespace vhdchain::check::detail {

void validate_deeply(const Options& options, Report& report) {
  std::vector<std::optional<Finding>> found(report.disks.size());
  for_each_in_parallel(report.disks.size(), [&](size_t i) {
    const Disk& d = report.disks[i];
    if (!d.image) return;  // not opened: its own finding says why
    try {
      DiskMaps(d, options, true).walk();
    } catch (const Error& e) {
      found[i] = make_finding(e.code() == ErrorCode::io ? "disk.unreadable" : "disk.corrupt", e.what(), {d.path}, {i});
    }
  });
  for (std::optional<Finding>& f : found)
    if (f) report.findings.push_back(std::move(*f));
}

}  // namespace vhdchain::check::detail
