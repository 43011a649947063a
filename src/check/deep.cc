// --deep: every BAT entry and every sector bitmap, not just the headers.
//
// The default check reads headers, metadata and BATs; a corrupt sector bitmap or a BAT entry that
// only a read of that block would touch goes unnoticed until a VM or a merge reads it. --deep walks
// each disk's whole map, which makes the reader validate every entry and bitmap it passes (payload
// itself is never read: its bytes have no checksum to verify).
#include "check/check_internal.h"

namespace vhdchain::check {
namespace detail {

void validate_deeply(Report& report) {
  for (size_t i = 0; i < report.disks.size(); ++i) {
    const Disk& d = report.disks[i];
    if (!d.image) continue;  // not opened: its own finding says why
    try {
      validate_image_deeply(*d.image);
    } catch (const Error& e) {
      report.findings.push_back(make_finding("disk.corrupt", e.what(), {d.path}, {i}));
    }
  }
}

}  // namespace detail
}  // namespace vhdchain::check
