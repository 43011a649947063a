// The write preflight (include/vhdchain/preflight.h): locks, full validation, the chain after the
// change. Everything here reads; the only thing it changes is which locks this process holds.
//
// Validation reuses check --deep's walk (validate_image_deeply) on the image as every reader
// sees it (a pending VHDX log replayed in memory), so a write never starts from a file that check
// --deep would call corrupt: writing a new parent link into a truncated child makes its cut range
// read as zeros for good (issue 13, case 4).
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "io/file_lock.h"
#include "vhdchain/disk_image.h"
#include "vhdchain/error.h"
#include "vhdchain/preflight.h"

namespace vhdchain {

struct WriteLease::Locks {
  std::vector<std::unique_ptr<io::HeldLock>> held;
};

WriteLease::WriteLease() : locks_(std::make_unique<Locks>()) {}
WriteLease::~WriteLease() = default;
WriteLease::WriteLease(WriteLease&&) noexcept = default;
WriteLease& WriteLease::operator=(WriteLease&&) noexcept = default;

void WriteLease::require_cleared() const {
  if (!cleared()) throw Error(ErrorCode::refused, fmt::format("{}", fmt::join(refusals_, "; ")));
}

namespace {

// The images the preflight opened, by path, and the refusals of those that did not open or validate.
class Images {
 public:
  explicit Images(std::vector<std::string>& refusals) : refusals_(refusals) {}

  // Opens and validates `path` once; null (and one refusal) when it fails.
  const OpenedImage* validated(const std::string& path) {
    auto it = opened_.find(path);
    if (it != opened_.end()) return it->second ? &*it->second : nullptr;
    std::optional<OpenedImage> image;
    try {
      image = open_host_image(path);
      validate_image_deeply(*image->image);
    } catch (const Error& e) {
      refusals_.push_back(e.what());
      image.reset();
    }
    auto [at, added] = opened_.emplace(path, std::move(image));
    return at->second ? &*at->second : nullptr;
  }

 private:
  std::vector<std::string>& refusals_;
  std::map<std::string, std::optional<OpenedImage>> opened_;
};

void take_locks(const PreflightRequest& r, std::vector<std::unique_ptr<io::HeldLock>>& held,
                std::vector<std::string>& refusals) {
  auto take = [&](const std::string& path, io::LockKind kind) {
    try {
      held.push_back(io::acquire_lock(path, kind));
    } catch (const Error& e) {
      refusals.push_back(e.what());
    }
  };
  std::vector<std::string> exclusive = r.writes;
  exclusive.insert(exclusive.end(), r.writes_unvalidated.begin(), r.writes_unvalidated.end());
  for (const std::string& path : exclusive) take(path, io::LockKind::exclusive);
  for (const std::string& path : r.reads)
    if (std::find(exclusive.begin(), exclusive.end(), path) == exclusive.end()) take(path, io::LockKind::shared);
}

// Following parents from `parent` (as they are now) until one is `child` or no parent is found.
// Returns the paths walked when it comes back to the child; empty when there is no cycle.
std::vector<std::string> cycle_through(const OpenedImage& child, const std::string& parent_path,
                                       const OpenedImage& parent, const ChainOptions& options) {
  std::vector<ChainLayer> layers;
  layers.push_back(ChainLayer{parent_path, parent.image, parent.key, {}});
  while (layers.size() <= options.max_depth) {
    if (layers.back().key == child.key) {
      std::vector<std::string> walked;
      for (const ChainLayer& l : layers) walked.push_back(l.path);
      return walked;
    }
    if (!layers.back().image->info().parent) return {};
    const ResolvedParent next = resolve_parent(layers, options);
    if (!next.parent.image) return {};  // the rest of the chain is not found: no cycle can be shown
    layers.push_back(ChainLayer{next.resolution.accepted_candidate()->path, next.parent.image, next.parent.key,
                                next.resolution});
  }
  return {};
}

void check_link(const PreflightLink& link, Images& images, const ChainOptions& options,
                std::vector<std::string>& refusals) {
  const OpenedImage* child = images.validated(link.child);
  const OpenedImage* parent = images.validated(link.parent);
  if (!child || !parent) return;  // already refused
  const ImageInfo& c = child->image->info();
  const ImageInfo& p = parent->image->info();
  if (c.type != DiskType::differencing || !c.parent) {
    refusals.push_back(fmt::format("{}: is a {} disk, not a differencing disk: it has no parent to set", link.child,
                                   to_string(c.type)));
    return;
  }
  const Guid identity = parent->image->identity();
  if (c.format != p.format)
    refusals.push_back(fmt::format("{} is {} and {} is {}: Hyper-V chains do not mix the formats", link.child,
                                   to_string(c.format), link.parent, to_string(p.format)));
  if (c.virtual_size != p.virtual_size)
    refusals.push_back(
        fmt::format("virtual sizes differ: child {} bytes, parent {} bytes", c.virtual_size, p.virtual_size));
  if (c.logical_sector_size != p.logical_sector_size)
    refusals.push_back(fmt::format("logical sector sizes differ: child {}, parent {}", c.logical_sector_size,
                                   p.logical_sector_size));
  if (!c.parent->accepts(identity) && !link.ignore_id_mismatch)
    refusals.push_back(fmt::format(
        "identity mismatch: the child links to {}, the parent's {} is {}. The parent may have been written "
        "since the child was made (then the child's data no longer fits it). If you know it is the right "
        "parent, rerun with --ignore-id-mismatch",
        c.parent->linkage.to_string(), c.format == DiskFormat::vhdx ? "DataWriteGuid" : "unique id",
        identity.to_string()));
  if (c.parent->linkage2 && !c.parent->linkage2->is_zero() && *c.parent->linkage2 != identity)
    refusals.push_back(fmt::format("parent_linkage2 is {}: a merge into this child's parent was interrupted; "
                                   "finish it (rerun the merge) before re-pointing the child",
                                   c.parent->linkage2->to_string()));
  const std::vector<std::string> cycle = cycle_through(*child, link.parent, *parent, options);
  if (!cycle.empty())
    refusals.push_back(fmt::format("{}: would become its own ancestor ({} -> {}): a chain must end at a base disk",
                                   link.child, link.child, fmt::join(cycle, " -> ")));
}

}  // namespace

WriteLease preflight_write(const PreflightRequest& request) {
  if (request.writes.empty() && request.reads.empty() && request.writes_unvalidated.empty())
    throw Error(ErrorCode::invalid_argument, "preflight_write: the request names no file");
  WriteLease lease;
  take_locks(request, lease.locks_->held, lease.refusals_);
  Images images(lease.refusals_);
  for (const std::string& path : request.writes) images.validated(path);
  for (const std::string& path : request.reads) images.validated(path);
  for (const PreflightLink& link : request.links) check_link(link, images, request.chain_options, lease.refusals_);
  return lease;
}

}  // namespace vhdchain
