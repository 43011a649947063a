// The durable marker of a VHD merge in progress: "<target>.vhdchain-merge".
//
// A VHDX merge is recognisable from the chain itself (the disk above the target names the target's
// new identity in parent_linkage2 only). VHD has no second linkage and a VHD merge keeps the
// target's unique id, so nothing inside the files says a merge was stopped half way. The marker
// says it: published whole (write::NewFile: temporary name, flush, rename, folder flush) before the
// first byte of the target is written, removed (durably) after the last. While it exists, check
// reports merge.interrupted, and `vhdchain merge` of the same child resumes instead of starting.
#pragma once

#include <optional>
#include <string>

#include "vhdchain/guid.h"

namespace vhdchain::write {

struct MergeMarker {
  std::string child;         // the leaf being merged, as the interrupted command named it
  std::string target;        // the disk receiving the data
  Guid child_unique_id;      // which child: paths may be spelled differently by a rerun
  Guid target_unique_id;     // which target the marker belongs to (a copied or restored file is another)
};

std::string merge_marker_path(const std::string& target);

// Writes and publishes the marker. Fails (ErrorCode::invalid_argument) when one exists.
void publish_merge_marker(const MergeMarker& marker);

// The marker of `target`, nullopt when there is none. Throws FormatError naming the marker file
// and the line when it exists but is not one of ours.
std::optional<MergeMarker> read_merge_marker(const std::string& target);

// Removes the marker and flushes the folder: the merge is complete.
void remove_merge_marker(const std::string& target);

}  // namespace vhdchain::write
