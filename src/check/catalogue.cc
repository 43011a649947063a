// The finding codes: one table, so the code, its severity and its Hyper-V error never drift apart.
// docs/check.md documents each row; a test checks that every code here appears there.
#include <algorithm>

#include "vhdchain/check.h"
#include "vhdchain/error.h"

namespace vhdchain::check {
namespace {

using S = Severity;

// Hyper-V's errors (winerror.h, facility VHD). Named once so the table reads as prose.
#define VHD_ERR(code, name) code, name
constexpr std::string_view kNoError = "";

constexpr FindingKind kCatalogue[] = {
    // Inputs: what was asked could not be looked at. Inconclusive: no verdict for those files.
    {"input.missing", S::warning, true, kNoError, kNoError, "a PATH argument does not exist"},
    {"input.unreadable", S::warning, true, kNoError, kNoError, "a folder or file could not be listed or read"},
    {"input.no_disks", S::warning, true, kNoError, kNoError, "no disk was found under the PATHs (a volume not mounted?); --allow-empty makes it OK"},
    {"input.stray_file", S::info, false, kNoError, kNoError, "a file named like a disk that is none (empty, or no VHD/VHDX signature); not counted as a disk"},
    // One disk on its own.
    {"disk.unreadable", S::warning, true, kNoError, kNoError, "the system refused to open a disk (permissions, I/O)"},
    {"disk.corrupt", S::critical, false, kNoError, kNoError, "a structure of the disk is invalid (the message names it and its offset)"},
    {"disk.unsupported", S::warning, true, kNoError, kNoError, "a disk uses a feature vhdchain cannot read"},
    {"disk.note", S::info, false, kNoError, kNoError, "the reader tolerated a deviation (a header fallback, a CHS mismatch, ...)"},
    {"disk.standalone", S::info, false, kNoError, kNoError, "a disk that is not differencing and that no scanned disk links to"},
    {"merge.interrupted", S::warning, false, kNoError, kNoError, "a vhdchain merge was interrupted; rerunning it finishes it"},
    {"merge.kept_source", S::warning, false, kNoError, kNoError, "a disk a vhdchain merge merged into a target and kept: no longer part of a chain, its space reclaimable"},
    {"write.interrupted", S::warning, false, kNoError, kNoError, "a vhdchain write to a VHD was interrupted; its journal must be finished"},
    {"log.pending", S::warning, false, kNoError, kNoError, "a VHDX log must be replayed; checked as replayed in memory, the file is untouched"},
    // A differencing disk and its parent.
    {"parent.missing", S::critical, false, VHD_ERR("0xC03A000D", "ERROR_VHD_PARENT_VHD_NOT_FOUND"), "no locator leads to a file: the disk is an orphan"},
    {"parent.id_mismatch", S::critical, false, VHD_ERR("0xC03A000E", "ERROR_VHD_CHILD_PARENT_ID_MISMATCH"), "files were found, but none has the identity the child links to"},
    {"parent.size_mismatch", S::critical, false, VHD_ERR("0xC03A0017", "ERROR_VHD_CHILD_PARENT_SIZE_MISMATCH"), "the parent's identity matches but its virtual size or logical sector size does not"},
    {"parent.unusable", S::critical, false, VHD_ERR("0xC03A0019", "ERROR_VHD_DIFFERENCING_CHAIN_ERROR_IN_PARENT"), "the file a locator names is not a readable disk image"},
    {"parent.access_denied", S::warning, true, VHD_ERR("0xC03A0016", "ERROR_VHD_PARENT_VHD_ACCESS_DENIED"), "the parent could not be opened: access denied"},
    {"parent.timestamp_differs", S::info, false, VHD_ERR("0xC03A000F", "ERROR_VHD_CHILD_PARENT_TIMESTAMP_MISMATCH"), "VHD: the parent time stamp stored in the child is not the parent's"},
    {"chain.cycle", S::critical, false, VHD_ERR("0xC03A0018", "ERROR_VHD_DIFFERENCING_CHAIN_CYCLE_DETECTED"), "following parents leads back to a disk already in the chain"},
    {"chain.too_deep", S::warning, false, kNoError, kNoError, "more differencing layers than Hyper-V allows checkpoints (50), or than --max-depth"},
    // Parent locators.
    {"locator.beside_child_only", S::warning, false, VHD_ERR("0xC03A000D", "ERROR_VHD_PARENT_VHD_NOT_FOUND"), "no stored locator leads to the parent; it was found only by file name beside the child"},
    {"locator.not_found", S::info, false, kNoError, kNoError, "a locator names no file; the parent was found through another one"},
    {"locator.wrong_disk", S::warning, false, kNoError, kNoError, "a locator names an existing disk that is not the parent"},
    {"locator.disagree", S::warning, false, kNoError, kNoError, "two locators name different files or volumes"},
    {"locator.case_differs", S::info, false, kNoError, kNoError, "a locator's file was found only by ignoring case, as NTFS would"},
    {"locator.case_ambiguous", S::warning, false, kNoError, kNoError, "several files match a locator ignoring case"},
    // Paths and volumes (seed 000).
    {"alias.parent_via_other_mount", S::warning, false, VHD_ERR("0xC03A000D", "ERROR_VHD_PARENT_VHD_NOT_FOUND"), "child and parent reach one volume through two mount points; Hyper-V's merge fails"},
    {"alias.locators_via_two_mounts", S::warning, false, kNoError, kNoError, "two locators reach the parent through two mount points of one volume"},
    {"alias.disk_seen_twice", S::warning, false, kNoError, kNoError, "one disk was found through two mount points of one volume"},
    {"alias.cluster_storage_root", S::warning, false, kNoError, kNoError, "a path passes through a stale ClusterStorage.NNN root"},
    {"alias.unknown_volume", S::info, false, kNoError, kNoError, "a stored Windows path is on a volume the --volumes list does not have"},
    // Trees and space.
    {"tree.branches", S::info, false, kNoError, kNoError, "a disk has several children: merging one into it invalidates the others"},
    {"capacity.volume_overcommitted", S::warning, false, kNoError, kNoError, "checkpoints (or, past a --warning/--critical overcommit threshold, all writable disks) on a volume can grow past its free space"},
    {"capacity.low_free_space", S::warning, false, kNoError, kNoError, "a volume holding disks has less free space than a --warning/--critical free threshold"},
    {"capacity.fixed_sparse", S::info, false, kNoError, kNoError, "a fixed disk's file is sparse: its unallocated part counts as growth"},
    {"capacity.merge_exceeds_free", S::warning, false, kNoError, kNoError, "merging a chain into its base needs more space than the base's volume has free"},
};
#undef VHD_ERR

}  // namespace

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::ok: return "ok";
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::critical: return "critical";
  }
  return "?";
}

std::string_view to_string(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::warning: return "warning";
    case Status::critical: return "critical";
    case Status::unknown: return "unknown";
  }
  return "?";
}

std::span<const FindingKind> finding_catalogue() { return kCatalogue; }

const FindingKind& finding_kind(std::string_view code) {
  for (const FindingKind& k : kCatalogue)
    if (k.code == code) return k;
  throw Error(ErrorCode::invalid_argument, "unknown finding code \"" + std::string(code) + "\"");
}

Status status_of(std::span<const Finding> findings) {
  auto any = [&](auto pred) { return std::any_of(findings.begin(), findings.end(), pred); };
  if (any([](const Finding& f) { return f.severity == Severity::critical; })) return Status::critical;
  if (any([](const Finding& f) { return f.inconclusive; })) return Status::unknown;
  if (any([](const Finding& f) { return f.severity == Severity::warning; })) return Status::warning;
  return Status::ok;
}

}  // namespace vhdchain::check
