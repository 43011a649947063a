// Offline merge of a differencing chain into an ancestor (Merge-VHD's meaning): CHILD and every
// disk between it and the ANCESTOR are merged into the ANCESTOR, which then reads as CHILD did.
//
// Crash safety follows MS-VHDX (formats.md 2.12, ecosystem.md section 6, footnote 12):
//   1. the target's new DataWriteGuid is first stored in parent_linkage2 of the source right above
//      it (through that file's log), so the chain keeps opening whichever identity the target has;
//   2. then the target's header takes the new DataWriteGuid (header update protocol);
//   3. payload is copied outside the log (new blocks at the end of the file, flushed), and the BAT
//      and sector-bitmap changes that make it reachable go through the target's log;
//   4. children of CHILD are re-pointed at the target;
//   5. the disk above the target takes the new identity as its parent_linkage (parent_linkage2
//      cleared): the merge is complete.
// The sources are never written (except that one locator), so copying again gives the same bytes:
// a merge killed at any point is finished by running it again. check reports the state between as
// merge.interrupted. The library never prints: progress is a callback.
//
// VHD chains have no parent_linkage2: the target keeps its unique id, a marker file beside it
// ("<target>.vhdchain-merge") says a merge is in progress, and each batch of blocks is made
// reachable through the VHD journal (docs/merge.md, "VHD chains").
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vhdchain/chain.h"
#include "vhdchain/disk_image.h"
#include "vhdchain/guid.h"

namespace vhdchain {

struct MergeOptions {
  std::string child;                   // the leaf of what is merged
  std::optional<std::string> into;     // the ancestor receiving the data; default: CHILD's parent
  // Files that link to a merged disk or to the target other than the chain itself (snapshot
  // branches): a merge makes them invalid, so it is refused unless force. plan_merge finds them
  // itself (check on the folders of the chain's files) and adds them to what a caller gives here.
  std::vector<std::string> other_children_of_target;
  std::vector<std::string> other_children_of_sources;
  // Children of CHILD (re-pointed at the target afterwards): found the same way, added to these.
  std::vector<std::string> children_of_child;
  // Disks below those branch disks (their children, grandchildren, ...), by branch path: they read
  // through the branch and become invalid with it (seed 002: the checkpoints taken after a Revert).
  // Found by plan_merge's survey too, added to these.
  std::map<std::string, std::vector<std::string>> descendants_of_branch;
  bool force = false;
  // Free bytes on the target's volume (the caller measures); nullopt: not checked.
  std::optional<uint64_t> free_bytes;
  ChainOptions chain_options;          // how parents are found (the CLI's host options)
  // Payload may be cloned (reflink) or copied by the kernel where the file system allows; false:
  // always read and written through our buffers (the CLI's VHDCHAIN_MERGE_NO_CLONE=1, to compare).
  bool system_copy = true;
  // Asked at every safe point: after each batch of blocks is durable and reachable through the
  // target's log (VHD: its journal). True stops the merge there, in the state a kill at that point
  // leaves (merge.interrupted for check), which the same merge run again finishes. The CLI sets it
  // from SIGINT / SIGTERM.
  std::function<bool()> stop_requested;
  // The sources are kept after the merge: once it is complete, record them beside the target
  // ("<target>.vhdchain-merged", src/write/merge_record_file.h) so check reports them as
  // merge.kept_source. The CLI sets it unless --delete-merged.
  bool record_kept_sources = false;
};

// A range of the virtual disk, in bytes.
struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

// What one source contributes.
struct MergeSource {
  std::string path;
  uint64_t bytes = 0;                  // bytes of the merged view that come from this file
  uint64_t overwrites_target_bytes = 0;// of those, bytes where the target holds data now (seed 002)
  std::vector<ByteRange> overwrites_target_ranges;  // where: ascending, adjacent ranges coalesced
};

struct MergePlan {
  std::string child, target;
  DiskFormat format = DiskFormat::vhdx;
  DiskType target_type = DiskType::dynamic;
  std::vector<MergeSource> sources;    // CHILD first, down to the disk right above the target
  uint64_t virtual_size = 0;
  uint64_t blocks_touched = 0;         // target blocks that receive data
  uint64_t blocks_allocated = 0;       // of those, blocks the target must allocate
  uint64_t bytes_to_copy = 0;          // payload bytes written into the target
  uint64_t new_space_bytes = 0;        // how much the target file grows (blocks, sector bitmaps)
  std::optional<uint64_t> free_bytes;  // on the target's volume, when known
  bool resuming = false;               // an interrupted merge of this chain is being finished
  std::vector<std::string> refusals;   // why it must not run (branches without force, no space)
  std::vector<std::string> invalidated;// disks that become invalid (with force): each branch disk, then
                                       // the disks below it (descendants_of_branch)
  std::vector<std::string> children_to_repoint;
};

// Reads the chain (read-only), surveys its folders and plans. The write preflight's refusals
// (vhdchain/preflight.h: a file locked by another process, a file check --deep calls corrupt, a
// child that cannot be re-pointed at the target) and critical check findings about the chain
// ("check: ...") are among the plan's refusals. Throws when the chain does not open (a missing
// parent, a broken image: check first) or when INTO is not an ancestor of CHILD.
MergePlan plan_merge(const MergeOptions& options);

struct MergeProgress {
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;
};

// How a run ended: completed, or stopped at a safe point because options.stop_requested said so
// (then `done` is what was copied in this run).
struct MergeRunResult {
  bool completed = true;
  MergeProgress done;
};

// Runs a plan without refusals (made by plan_merge from the same options). `progress` is called
// after each batch of blocks. Throws Error(invalid_argument) for a plan with refusals. The write
// preflight runs again first and its locks are held to the last byte: Error(refused) when a file
// is locked or invalid now, or when the plan misses what the survey finds (a child of CHILD not
// re-pointed, a branch without force); nothing is written then. An I/O failure once writing began
// says that the chain reads as before and that the same merge finishes it.
MergeRunResult run_merge(const MergeOptions& options, const MergePlan& plan,
                         const std::function<void(const MergeProgress&)>& progress = {});

}  // namespace vhdchain
