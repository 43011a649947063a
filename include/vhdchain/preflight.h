// The one preflight every write runs before its first byte (docs/design-writes.md, "The preflight
// rule"): repair --set-parent / --fix-aliases / --replay-log, merge, create --parent, and every
// writer added later (compact, convert) call preflight_write and write only while the lease it
// returns is cleared and alive.
//
// In this order, nothing written:
//   1. every file the write changes is locked exclusively, every file it only reads shared
//      (io/file_lock.h: the lock File::open takes for writing, so another vhdchain or QEMU is kept
//      out, and held until the lease is destroyed, i.e. through the write);
//   2. every one of those files is validated as check --deep validates it (headers, metadata, a
//      pending log replayed in memory, every BAT entry and sector bitmap, bounds): a truncated or
//      corrupt member is refused;
//   3. the chain as it will be after the write is built in memory from `links` and refused when a
//      link joins disks of another format, virtual size or logical sector size, when a child does
//      not accept its parent's identity (unless that link overrides it), when a merge into the
//      parent was interrupted (parent_linkage2), or when following parents from the new parent
//      comes back to the child (a cycle).
// A lease with refusals still holds every lock it could take; require_cleared() turns the
// refusals into Error(ErrorCode::refused). The CLI renders refusals; it decides nothing itself.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "vhdchain/chain.h"

namespace vhdchain {

// One parent link as it will be after the write: `child` (a differencing disk) reads through
// `parent` (host paths of existing files).
struct PreflightLink {
  std::string child;
  std::string parent;
  // The child's current linkage need not accept the parent's identity: the admin said so
  // (--ignore-id-mismatch), or the write itself gives the child the parent's identity (merge).
  bool ignore_id_mismatch = false;
};

struct PreflightRequest {
  std::vector<std::string> writes;   // existing files the write changes: locked exclusively
  std::vector<std::string> reads;    // files it reads and does not change: locked shared
  std::vector<PreflightLink> links;  // the links the write makes (their files belong in writes/reads)
  // Files locked (exclusively) but not validated as disks: a VHD whose vhdchain journal is pending
  // may not parse until the journal is finished, which is what the write is for.
  std::vector<std::string> writes_unvalidated;
  ChainOptions chain_options;        // how parents above a new parent are followed (cycle check)
};

class WriteLease {
 public:
  WriteLease();
  ~WriteLease();
  WriteLease(WriteLease&&) noexcept;
  WriteLease& operator=(WriteLease&&) noexcept;

  // Why the write must not run, in the order found; each names its file. Empty: it may run.
  const std::vector<std::string>& refusals() const { return refusals_; }
  bool cleared() const { return refusals_.empty(); }
  // Throws Error(ErrorCode::refused) with the refusals joined by "; " unless cleared.
  void require_cleared() const;
  // A writer's own reason to refuse, decided under the lease's locks (merge: a plan that misses
  // what the survey found).
  void add_refusal(std::string reason) { refusals_.push_back(std::move(reason)); }

 private:
  friend WriteLease preflight_write(const PreflightRequest& request);
  struct Locks;
  std::unique_ptr<Locks> locks_;
  std::vector<std::string> refusals_;
};

// Runs steps 1-3. Refusals are returned in the lease, never thrown; throws only for a request that
// names no file at all (Error(invalid_argument)).
WriteLease preflight_write(const PreflightRequest& request);

}  // namespace vhdchain
