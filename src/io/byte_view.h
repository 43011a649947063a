// Bounds-checked decoding of one on-disk structure.
//
// A ByteView is the bytes of a single structure plus where they came from (file, structure name,
// absolute offset). Fields are read by their offset inside the structure, in the byte order the
// format uses; nothing is ever reinterpreted through a packed struct. Reading outside the view, and
// every validation failure raised through fail(), throws a FormatError that names the file, the
// structure and its absolute offset.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "vhdchain/error.h"
#include "vhdchain/guid.h"
#include "vhdchain/reader.h"

namespace vhdchain {

class ByteView {
 public:
  ByteView(std::span<const uint8_t> bytes, std::string file, std::string structure, uint64_t file_offset)
      : bytes_(bytes), file_(std::move(file)), structure_(std::move(structure)), file_offset_(file_offset) {}

  size_t size() const { return bytes_.size(); }
  std::span<const uint8_t> all() const { return bytes_; }
  uint64_t file_offset() const { return file_offset_; }
  const std::string& structure() const { return structure_; }
  const std::string& file() const { return file_; }

  uint8_t u8(size_t off) const { return *field(off, 1); }
  uint16_t le16(size_t off) const { return static_cast<uint16_t>(le(off, 2)); }
  uint32_t le32(size_t off) const { return static_cast<uint32_t>(le(off, 4)); }
  uint64_t le64(size_t off) const { return le(off, 8); }
  uint16_t be16(size_t off) const { return static_cast<uint16_t>(be(off, 2)); }
  uint32_t be32(size_t off) const { return static_cast<uint32_t>(be(off, 4)); }
  uint64_t be64(size_t off) const { return be(off, 8); }
  Guid guid(size_t off) const {
    Guid g;
    std::memcpy(g.bytes.data(), field(off, 16), 16);
    return g;
  }
  std::span<const uint8_t> bytes(size_t off, size_t len) const { return {field(off, len), len}; }
  bool matches(size_t off, std::string_view signature) const {
    return std::memcmp(field(off, signature.size()), signature.data(), signature.size()) == 0;
  }
  bool all_zero(size_t off, size_t len) const {
    const uint8_t* p = field(off, len);
    for (size_t i = 0; i < len; ++i)
      if (p[i]) return false;
    return true;
  }

  // A view of a part of this structure, named separately (e.g. "region table entry 3").
  ByteView sub(size_t off, size_t len, std::string structure) const {
    return ByteView({field(off, len), len}, file_, std::move(structure), file_offset_ + off);
  }

  Location location() const { return Location{file_, structure_, file_offset_}; }
  [[noreturn]] void fail(const std::string& detail, ErrorCode code = ErrorCode::format) const {
    throw FormatError(location(), detail, code);
  }

 private:
  const uint8_t* field(size_t off, size_t len) const {
    if (off > bytes_.size() || len > bytes_.size() - off)
      fail("field at +" + std::to_string(off) + " (" + std::to_string(len) + " bytes) lies outside the " +
           std::to_string(bytes_.size()) + "-byte structure");
    return bytes_.data() + off;
  }
  uint64_t le(size_t off, size_t n) const {
    const uint8_t* p = field(off, n);
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
    return v;
  }
  uint64_t be(size_t off, size_t n) const {
    const uint8_t* p = field(off, n);
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
  }

  std::span<const uint8_t> bytes_;
  std::string file_;
  std::string structure_;
  uint64_t file_offset_;
};

// Throws a FormatError saying the file is truncated (not a generic I/O error) when `length` bytes
// at `offset` do not fit in the file: for a disk image that is a structural fact about the file.
inline void require_structure_fits(const Reader& reader, uint64_t offset, uint64_t length, const std::string& structure) {
  const uint64_t size = reader.size();
  if (offset > size || length > size - offset)
    throw FormatError(Location{reader.name(), structure, offset},
                      "structure of " + std::to_string(length) + " bytes does not fit in the file (" +
                          std::to_string(size) + " bytes): file is truncated");
}

// Reads a structure of `length` bytes at `offset` from a Reader (require_structure_fits first).
class StructureBuffer {
 public:
  StructureBuffer(const Reader& reader, uint64_t offset, size_t length, std::string structure);
  ByteView view() const { return ByteView(bytes_, file_, structure_, offset_); }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
  std::string file_;
  std::string structure_;
  uint64_t offset_;
};

inline StructureBuffer::StructureBuffer(const Reader& reader, uint64_t offset, size_t length, std::string structure)
    : file_(reader.name()), structure_(std::move(structure)), offset_(offset) {
  require_structure_fits(reader, offset, length, structure_);
  bytes_.reserve(length);
#if defined(__linux__)
  // A large structure (a 2 TiB VHD's BAT is 4 MiB) costs a page fault per 4 KiB when first touched,
  // more than the read itself on a virtual machine; transparent huge pages make that a handful.
  // (THP is often "madvise" only.) Advice, so a refusal changes nothing.
  constexpr size_t kHugeAdviceMin = 4 << 20;
  if (length >= kHugeAdviceMin) {
    const uintptr_t page = 4096;
    const uintptr_t begin = (reinterpret_cast<uintptr_t>(bytes_.data()) + page - 1) & ~(page - 1);
    const uintptr_t end = (reinterpret_cast<uintptr_t>(bytes_.data()) + length) & ~(page - 1);
    if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  }
#endif
  bytes_.resize(length);
  reader.read_at(offset, bytes_);
}

}  // namespace vhdchain
