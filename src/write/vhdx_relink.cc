// Re-pointing a VHDX child at its parent: a new parent locator item, written through the log.
//
// The item is rebuilt with Hyper-V's key order (as in a Windows Server 2019 checkpoint:
// parent_linkage, absolute_win32_path, relative_path, volume_path, parent_linkage2), keys it does not
// know kept after them as stored. It goes back where it was when it fits, otherwise into free space
// of the metadata region with its table entry updated; both in one log entry, so a crash leaves
// the old locator or the new one.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "io/byte_view.h"
#include "vhdchain/error.h"
#include "vhdchain/file.h"
#include "vhdx/encode.h"
#include "vhdx/image.h"
#include "vhdx/layout.h"
#include "vhdx/metadata.h"
#include "write/vhdx_session.h"
#include "write/write_internal.h"

namespace vhdchain::write {
namespace {

using vhdx::known_guid;

const std::set<std::string>& keys_we_write() {
  static const std::set<std::string> keys = {"parent_linkage", "parent_linkage2", "relative_path", "volume_path",
                                             "absolute_win32_path"};
  return keys;
}

std::vector<LocatorEntry> new_locator_entries(const ParentLink& old, const NewParentLink& link) {
  std::vector<LocatorEntry> out;
  auto add = [&](std::string key, std::string value) {
    LocatorEntry e;
    e.key = std::move(key);
    e.value = std::move(value);
    out.push_back(std::move(e));
  };
  add("parent_linkage", link.linkage.to_braced_string());
  if (link.paths.absolute_win32_path) add("absolute_win32_path", *link.paths.absolute_win32_path);
  if (!link.paths.relative_path.empty()) add("relative_path", link.paths.relative_path);
  if (link.paths.volume_path) add("volume_path", *link.paths.volume_path);
  if (old.linkage2) {
    // Hyper-V keeps the key, all zero, outside a merge. A non-zero value that is not the new
    // linkage is an interrupted merge's evidence: the caller refuses that before planning.
    const bool keep = old.linkage2->is_zero() || *old.linkage2 == link.linkage;
    add("parent_linkage2", keep ? old.linkage2->to_braced_string() : Guid{}.to_braced_string());
  }
  for (const LocatorEntry& e : old.locators)
    if (!keys_we_write().count(e.key)) out.push_back(e);
  return out;
}

std::vector<LocatorChange> locator_changes(const ParentLink& old, const std::vector<LocatorEntry>& written) {
  std::vector<LocatorChange> out;
  auto old_value = [&](const std::string& key) -> std::optional<std::string> {
    for (const LocatorEntry& e : old.locators)
      if (e.key == key) return e.value;
    return std::nullopt;
  };
  std::set<std::string> seen;
  for (const LocatorEntry& e : written) {
    out.push_back({e.key, old_value(e.key), e.value});
    seen.insert(e.key);
  }
  for (const LocatorEntry& e : old.locators)
    if (!seen.count(e.key)) out.push_back({e.key, e.value, std::nullopt});
  return out;
}

std::vector<uint8_t> read_bytes(const Reader& data, uint64_t offset, uint64_t length) {
  std::vector<uint8_t> out(static_cast<size_t>(length), 0);
  if (offset < data.size()) {
    const uint64_t have = std::min(length, data.size() - offset);
    data.read_at(offset, std::span(out.data(), static_cast<size_t>(have)));
  }
  return out;
}

// Where a new item of `length` bytes fits in the metadata region, other than over `replaced`:
// the first gap after the 64 KiB table between the items.
std::optional<uint64_t> free_item_offset(const std::vector<vhdx::MetadataEntry>& entries, size_t replaced,
                                         uint64_t region_length, uint64_t length) {
  std::vector<std::pair<uint64_t, uint64_t>> used = {{0, vhdx::kMetadataTableSize}};
  for (const vhdx::MetadataEntry& e : entries)
    if (e.index != replaced && e.length > 0) used.push_back({e.offset, uint64_t{e.offset} + e.length});
  std::sort(used.begin(), used.end());
  uint64_t at = 0;
  for (const auto& [begin, end] : used) {
    if (begin >= at && begin - at >= length) return at;
    at = std::max(at, end);
  }
  if (region_length >= at && region_length - at >= length) return at;
  return std::nullopt;
}

// The plan that replaces `child`'s parent locator item by one holding `written`.
RelinkPlan plan_item_rewrite(const std::string& child, const vhdx::VhdxImage& image,
                             const std::vector<LocatorEntry>& written) {
  const ParentLink& old = *image.info().parent;
  const Reader& data = image.data();  // a pending log is replayed here; apply replays it in the file first

  const vhdx::RegionEntry& region = image.metadata_region();
  StructureBuffer table(data, region.file_offset, vhdx::kMetadataTableSize, "metadata table");
  const std::vector<vhdx::MetadataEntry> entries = vhdx::decode_metadata_table(table.view(), region.length);
  const auto item = std::find_if(entries.begin(), entries.end(), [](const vhdx::MetadataEntry& e) {
    return e.item_id == known_guid(vhdx::kParentLocatorGuid);
  });
  if (item == entries.end())  // the reader found a parent, so this cannot happen on a file it accepted
    throw Error(ErrorCode::format, fmt::format("{}: metadata table has no parent locator item", child));

  RelinkPlan plan;
  plan.child = child;
  plan.format = DiskFormat::vhdx;
  plan.locators = locator_changes(old, written);
  std::vector<uint8_t> encoded = vhdx::encode_parent_locator(written);
  if (encoded.size() > vhdx::kMaxMetadataItemLength)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: the new parent locator needs {} bytes; a metadata item holds at most {}", child,
                            encoded.size(), vhdx::kMaxMetadataItemLength));

  const uint64_t old_offset = region.file_offset + item->offset;
  const std::vector<uint8_t> old_item = read_bytes(data, old_offset, item->length);
  uint64_t new_relative = item->offset;
  if (encoded.size() > item->length) {
    auto gap = free_item_offset(entries, item->index, region.length, encoded.size());
    if (!gap)
      throw Error(ErrorCode::unsupported,
                  fmt::format("{}: metadata region @{:#x} has no free {} bytes for the new parent locator", child,
                              region.file_offset, encoded.size()));
    new_relative = *gap;
  }

  auto change = [&](uint64_t offset, std::vector<uint8_t> after, std::string structure) {
    std::vector<uint8_t> before = read_bytes(data, offset, after.size());
    if (before != after) plan.bytes.push_back({offset, std::move(before), std::move(after), std::move(structure)});
  };
  if (new_relative == item->offset) {
    std::vector<uint8_t> after = encoded;
    after.resize(std::max<size_t>(encoded.size(), old_item.size()), 0);  // the old tail is cleared
    change(old_offset, std::move(after), "metadata item parent locator");
  } else {
    change(old_offset, std::vector<uint8_t>(old_item.size(), 0), "old metadata item parent locator (cleared)");
    change(region.file_offset + new_relative, encoded, "metadata item parent locator");
  }
  if (new_relative != item->offset || encoded.size() != item->length) {
    // Table entry: ItemId (16), Offset (4), Length (4), flags...; only Offset and Length change.
    std::vector<uint8_t> fields(8, 0);
    for (int i = 0; i < 4; ++i) fields[i] = static_cast<uint8_t>(new_relative >> (8 * i));
    for (int i = 0; i < 4; ++i) fields[4 + i] = static_cast<uint8_t>(uint64_t{encoded.size()} >> (8 * i));
    change(region.file_offset + vhdx::kMetadataTableHeaderSize + item->index * vhdx::kMetadataEntrySize + 16,
           std::move(fields), fmt::format("metadata table entry {} (offset, length)", item->index));
  }
  std::sort(plan.bytes.begin(), plan.bytes.end(),
            [](const ByteChange& a, const ByteChange& b) { return a.offset < b.offset; });
  return plan;
}


const vhdx::VhdxImage& differencing_image(const std::string& child, std::unique_ptr<vhdx::VhdxImage>& holder) {
  std::shared_ptr<const Reader> file = File::open(child, OpenMode::read_only);
  holder = std::make_unique<vhdx::VhdxImage>(file);
  if (!holder->info().parent)
    throw Error(ErrorCode::invalid_argument, fmt::format("{}: is not a differencing disk; it has no parent to set", child));
  return *holder;
}

}  // namespace

RelinkPlan plan_vhdx_relink(const std::string& child, const NewParentLink& link) {
  std::unique_ptr<vhdx::VhdxImage> holder;
  const vhdx::VhdxImage& image = differencing_image(child, holder);
  return plan_item_rewrite(child, image, new_locator_entries(*image.info().parent, link));
}

RelinkPlan plan_vhdx_set_linkages(const std::string& child, const std::optional<Guid>& linkage, const Guid& linkage2) {
  std::unique_ptr<vhdx::VhdxImage> holder;
  const vhdx::VhdxImage& image = differencing_image(child, holder);
  std::vector<LocatorEntry> written = image.info().parent->locators;
  auto set = [&](const std::string& key, const Guid& value) {
    for (LocatorEntry& e : written)
      if (e.key == key) {
        e.value = value.to_braced_string();
        return;
      }
    LocatorEntry e;
    e.key = key;
    e.value = value.to_braced_string();
    written.push_back(e);
  };
  if (linkage) set("parent_linkage", *linkage);
  set("parent_linkage2", linkage2);
  return plan_item_rewrite(child, image, written);
}

void apply_vhdx_relink(const RelinkPlan& plan) {
  if (!plan.changes_anything()) return;
  VhdxSession session(plan.child);
  for (const ByteChange& c : plan.bytes) {
    if (read_bytes(session.file(), c.offset, c.before.size()) != c.before)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: {} @{:#x} changed since the plan was made; nothing was written", plan.child,
                              c.structure, c.offset));
  }
  std::vector<Patch> patches;
  for (const ByteChange& c : plan.bytes) patches.push_back({c.offset, c.after});
  session.write_through_log(patches);

  // Read back: the locator the reader now sees must be the one planned.
  const ParentLink& now = *session.image().info().parent;
  for (const LocatorChange& c : plan.locators) {
    std::optional<std::string> value;
    for (const LocatorEntry& e : now.locators)
      if (e.key == c.key) value = e.value;
    if (value != c.after)
      throw Error(ErrorCode::format, fmt::format("{}: after writing, locator key {} reads \"{}\", not \"{}\"",
                                                 plan.child, c.key, value.value_or("(absent)"),
                                                 c.after.value_or("(absent)")));
  }
}

ReplayResult replay_vhdx_log(const std::string& path) {
  VhdxSession session(path);
  return session.replay();
}

}  // namespace vhdchain::write
