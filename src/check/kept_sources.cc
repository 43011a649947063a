// merge.kept_source: files a vhdchain merge merged into a target and kept (issue 16).
//
// Nothing inside a kept source says it was merged: the disk right above the target links to the
// target's current identity, the disks above it link to disks that still exist, so check would
// show them as a healthy chain although everything above the target now reads differently from
// before the merge. The merge leaves a record beside the target (src/write/merge_record_file.h); a
// scanned or reached disk that the record names (same file, same identity: a file made later
// under the same name is not it) is reported with the space deleting it gives back.
#include <fmt/format.h>

#include "check/check_internal.h"
#include "io/fs_ops.h"
#include "write/merge_record_file.h"

namespace vhdchain::check::detail {
namespace {

bool same_file(const Disk& d, const std::string& path) {
  try {
    return open_host_image(path).key == d.key;
  } catch (const Error&) {
    return false;  // gone or unreadable: not this disk
  }
}

}  // namespace

void find_kept_merge_sources(Report& report) {
  const size_t disks = report.disks.size();
  for (size_t t = 0; t < disks; ++t) {
    const std::string target = report.disks[t].path;
    if (!report.disks[t].image || !io::path_exists(write::merge_record_path(target))) continue;
    std::optional<write::MergeRecord> record;
    try {
      record = write::read_merge_record(target);
    } catch (const Error& e) {
      report.findings.push_back(make_finding(
          "merge.kept_source", fmt::format("{}: its merge record cannot be read: {}", target, e.what()),
          {target, write::merge_record_path(target)}, {t}));
      continue;
    }
    for (const write::MergedSource& s : record->sources)
      for (size_t i = 0; i < disks; ++i) {
        const Disk& d = report.disks[i];
        if (i == t || !d.image || d.image->identity() != s.identity || !same_file(d, s.path)) continue;
        const uint64_t bytes = d.image->info().file_size;
        Finding f = make_finding(
            "merge.kept_source",
            fmt::format("{}: merged into {} by vhdchain merge and kept; its data is in {} now and it is no longer "
                        "part of a chain (only the target reads as the chain did). Deleting it reclaims {}",
                        d.path, target, target, human_bytes(bytes)),
            {d.path, target}, {i, t});
        f.reclaimable_bytes = bytes;
        report.findings.push_back(std::move(f));
      }
  }
}

}  // namespace vhdchain::check::detail
