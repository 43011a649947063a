// The record of what was merged into a target and kept: "<target>.vhdchain-merged".
//
// After a merge the sources are no longer part of a chain, but nothing inside them says so: the
// disk right above the target links to it by its current identity (step 5 of the VHDX merge; a VHD
// target keeps its unique id), and the disks above link to disks that still exist. So a kept leaf,
// its middle disk and the target still open as a healthy chain, although everything but the
// target now reads differently from before the merge. The record, written by the library when the
// merge is complete and the caller keeps the sources, says which files were merged into the
// target, by path and identity; check turns it into merge.kept_source findings
// (src/check/kept_sources.cc). One text format for VHDX and VHD, so an admin can read it:
//   vhdchain-merged 1
//   target_identity <guid>
//   source <identity guid> <path>        one line per source, paths to the end of the line
// A later merge into the same target adds its sources (the file is replaced whole, durably).
// It is a sidecar, not metadata inside the target, so Hyper-V and other tools never see it and a
// copied target does not carry a stale record; a target moved without it loses the record.
//
// This is the record's format and read side (check reads it, the write layer's like the merge
// marker, write/merge_marker.h); src/merge/merge_record.h writes it after a merge.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vhdchain/guid.h"

namespace vhdchain::write {

struct MergedSource {
  Guid identity;     // VHDX DataWriteGuid, VHD unique id, after the merge
  std::string path;  // as the merge named it
};

struct MergeRecord {
  Guid target_identity;  // which target the record belongs to (a restored copy is another)
  std::vector<MergedSource> sources;
};

std::string merge_record_path(const std::string& target);

// The record's text (the format above).
std::string encode_merge_record(const MergeRecord& record);

// The record beside `target`, nullopt when there is none. Throws FormatError naming the file and
// the line when it exists but is not one of ours.
std::optional<MergeRecord> read_merge_record(const std::string& target);

}  // namespace vhdchain::write
