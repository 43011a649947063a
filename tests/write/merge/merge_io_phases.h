// Which step of a VHDX merge each I/O event of `vhdchain merge` belongs to, from the event list
// VHDCHAIN_FAULT_COUNT_FILE records ("write PATH", "flush PATH", ...), and what check must report
// when the merge is killed right after that event. Used to prove that a kill sweep stops the merge
// in every step (issue 5: "killed at 50 or more points spread over its run") and to assert check's
// findings exactly at every point.
//
// The model follows the order of writes in docs/merge.md and the VHDX session's commit through the
// log (src/write/vhdx_session.cc): a commit on one file is
//   [session start: header, flush, header, flush]  (first change of the file in this run)
//   entry, flush, header naming the log, flush, the changed sectors..., [resize], flush,
//   header clearing the log, flush
// so a file's log is pending from its "header naming the log" write until the clearing header write.
// Step 3 is payload (writes, resizes) ended by a flush, then the commit making the batch reachable
// (none for a batch that changes no BAT entry), and a last flush of the target's payload.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vhdchain::test {

enum class MergePhase {
  accept_new_identity,  // step 1: the disk above the target stores the new DataWriteGuid (linkage2)
  target_identity,      // step 2: the target's header takes it
  payload,              // step 3: block payload written (in place or appended) and flushed
  log,                  // step 3: the log entry that makes a batch part of the target
  relink,               // steps 4 and 5: children re-pointed, the disk above takes linkage = G
  record,               // after completion: the kept sources recorded beside the target (issue 16)
};
const char* to_string(MergePhase phase);

struct MergeIoEvent {
  std::string kind;  // write, flush, resize, rename, remove
  std::string path;
  MergePhase phase = MergePhase::accept_new_identity;
  // check's finding codes expected when the merge is killed right after this event, in check's
  // order (log.pending is reported while scanning files, merge.interrupted after the forest).
  std::vector<std::string> codes_after_kill;
};

// Classifies the events of a merge into `target` whose disk right above it is `above_target`;
// `kept_sources` merge.kept_source findings once the record beside the target is published.
// Throws std::runtime_error when the events do not follow the model (the test then fails and shows
// the list: the merge's order of writes changed and the model must be looked at again).
std::vector<MergeIoEvent> classify_merge_events(const std::vector<std::string>& events, const std::string& target,
                                                const std::string& above_target, size_t kept_sources);

}  // namespace vhdchain::test
