// Re-pointing a VHD child at its parent (repair --set-parent, --fix-aliases), through the journal.
//
// The parent link of a VHD lives in the dynamic header (parent unique id, time stamp, unicode name,
// the 8 locator entries) and in the locator data the entries point to. A new path is written into
// its entry's existing space when it fits (the space Hyper-V and create reserve is generous), and
// otherwise into new space at the end of the file, the footer moving after it. Only W2ku and W2ru
// are written (what Hyper-V writes); other entries point at the old location and are removed.
// docs/vhd-writes.md "Relink" has the rules.
#include <algorithm>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "base/checked_math.h"
#include "io/byte_view.h"
#include "io/fs_ops.h"
#include "vhd/encode.h"
#include "vhdchain/error.h"
#include "write/vhd_journal.h"
#include "write/vhd_parent_fields.h"
#include "write/write_internal.h"

namespace vhdchain::write {
namespace {

struct Span {
  uint64_t offset = 0;
  uint64_t length = 0;
  bool overlaps(uint64_t o, uint64_t l) const { return o < offset + length && offset < o + l; }
};

// A VHD's parent fields as stored, with what is needed to place new locator data.
struct CurrentLink {
  vhd::FooterLocation footer;
  uint64_t header_offset = 0;
  vhd::DynamicHeader header;
  std::array<std::vector<uint8_t>, vhd::kLocatorCount> locator_data;  // each slot's data_length bytes
  std::vector<Span> fixed_structures;  // footer copy, header, BAT, allocated blocks
};

std::vector<uint8_t> read_bytes(const Reader& file, uint64_t offset, uint64_t length) {
  // Bytes past the end of the file are absent (the file grows there), not zeros.
  if (offset >= file.size()) return {};
  std::vector<uint8_t> out(std::min(length, file.size() - offset));
  file.read_at(offset, out);
  return out;
}

CurrentLink read_current(const File& file) {
  CurrentLink cur;
  std::vector<Note> notes;
  cur.footer = vhd::locate_footer(file, notes);
  cur.header_offset = cur.footer.footer.data_offset;
  const std::vector<uint8_t> header_bytes = read_bytes(file, cur.header_offset, vhd::kDynamicHeaderSize);
  cur.header = vhd::decode_dynamic_header(ByteView(header_bytes, file.name(), "dynamic header", cur.header_offset));
  const vhd::DynamicHeader& h = cur.header;
  for (size_t i = 0; i < vhd::kLocatorCount; ++i)
    if (!h.locators[i].empty())
      cur.locator_data[i] = read_bytes(file, h.locators[i].data_offset, h.locators[i].data_length);

  cur.fixed_structures = {{0, vhd::kFooterSize},
                          {cur.header_offset, vhd::kDynamicHeaderSize},
                          {h.table_offset, uint64_t(h.max_table_entries) * vhd::kBatEntrySize}};
  const std::vector<uint8_t> bat = read_bytes(file, h.table_offset, uint64_t(h.max_table_entries) * 4);
  const ByteView view(bat, file.name(), "BAT", h.table_offset);
  for (size_t at = 0; at + 4 <= bat.size(); at += 4) {
    const uint32_t entry = view.be32(at);
    if (entry != vhd::kBatUnallocated)
      cur.fixed_structures.push_back({uint64_t(entry) * vhd::kSectorSize, uint64_t(h.bitmap_size()) + h.block_size});
  }
  return cur;
}

// Bytes a slot's data may grow to in place: its data space (as bytes when that covers the data,
// as Hyper-V writes it; else as the spec's sectors), cut at the next structure or locator data.
uint64_t capacity_in_place(const vhd::LocatorSlot& slot, uint64_t data_end, const std::vector<Span>& taken) {
  uint64_t space = slot.data_space >= slot.data_length ? slot.data_space : uint64_t(slot.data_space) * vhd::kSectorSize;
  space = std::min(space, data_end - std::min(data_end, slot.data_offset));
  for (const Span& s : taken) {
    if (s.overlaps(slot.data_offset, std::max<uint64_t>(slot.data_length, 1))) return 0;
    if (s.offset > slot.data_offset) space = std::min(space, s.offset - slot.data_offset);
  }
  return space;
}

std::string decoded(uint32_t code, const std::vector<uint8_t>& data) {
  return vhd::decode_locator_data(code, data).text;
}

struct Placement {
  size_t slot = 0;
  vhd::LocatorSlot entry;
  std::vector<uint8_t> bytes;  // written at entry.data_offset (data, then zeros over old data)
};

struct NewLink {
  vhd::DynamicHeader header;
  std::vector<Placement> placements;
  uint64_t new_footer_offset = 0;  // 0: the footer stays
};

NewLink place(const CurrentLink& cur, const NewParentLink& link) {
  NewLink out;
  out.header = cur.header;
  vhd::DynamicHeader& h = out.header;
  h.parent_unique_id = link.linkage;
  // A time stamp that was about the old parent means nothing for a new one: Hyper-V's 0 then.
  h.parent_timestamp = link.vhd_parent_timestamp.value_or(
      link.linkage == cur.header.parent_unique_id ? cur.header.parent_timestamp : 0);
  h.parent_name.utf8 = vhd_parent_name_for(link.paths);

  const uint64_t data_end = cur.footer.data_end;
  std::vector<Span> taken = cur.fixed_structures;
  for (size_t i = 0; i < vhd::kLocatorCount; ++i)
    if (!cur.header.locators[i].empty())
      taken.push_back({cur.header.locators[i].data_offset, cur.header.locators[i].data_length});
  // Only the locators we write survive; the others name the old location.
  for (auto& slot : h.locators)
    if (slot.platform_code != vhd::kPlatformW2ku && slot.platform_code != vhd::kPlatformW2ru) slot = {};

  uint64_t end = (data_end + vhd::kSectorSize - 1) / vhd::kSectorSize * vhd::kSectorSize;
  std::vector<bool> kept(vhd::kLocatorCount, false);
  for (const VhdLocatorData& want : vhd_locators_for(link.paths)) {
    size_t slot = vhd::kLocatorCount;
    for (size_t i = 0; i < vhd::kLocatorCount && slot == vhd::kLocatorCount; ++i)
      if (h.locators[i].platform_code == want.platform_code && !kept[i]) slot = i;
    Placement p;
    if (slot != vhd::kLocatorCount) {
      const vhd::LocatorSlot old = cur.header.locators[slot];
      std::vector<Span> others;
      for (const Span& s : taken)
        if (s.offset != old.data_offset || s.length != old.data_length) others.push_back(s);
      if (capacity_in_place(old, data_end, others) >= want.data.size()) {
        p.entry = old;
        p.entry.data_length = static_cast<uint32_t>(want.data.size());
        p.bytes = want.data;
        p.bytes.resize(std::max<size_t>(want.data.size(), old.data_length), 0);
      }
    } else {
      for (size_t i = 0; i < vhd::kLocatorCount && slot == vhd::kLocatorCount; ++i)
        if (h.locators[i].empty() && !kept[i]) slot = i;
    }
    if (slot == vhd::kLocatorCount)
      throw Error(ErrorCode::unsupported,
                  fmt::format("no free parent locator entry for {} (all 8 hold W2ku or W2ru)",
                              vhd::four_cc_text(want.platform_code)));
    if (p.bytes.empty()) {  // new space at the end, where the footer was
      p.entry = vhd::LocatorSlot{want.platform_code, want.space, static_cast<uint32_t>(want.data.size()), 0, end};
      p.bytes = want.data;
      p.bytes.resize(want.space, 0);
      end += want.space;
      out.new_footer_offset = end;
    }
    p.slot = slot;
    kept[slot] = true;
    h.locators[slot] = p.entry;
    taken.push_back({p.entry.data_offset, p.bytes.size()});
    out.placements.push_back(std::move(p));
  }
  for (size_t i = 0; i < vhd::kLocatorCount; ++i)
    if (!kept[i]) h.locators[i] = {};
  return out;
}

void add_change(const File& file, std::vector<ByteChange>& changes, uint64_t offset, std::vector<uint8_t> after,
                std::string structure) {
  std::vector<uint8_t> before = read_bytes(file, offset, after.size());
  if (before == after) return;
  changes.push_back(ByteChange{offset, std::move(before), std::move(after), std::move(structure)});
}

std::vector<LocatorChange> key_changes(const CurrentLink& cur, const NewLink& next) {
  const vhd::DynamicHeader& a = cur.header;
  const vhd::DynamicHeader& b = next.header;
  std::vector<LocatorChange> out = {
      {"parent_unique_id", a.parent_unique_id.to_string(), b.parent_unique_id.to_string()},
      {"parent_timestamp", std::to_string(a.parent_timestamp), std::to_string(b.parent_timestamp)},
      {"parent_unicode_name", a.parent_name.utf8, b.parent_name.utf8},
  };
  std::map<size_t, std::string> new_text;
  for (const Placement& p : next.placements)
    new_text[p.slot] = decoded(p.entry.platform_code,
                               std::vector<uint8_t>(p.bytes.begin(), p.bytes.begin() + p.entry.data_length));
  for (size_t i = 0; i < vhd::kLocatorCount; ++i) {
    const uint32_t old_code = a.locators[i].platform_code;
    const uint32_t new_code = b.locators[i].platform_code;
    std::optional<std::string> before;
    if (old_code != vhd::kPlatformNone) before = decoded(old_code, cur.locator_data[i]);
    std::optional<std::string> after;
    if (new_code != vhd::kPlatformNone) after = new_text[i];
    if (old_code == new_code) {
      if (old_code != vhd::kPlatformNone) out.push_back({vhd::four_cc_text(old_code), before, after});
      continue;
    }
    if (old_code != vhd::kPlatformNone) out.push_back({vhd::four_cc_text(old_code), before, std::nullopt});
    if (new_code != vhd::kPlatformNone) out.push_back({vhd::four_cc_text(new_code), std::nullopt, after});
  }
  return out;
}

// A complete journal means the file may be half-changed: planning on it would plan from the wrong
// bytes. A partial one was never applied (the writable open removes it), so it does not matter.
void refuse_pending(const std::string& child) {
  const std::string pending = vhd_journal_path(child);
  if (io::path_exists(pending))
    throw Error(ErrorCode::invalid_argument,
                child + ": has a pending change (" + pending + "); replay it first (vhdchain repair --replay-log)");
}

}  // namespace

RelinkPlan plan_vhd_relink(const std::string& child, const NewParentLink& link) {
  refuse_pending(child);
  auto file = File::open(child, OpenMode::read_only);
  const CurrentLink cur = read_current(*file);
  if (cur.footer.footer.disk_type != vhd::kDiskTypeDifferencing)
    throw Error(ErrorCode::invalid_argument, child + ": is not a differencing disk; it has no parent to re-point");
  const NewLink next = place(cur, link);

  RelinkPlan plan;
  plan.child = child;
  plan.format = DiskFormat::vhd;
  plan.locators = key_changes(cur, next);
  const auto header = vhd::encode_dynamic_header(next.header);
  add_change(*file, plan.bytes, cur.header_offset, {header.begin(), header.end()}, "dynamic header");
  for (const Placement& p : next.placements)
    add_change(*file, plan.bytes, p.entry.data_offset, p.bytes,
               fmt::format("parent locator entry {} data ({})", p.slot, vhd::four_cc_text(p.entry.platform_code)));
  if (next.new_footer_offset != 0) {
    const auto footer = vhd::encode_footer(cur.footer.footer);
    add_change(*file, plan.bytes, next.new_footer_offset, {footer.begin(), footer.end()}, "footer");
  }
  std::sort(plan.bytes.begin(), plan.bytes.end(),
            [](const ByteChange& x, const ByteChange& y) { return x.offset < y.offset; });
  return plan;
}

void apply_vhd_relink(const RelinkPlan& plan) {
  auto file = open_vhd_for_writing(plan.child);
  uint64_t size_after = file->size();
  VhdJournal journal;
  for (const ByteChange& change : plan.bytes) {
    if (read_bytes(*file, change.offset, change.after.size()) != change.before)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: changed since planned: {} @{:#x} no longer holds the bytes the plan expects",
                              plan.child, change.structure, change.offset));
    size_after = std::max<uint64_t>(size_after, change.offset + change.after.size());
    journal.records.push_back({change.offset, change.after});
  }
  if (journal.records.empty()) return;
  std::vector<Note> notes;
  journal.unique_id = vhd::locate_footer(*file, notes).footer.unique_id;
  journal.size_before = file->size();
  journal.size_after = size_after;
  commit_vhd_change(*file, journal);
}

}  // namespace vhdchain::write
