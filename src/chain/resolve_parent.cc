// Probing parent candidates: open each host path in turn and accept the first image that really is
// the parent.
//
// "Really is" means the identity check MS-VHDX 2.6.2.6.3 requires (the parent's DataWriteGuid is the
// child's parent_linkage or a non-zero parent_linkage2; VHD: the parent's footer unique id is the
// child's parent unique id), plus the geometry a child's sectors are laid over (virtual size and
// logical sector size), plus not already being in the chain. A file that exists but fails a check is
// not the end of the search: an old copy or an unrelated disk of the same name often sits at a stale
// locator path while the real parent waits beside the child. Every outcome is recorded.
#include <cstring>

#include <fmt/format.h>

#include "vhdchain/chain.h"
#include "vhdchain/error.h"
#include "vhdchain/file_identity.h"

namespace vhdchain {
namespace {

// Error messages from a failed open start with the path, which the candidate line already shows.
std::string without_path_prefix(const std::string& message, const std::string& path) {
  std::string prefix = path + ": ";
  return message.starts_with(prefix) ? message.substr(prefix.size()) : message;
}

void set(ParentCandidate& c, CandidateOutcome outcome, std::string detail) {
  c.outcome = outcome;
  c.detail = std::move(detail);
}

void record_open_failure(ParentCandidate& c, const IoError& e) {
  // One classification for the whole tool (file_identity.h): a Windows share that does not exist
  // is a parent not found here, as it is for check's alias probes.
  switch (classify_access_error(e.errno_value())) {
    case AccessStatus::not_found:
      return set(c, CandidateOutcome::not_found, "not found");
    case AccessStatus::access_denied:
      return set(c, CandidateOutcome::access_denied, "access denied");
    default:
      return set(c, CandidateOutcome::io_error, without_path_prefix(e.what(), c.path));
  }
}

std::string_view identity_name(const DiskImage& image) {
  return image.info().format == DiskFormat::vhdx ? "DataWriteGuid" : "unique id";
}

std::string linkage_text(const DiskImage& child) {
  const ParentLink& link = *child.info().parent;
  if (child.info().format == DiskFormat::vhd) return fmt::format("the child's parent unique id is {}", link.linkage.to_string());
  std::string text = fmt::format("the child's parent_linkage is {}", link.linkage.to_string());
  if (link.linkage2 && !link.linkage2->is_zero()) text += fmt::format(", parent_linkage2 {}", link.linkage2->to_string());
  return text;
}

// Checks an opened image against the child and the chain so far; records the outcome on c.
void judge(ParentCandidate& c, const OpenedImage& opened, const std::vector<ChainLayer>& chain) {
  const DiskImage& child = *chain.back().image;
  const DiskImage& parent = *opened.image;
  const Guid identity = parent.identity();
  c.found_identity = identity;

  for (const ChainLayer& layer : chain)
    if (layer.key == opened.key) return set(c, CandidateOutcome::loop, fmt::format("loop: this file is {}, already in the chain", layer.path));

  if (!child.info().parent->accepts(identity))
    return set(c, CandidateOutcome::identity_mismatch,
               fmt::format("identity mismatch: its {} is {}; {}", identity_name(parent), identity.to_string(), linkage_text(child)));

  // A second file with the identity of a layer already in the chain is a copy of that layer: taking it
  // would close a loop through copies.
  for (const ChainLayer& layer : chain)
    if (!identity.is_zero() && layer.image->identity() == identity)
      return set(c, CandidateOutcome::loop,
                 fmt::format("loop: its {} {} is that of {}, already in the chain", identity_name(parent), identity.to_string(), layer.path));

  const ImageInfo& ci = child.info();
  const ImageInfo& pi = parent.info();
  if (pi.virtual_size != ci.virtual_size)
    return set(c, CandidateOutcome::geometry_mismatch,
               fmt::format("geometry mismatch: its virtual size is {} bytes, the child's {} bytes", pi.virtual_size, ci.virtual_size));
  if (pi.logical_sector_size != ci.logical_sector_size)
    return set(c, CandidateOutcome::geometry_mismatch,
               fmt::format("geometry mismatch: its logical sector size is {} bytes, the child's {} bytes",
                           pi.logical_sector_size, ci.logical_sector_size));
  set(c, CandidateOutcome::ok, "ok");
}

OpenedImage probe(ParentCandidate& c, const std::vector<ChainLayer>& chain, const ImageOpener& opener) {
  OpenedImage opened;
  try {
    opened = opener(c.path);
  } catch (const IoError& e) {
    record_open_failure(c, e);
    return {};
  } catch (const Error& e) {
    // FormatError, unsupported, a truncated file read past its end: not an image we can use.
    set(c, CandidateOutcome::format_error, "not a usable disk image: " + without_path_prefix(e.what(), c.path));
    return {};
  }
  judge(c, opened, chain);
  if (c.outcome != CandidateOutcome::ok) return {};
  return opened;
}

std::string describe(const ParentCandidate& c) {
  if (c.path.empty()) return fmt::format("{}: {} ({})", c.stored, c.detail, c.locator);
  if (c.beside_child)
    return fmt::format("{}: {} (file name of {} \"{}\", beside the child)", c.path, c.detail, c.locator, c.stored);
  return fmt::format("{}: {} ({} \"{}\")", c.path, c.detail, c.locator, c.stored);
}

// "<child>: parent not found (linkage <guid>); tried:", then each candidate after `first` (the first
// one) or `separator` (the others).
std::string not_found_message(const ChainLayer& child, std::string_view first, std::string_view separator) {
  const ParentResolution& r = child.parent;
  const ImageInfo& info = child.image->info();
  const std::string linkage = info.parent ? info.parent->linkage.to_string() : std::string("?");
  if (r.candidates.empty())
    return fmt::format("{}: parent not found (linkage {}): the disk stores no parent path", child.path, linkage);
  std::string message = fmt::format("{}: parent not found (linkage {}); tried:", child.path, linkage);
  for (size_t i = 0; i < r.candidates.size(); ++i) {
    message += i == 0 ? first : separator;  // piecewise: g++ 12 -O3 warns (-Wrestrict) on a + b + c
    message += describe(r.candidates[i]);
  }
  return message;
}

bool any_of(const ParentResolution& r, std::initializer_list<CandidateOutcome> outcomes) {
  for (CandidateOutcome o : outcomes)
    if (r.any(o)) return true;
  return false;
}

}  // namespace

std::string_view to_string(CandidateOutcome outcome) {
  switch (outcome) {
    case CandidateOutcome::not_tried: return "not_tried";
    case CandidateOutcome::ok: return "ok";
    case CandidateOutcome::unresolvable: return "unresolvable";
    case CandidateOutcome::not_found: return "not_found";
    case CandidateOutcome::access_denied: return "access_denied";
    case CandidateOutcome::io_error: return "io_error";
    case CandidateOutcome::format_error: return "format_error";
    case CandidateOutcome::identity_mismatch: return "identity_mismatch";
    case CandidateOutcome::geometry_mismatch: return "geometry_mismatch";
    case CandidateOutcome::loop: return "loop";
  }
  return "unknown";
}

ResolvedParent resolve_parent(const std::vector<ChainLayer>& chain, const ChainOptions& options) {
  if (chain.empty()) throw Error(ErrorCode::invalid_argument, "resolve_parent: the chain is empty");
  const ChainLayer& child = chain.back();
  ResolvedParent out;
  if (!child.image->info().parent) return out;
  out.resolution.candidates = parent_candidates(child.path, *child.image, options.map_windows_path);
  const ImageOpener opener = options.opener ? options.opener : ImageOpener(open_host_image);
  for (size_t i = 0; i < out.resolution.candidates.size(); ++i) {
    ParentCandidate& c = out.resolution.candidates[i];
    if (c.outcome != CandidateOutcome::not_tried) continue;  // unresolvable: nothing to open
    // Once a parent is accepted, the remaining stored locators are only probed on request (check
    // reports stale and disagreeing locators); file names beside the child never are.
    if (out.resolution.accepted && (!options.probe_all_locators || c.beside_child)) continue;
    OpenedImage opened = probe(c, chain, opener);
    if (opened.image && !out.resolution.accepted) {
      out.resolution.accepted = i;
      out.parent = std::move(opened);
    }
  }
  return out;
}

Error parent_resolution_error(const ChainLayer& child) {
  const ParentResolution& r = child.parent;
  ErrorCode code = ErrorCode::parent_missing;
  if (any_of(r, {CandidateOutcome::identity_mismatch, CandidateOutcome::geometry_mismatch}))
    code = ErrorCode::parent_mismatch;
  else if (any_of(r, {CandidateOutcome::format_error, CandidateOutcome::loop}))
    code = ErrorCode::format;
  else if (any_of(r, {CandidateOutcome::access_denied, CandidateOutcome::io_error}))
    code = ErrorCode::io;
  return Error(code, not_found_message(child, "\n  ", "\n  "));
}

std::string parent_resolution_summary(const ChainLayer& child) { return not_found_message(child, " ", "; "); }

}  // namespace vhdchain
