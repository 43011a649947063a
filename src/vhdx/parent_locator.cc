// Parent locator (MS-VHDX 2.6.2.6.1-2.6.2.6.3).
//
// Decoding is deliberately liberal about what the spec and Hyper-V disagree on (formats.md pitfall
// 8): braces and case in GUID text, absolute_win32_path with or without the \\?\ prefix (kept as
// stored; resolving paths is chain/'s job), an all-zero parent_linkage2. It is strict about what
// would make a value ambiguous: out-of-bounds or odd-length strings, duplicate keys, an unreadable
// parent_linkage.
#include "vhdx/parent_locator.h"

#include <string>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "base/checked_math.h"
#include "base/utf16.h"
#include "vhdx/layout.h"

namespace vhdchain::vhdx {
namespace {

// Entry i of the locator, named for an error message. Built only when one is needed: naming each of
// 65,535 entries up front was a good part of the cost of decoding them.
ByteView entry_view(const ByteView& item, uint16_t i) {
  return item.sub(kLocatorHeaderSize + size_t(i) * kLocatorEntrySize, kLocatorEntrySize,
                  fmt::format("parent locator entry {}", i));
}

Utf16Text string_at(const ByteView& item, uint16_t entry, const char* what, uint32_t offset, uint16_t length) {
  if (length % 2 != 0)
    entry_view(item, entry).fail(fmt::format("{} length {} is odd (UTF-16LE needs whole code units)", what, length));
  auto end = checked_add(offset, length);
  if (!end || *end > item.size())
    entry_view(item, entry).fail(fmt::format("{} {:#x}+{:#x} lies outside the {:#x}-byte locator", what, offset,
                                             length, item.size()));
  return utf16_to_utf8(item.bytes(offset, length), Endian::little);
}

Guid parse_linkage(const ByteView& item, uint16_t entry, const LocatorEntry& e) {
  auto g = Guid::parse(e.value);
  if (!g) entry_view(item, entry).fail(fmt::format("{} value \"{}\" is not a GUID", e.key, e.value));
  return *g;
}

}  // namespace

DecodedParentLocator decode_parent_locator(const ByteView& item) {
  if (item.size() < kLocatorHeaderSize)
    item.fail(fmt::format("length {} is shorter than the 20-byte locator header", item.size()));
  const Guid type = item.guid(0);
  if (type != known_guid(kVhdxParentLocatorTypeGuid))
    item.fail(fmt::format("locator type {} is not the VHDX parent locator type {}", type.to_string(),
                          known_guid(kVhdxParentLocatorTypeGuid).to_string()),
              ErrorCode::unsupported);
  if (item.le16(16) != 0) item.fail(fmt::format("reserved field {:#x} is not zero", item.le16(16)));
  const uint16_t count = item.le16(18);
  if (kLocatorHeaderSize + size_t(count) * kLocatorEntrySize > item.size())
    item.fail(fmt::format("key value count {} does not fit in the {}-byte item", count, item.size()));

  DecodedParentLocator out;
  ParentLink& link = out.link;
  bool have_linkage = false, have_path = false;
  // The keys seen so far, hashed (a scan of them per entry made a 65,535-key locator cost seconds);
  // the views point into link.locators, which never reallocates (reserved).
  std::unordered_map<std::string_view, uint16_t> seen;
  seen.reserve(count);
  link.locators.reserve(count);
  for (uint16_t i = 0; i < count; ++i) {
    const size_t at = kLocatorHeaderSize + size_t(i) * kLocatorEntrySize;
    const uint32_t key_offset = item.le32(at), value_offset = item.le32(at + 4);
    const uint16_t key_length = item.le16(at + 8), value_length = item.le16(at + 10);
    if (key_length == 0) entry_view(item, i).fail("key length 0 is not allowed");
    Utf16Text key = string_at(item, i, "key", key_offset, key_length);
    if (!key.valid) entry_view(item, i).fail("key is not valid UTF-16LE");
    Utf16Text value = string_at(item, i, "value", value_offset, value_length);
    if (auto it = seen.find(key.utf8); it != seen.end())
      entry_view(item, i).fail(fmt::format("key \"{}\" also appears in entry {}", key.utf8, it->second));

    LocatorEntry& e = link.locators.emplace_back();
    e.key = std::move(key.utf8);
    e.value = std::move(value.utf8);
    e.value_valid = value.valid;
    seen.emplace(e.key, i);
    if (e.key == "parent_linkage") {
      link.linkage = parse_linkage(item, i, e);
      have_linkage = true;
    } else if (e.key == "parent_linkage2") {
      link.linkage2 = parse_linkage(item, i, e);
    } else if (e.key == "relative_path" || e.key == "volume_path" || e.key == "absolute_win32_path") {
      have_path = true;
    }
  }
  if (!have_linkage) item.fail("the parent_linkage key is missing");
  if (!have_path)
    out.notes.push_back({"vhdx.parent_locator_no_path",
                         fmt::format("parent locator @{:#x}: none of relative_path, volume_path, absolute_win32_path "
                                     "is present, so the parent can only be found by other means",
                                     item.file_offset())});
  return out;
}

}  // namespace vhdchain::vhdx
