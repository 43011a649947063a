// Which host paths might hold a differencing disk's parent, in the order they are tried.
//
// VHDX (MS-VHDX 2.6.2.6.3): relative_path, then volume_path, then absolute_win32_path, as the spec
// orders them. VHD has no normative order; W2ru (relative, UTF-16) then W2ku (absolute, UTF-16) is what
// Hyper-V, Virtual PC and the open-source readers agree on, then the header's parent name, then the
// deprecated single-byte Wi2r / Wi2k.
//
// After the stored paths come their file names looked up beside the child: Hyper-V keeps a VM's
// checkpoints (<disk>_<guid>.avhdx) in one folder, and a chain copied to another machine or folder
// keeps that shape while every stored absolute path goes stale. A candidate that names a host path
// already listed is dropped, so no file is probed twice.
#include <algorithm>

#include "chain/stored_path.h"
#include "vhdchain/chain.h"

namespace vhdchain {
namespace {

constexpr std::string_view kVhdxPathKeys[] = {"relative_path", "volume_path", "absolute_win32_path"};
constexpr std::string_view kVhdParentName = "parent_name";

class CandidateList {
 public:
  CandidateList(const std::string& child_path, const WindowsPathMapper& map) : child_path_(child_path), map_(map) {}

  // The stored value itself, made into a host path where it can be.
  void add_stored(const std::string& locator, const std::string& stored) {
    ParentCandidate c{.locator = locator, .stored = stored};
    switch (chain::classify_stored_path(stored)) {
      case chain::StoredPathKind::empty:
        return unresolvable(std::move(c), "empty path");
      case chain::StoredPathKind::relative:
        c.path = chain::beside(child_path_, chain::relative_to_host(stored));
        break;
      case chain::StoredPathKind::posix_absolute:
        c.path = chain::tidy_host_path(stored);
        break;
      case chain::StoredPathKind::windows_absolute:
        if (!map(c)) return unresolvable(std::move(c), "Windows path, no mapping to this host");
        break;
      case chain::StoredPathKind::windows_volume:
        if (!map(c)) return unresolvable(std::move(c), "volume path, not resolvable on this host (no volume map)");
        break;
    }
    add(std::move(c));
  }

  // Only the stored value's file name, in the child's folder.
  void add_beside(const std::string& locator, const std::string& stored) {
    std::string_view name = chain::stored_file_name(stored);
    if (name.empty()) return;
    ParentCandidate c{.locator = locator, .stored = stored, .beside_child = true};
    c.path = chain::beside(child_path_, name);
    add(std::move(c));
  }

  std::vector<ParentCandidate> take() { return std::move(list_); }

 private:
  bool map(ParentCandidate& c) {
    if (!map_) return false;
    std::optional<std::string> host = map_(c.stored);
    if (!host || host->empty()) return false;
    c.path = *host;
    return true;
  }

  void unresolvable(ParentCandidate c, std::string detail) {
    c.outcome = CandidateOutcome::unresolvable;
    c.detail = std::move(detail);
    bool seen = std::any_of(list_.begin(), list_.end(), [&](const ParentCandidate& o) {
      return o.outcome == CandidateOutcome::unresolvable && o.stored == c.stored;
    });
    if (!seen) list_.push_back(std::move(c));
  }

  void add(ParentCandidate c) {
    bool seen = std::any_of(list_.begin(), list_.end(), [&](const ParentCandidate& o) { return o.path == c.path; });
    if (!seen) list_.push_back(std::move(c));
  }

  const std::string& child_path_;
  const WindowsPathMapper& map_;
  std::vector<ParentCandidate> list_;
};

// Entries with `key`, in stored order (a VHD may repeat a platform code in several slots).
template <typename Fn>
void for_each_entry(const ParentLink& link, std::string_view key, Fn&& fn) {
  for (const LocatorEntry& e : link.locators)
    if (e.key == key) fn(e);
}

void vhdx_candidates(const ParentLink& link, CandidateList& list) {
  for (std::string_view key : kVhdxPathKeys)
    for_each_entry(link, key, [&](const LocatorEntry& e) { list.add_stored(e.key, e.value); });
  for (std::string_view key : kVhdxPathKeys)
    for_each_entry(link, key, [&](const LocatorEntry& e) { list.add_beside(e.key, e.value); });
}

void vhd_candidates(const ParentLink& link, CandidateList& list) {
  for (std::string_view code : {"W2ru", "W2ku"})
    for_each_entry(link, code, [&](const LocatorEntry& e) { list.add_stored(e.key, e.value); });
  // The header's parent name is usually a full Windows path ("C:\vms\base.vhd"): only its file name
  // can mean something here.
  if (!link.name.empty()) list.add_beside(std::string(kVhdParentName), link.name);
  for (std::string_view code : {"Wi2r", "Wi2k"})
    for_each_entry(link, code, [&](const LocatorEntry& e) { list.add_stored(e.key, e.value); });
  for (std::string_view code : {"W2ru", "W2ku", "Wi2r", "Wi2k"})
    for_each_entry(link, code, [&](const LocatorEntry& e) { list.add_beside(e.key, e.value); });
}

}  // namespace

std::vector<ParentCandidate> parent_candidates(const std::string& child_path, const DiskImage& child,
                                               const WindowsPathMapper& map_windows_path) {
  const ImageInfo& info = child.info();
  if (!info.parent) return {};
  CandidateList list(child_path, map_windows_path);
  if (info.format == DiskFormat::vhdx)
    vhdx_candidates(*info.parent, list);
  else
    vhd_candidates(*info.parent, list);
  return list.take();
}

}  // namespace vhdchain
