// Layout bookkeeping and the named-field mutation hooks of BuiltImage.
#include "support/image_layout.h"

#include <stdexcept>
#include <string>

#include "base/crc32c.h"
#include "support/byte_put.h"
#include "support/image_builder.h"
#include "support/vhd_checksum.h"

namespace vhdchain::test {

void Layout::add(std::string name, Extent extent, ChecksumKind checksum) {
  entries_[std::move(name)] = Entry{extent, checksum};
}

bool Layout::has(std::string_view name) const { return entries_.find(name) != entries_.end(); }

const Layout::Entry& Layout::entry(std::string_view name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw std::out_of_range("image layout has no structure named '" + std::string(name) + "'");
  return it->second;
}

namespace {

// Absolute file offsets of a structure's bytes: contiguous, except log entries, which continue at
// the start of the log when they run past its end (MS-VHDX 2.3: the log is a ring buffer).
uint64_t file_offset_of(const Layout& layout, const Extent& e, uint64_t i) {
  const Extent& log = layout.log_region;
  if (log.length != 0 && e.offset >= log.offset && e.offset < log.offset + log.length)
    return log.offset + (e.offset - log.offset + i) % log.length;
  return e.offset + i;
}

std::vector<uint8_t> read_structure(const SparseFile& f, const Layout& layout, const Extent& e) {
  std::vector<uint8_t> out(e.length);
  for (uint64_t done = 0; done < e.length;) {
    uint64_t pos = file_offset_of(layout, e, done);
    // Contiguous until the ring wraps.
    uint64_t n = e.length - done;
    const Extent& log = layout.log_region;
    if (log.length != 0 && pos >= log.offset && pos < log.offset + log.length)
      n = std::min(n, log.offset + log.length - pos);
    f.read(pos, std::span<uint8_t>(out.data() + done, n));
    done += n;
  }
  return out;
}

void write_structure(SparseFile& f, const Layout& layout, const Extent& e, uint64_t at,
                     std::span<const uint8_t> bytes) {
  for (uint64_t i = 0; i < bytes.size(); ++i) f.write(file_offset_of(layout, e, at + i), bytes.subspan(i, 1));
}

}  // namespace

void BuiltImage::patch(std::string_view structure, uint64_t field_offset, std::span<const uint8_t> bytes,
                       bool fix) {
  const Layout::Entry& e = layout.entry(structure);
  if (field_offset + bytes.size() > e.extent.length)
    throw std::out_of_range("patch of " + std::to_string(bytes.size()) + " bytes at " + std::to_string(field_offset) +
                            " runs past '" + std::string(structure) + "'");
  write_structure(file, layout, e.extent, field_offset, bytes);
  if (fix) fix_checksum(structure);
}

void BuiltImage::patch_le(std::string_view structure, uint64_t field_offset, uint64_t value, size_t width, bool fix) {
  std::vector<uint8_t> b(width);
  put_le(b, 0, value, width);
  patch(structure, field_offset, b, fix);
}

void BuiltImage::patch_be(std::string_view structure, uint64_t field_offset, uint64_t value, size_t width, bool fix) {
  std::vector<uint8_t> b(width);
  put_be(b, 0, value, width);
  patch(structure, field_offset, b, fix);
}

void BuiltImage::fix_checksum(std::string_view structure) {
  const Layout::Entry& e = layout.entry(structure);
  std::vector<uint8_t> bytes = read_structure(file, layout, e.extent);
  std::vector<uint8_t> field;
  uint64_t at = 0;
  switch (e.checksum) {
    case ChecksumKind::none:
      throw std::invalid_argument("'" + std::string(structure) + "' has no checksum");
    case ChecksumKind::crc32c_at_4:
      field.resize(4);
      put_le32(field, 0, crc32c_with_zeroed_field(bytes, 4));
      at = 4;
      break;
    case ChecksumKind::vhd_sum_at_64:
    case ChecksumKind::vhd_sum_at_36:
      at = e.checksum == ChecksumKind::vhd_sum_at_64 ? 64 : 36;
      field.resize(4);
      put_be32(field, 0, vhd_checksum(bytes, at));
      break;
  }
  write_structure(file, layout, e.extent, at, field);
}

}  // namespace vhdchain::test
