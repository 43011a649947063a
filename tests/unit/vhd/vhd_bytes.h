// Byte-level construction of VHD structures and small whole images for the src/vhd unit tests.
//
// Fields are written by offset in big-endian order, mirroring how the parser reads them; checksums
// are computed here independently of the parser's vhd_checksum() so a test of one does not lean on
// the other. Images use tiny blocks (4 KiB = 8 sectors, so the bitmap is 1 byte padded to 512) to
// keep every byte of a test image inside a few KiB.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vhdchain/memory_reader.h"

namespace vhdchain::vhd::test {

// formats.md section 4, E1: the footer of Hyper-V's fat-differential.vhd, bytes 0x54-0x1FF zero.
inline std::vector<uint8_t> e1_footer() {
  const uint8_t head[0x54] = {
      0x63, 0x6f, 0x6e, 0x65, 0x63, 0x74, 0x69, 0x78, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x27, 0x19, 0x8e, 0x1b, 0x77, 0x69, 0x6e, 0x20,
      0x00, 0x0a, 0x00, 0x00, 0x57, 0x69, 0x32, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x78, 0x04, 0x11, 0x00, 0x00, 0x00, 0x04,
      0xff, 0xff, 0xf0, 0x2c, 0xf8, 0x4f, 0x16, 0x36, 0xcd, 0x9e, 0x90, 0x41, 0xa6, 0x9e, 0xdc, 0xc2,
      0x38, 0x0e, 0x41, 0x6a};
  std::vector<uint8_t> b(512, 0);
  std::copy(std::begin(head), std::end(head), b.begin());
  return b;
}

inline void be(std::vector<uint8_t>& b, size_t off, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) b[off + i] = static_cast<uint8_t>(value >> (8 * (width - 1 - i)));
}
inline void text(std::vector<uint8_t>& b, size_t off, std::string_view s) { std::memcpy(b.data() + off, s.data(), s.size()); }

// Appends `from` to `to` byte by byte: g++ 12 at -O2 warns falsely (-Warray-bounds,
// -Wstringop-overflow) on vector::insert and memcpy of these small vectors.
inline void append(std::vector<uint8_t>& to, std::span<const uint8_t> from) {
  to.reserve(to.size() + from.size());
  for (uint8_t b : from) to.push_back(b);
}

// ~(sum of bytes) with the 4 checksum bytes at `at` counted as zero, written into place.
inline uint32_t seal(std::vector<uint8_t>& b, size_t begin, size_t length, size_t at) {
  uint32_t sum = 0;
  for (size_t i = begin; i < begin + length; ++i)
    if (i < begin + at || i >= begin + at + 4) sum += b[i];
  be(b, begin + at, ~sum, 4);
  return ~sum;
}

struct FooterFields {
  uint32_t features = 2;
  uint32_t version = 0x00010000;
  uint64_t data_offset = 512;
  uint32_t timestamp = 0x27198E1B;
  std::string_view application = "test";
  uint32_t creator_version = 0x00020001;
  std::string_view host = "Wi2k";
  uint64_t original_size = 0;
  uint64_t current_size = 0;
  uint16_t cylinders = 0;
  uint8_t heads = 0;
  uint8_t sectors = 0;
  uint32_t disk_type = 3;
  uint8_t id_seed = 0x10;  // unique id bytes id_seed, id_seed+1, ...
  uint8_t saved_state = 0;
};

inline std::vector<uint8_t> footer_bytes(const FooterFields& f) {
  std::vector<uint8_t> b(512, 0);
  text(b, 0, "conectix");
  be(b, 8, f.features, 4);
  be(b, 12, f.version, 4);
  be(b, 16, f.data_offset, 8);
  be(b, 24, f.timestamp, 4);
  text(b, 28, f.application);
  be(b, 32, f.creator_version, 4);
  text(b, 36, f.host);
  be(b, 40, f.original_size ? f.original_size : f.current_size, 8);
  be(b, 48, f.current_size, 8);
  be(b, 56, f.cylinders, 2);
  b[58] = f.heads;
  b[59] = f.sectors;
  be(b, 60, f.disk_type, 4);
  for (int i = 0; i < 16; ++i) b[68 + i] = static_cast<uint8_t>(f.id_seed + i);
  b[84] = f.saved_state;
  seal(b, 0, 512, 64);
  return b;
}

struct Locator {
  std::string_view code;  // 4 chars
  uint32_t space = 0;
  uint32_t length = 0;
  uint64_t offset = 0;
};

struct HeaderFields {
  uint64_t data_offset = 0xFFFFFFFFFFFFFFFFull;
  uint64_t table_offset = 1536;
  uint32_t version = 0x00010000;
  uint32_t max_entries = 0;
  uint32_t block_size = 4096;
  uint8_t parent_seed = 0;  // parent unique id bytes parent_seed, +1, ... (0: all zero)
  uint32_t parent_timestamp = 0;
  std::u16string parent_name;
  Locator locators[8] = {};
};

inline std::vector<uint8_t> header_bytes(const HeaderFields& h) {
  std::vector<uint8_t> b(1024, 0);
  text(b, 0, "cxsparse");
  be(b, 8, h.data_offset, 8);
  be(b, 16, h.table_offset, 8);
  be(b, 24, h.version, 4);
  be(b, 28, h.max_entries, 4);
  be(b, 32, h.block_size, 4);
  if (h.parent_seed)
    for (int i = 0; i < 16; ++i) b[40 + i] = static_cast<uint8_t>(h.parent_seed + i);
  be(b, 56, h.parent_timestamp, 4);
  for (size_t i = 0; i < h.parent_name.size(); ++i) be(b, 64 + 2 * i, h.parent_name[i], 2);
  for (int i = 0; i < 8; ++i) {
    const Locator& l = h.locators[i];
    if (l.code.empty()) continue;
    const size_t at = 576 + 24 * i;
    text(b, at, l.code);
    be(b, at + 4, l.space, 4);
    be(b, at + 8, l.length, 4);
    be(b, at + 16, l.offset, 8);
  }
  seal(b, 0, 1024, 36);
  return b;
}

// A dynamic or differencing image: footer copy at 0, header at 512, BAT at 1536 (padded to 512),
// then `extra` bytes (locator data), then the blocks in the order given, then the footer.
struct Block {
  uint32_t index;       // virtual block number
  uint8_t bitmap_byte;  // the 8 sectors' bits, MSB = sector 0
  uint8_t fill;         // data sector s holds fill + s in every byte
};

struct ImageBytes {
  std::vector<uint8_t> bytes;
  std::vector<uint64_t> block_offset;  // file offset of each Block's bitmap, in the order given
};

inline ImageBytes dynamic_image(FooterFields footer, HeaderFields header, const std::vector<Block>& blocks,
                                const std::vector<uint8_t>& extra = {}) {
  ImageBytes out;
  // A hostile max table entries is written as stated in the header, not laid out in full.
  const size_t entries = std::min<uint32_t>(header.max_entries, 64);
  const size_t bat_bytes = (entries * 4 + 511) / 512 * 512;
  out.bytes.assign(1536 + bat_bytes, 0);
  for (size_t i = 0; i < entries; ++i) be(out.bytes, 1536 + 4 * i, 0xFFFFFFFF, 4);
  append(out.bytes, extra);
  out.bytes.resize((out.bytes.size() + 511) / 512 * 512, 0);
  for (const Block& blk : blocks) {
    const uint64_t at = out.bytes.size();
    out.block_offset.push_back(at);
    be(out.bytes, 1536 + 4 * blk.index, at / 512, 4);
    out.bytes.resize(at + 512 + header.block_size, 0);
    out.bytes[at] = blk.bitmap_byte;
    for (uint32_t s = 0; s < header.block_size / 512; ++s)
      std::memset(out.bytes.data() + at + 512 + s * 512, static_cast<uint8_t>(blk.fill + s), 512);
  }
  std::vector<uint8_t> f = footer_bytes(footer);
  std::vector<uint8_t> h = header_bytes(header);
  std::memcpy(out.bytes.data(), f.data(), 512);
  std::memcpy(out.bytes.data() + 512, h.data(), 1024);
  append(out.bytes, f);
  return out;
}

inline std::shared_ptr<const Reader> reader(std::vector<uint8_t> bytes, std::string name = "mem.vhd") {
  return std::make_shared<MemoryReader>(std::move(bytes), std::move(name));
}

// The message of the vhdchain::Error that `f` throws ("" when it throws nothing).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace vhdchain::vhd::test
