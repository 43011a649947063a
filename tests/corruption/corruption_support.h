// Shared pieces of the corruption suite: the small base images every mutation starts from, opening
// a built image the way a user's file is opened (open_image over a named Reader), and capturing
// the outcome (exact error, notes, content read) so each TEST stays a few lines long.
//
// Every test in this folder follows one pattern: build a valid image, apply ONE named mutation
// through the builder's layout hooks (image_layout.h), then assert either the exact FormatError
// message and ErrorCode, or, for a tolerated deviation, success plus the exact Note(s) and content
// equal to the builder's content model. The base images are deliberately small (a few MiB) so the
// whole suite also runs quickly under AddressSanitizer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/content_model.h"
#include "support/image_builder.h"
#include "vhdchain/disk_image.h"
#include "vhdchain/error.h"

namespace vhdchain::test {

// ---- base images ----------------------------------------------------------------------------

// Dynamic VHDX, 8 MiB, 1 MiB blocks, 512-byte logical sectors: block 0 and 2 FULLY_PRESENT,
// 5 ZERO, 6 UNMAPPED. Layout: log @1 MiB, metadata @2 MiB (items from 0x210000), BAT @3 MiB,
// block 0 @4 MiB, block 2 @5 MiB, file 6 MiB.
ImageSpec vhdx_dynamic_spec();

// A pending log over vhdx_dynamic_spec(): on disk, block 2's BAT entry is still NOT_PRESENT; one
// 8 KiB entry (sequence 100, one data descriptor for the BAT's first sector) at the log's start.
ImageSpec vhdx_pending_log_spec();
extern const Guid kLogGuid;

// An empty dynamic VHDX parent and a differencing child of it, linked Hyper-V style (five locator
// keys). Child blocks: 0 PARTIALLY_PRESENT (sectors 0-7 and 100), 1 FULLY_PRESENT, 3 ZERO.
// Child layout: sector bitmap @4 MiB, block 0 @5 MiB, block 1 @6 MiB; the parent locator item at
// 0x210028, its entry N at 0x21003c + 12 N. BAT entry 4096 is chunk 0's sector bitmap.
BuiltChain vhdx_differencing_chain();
// A differencing VHDX with a hand-made parent locator (no chain; the content is not compared).
BuiltImage vhdx_differencing_with_locator(std::vector<LocatorEntry> locator);

// Dynamic VHD of 8,355,840 bytes (CHS 240/4/17 multiplies out exactly, so no CHS note), 2 MiB
// blocks (the last one partial): block 0 fully present, block 2 sectors 0-7 and 100.
// Layout: footer copy @0, dynamic header @0x200, BAT @0x600 (4 entries), block 0 @0x800,
// block 2 @0x200a00, footer @0x400c00.
ImageSpec vhd_dynamic_spec();
// The same disk as a fixed VHD (footer @0x7f8000).
ImageSpec vhd_fixed_spec();
// An empty dynamic VHD parent and a differencing child linked Hyper-V style (W2ku + W2ru).
BuiltChain vhd_differencing_chain();

// ---- opening and outcomes -------------------------------------------------------------------

// The file name every image is opened under, so messages read "img.vhdx: header 1 @0x10000: ...".
std::string image_name(const BuiltImage& img);

std::shared_ptr<const Reader> reader_of(const BuiltImage& img);
// The image's bytes cut (or extended with zeros) to `size`, as a truncated copy would be.
std::shared_ptr<const Reader> reader_of(const BuiltImage& img, uint64_t size);
// A Reader over the builder's sparse pages, for images whose apparent size is too large to copy.
std::shared_ptr<const Reader> sparse_reader_of(const BuiltImage& img);
// Bytes edited by hand (e.g. a fixed VHD with bytes inserted before its footer).
std::shared_ptr<const Reader> reader_of(std::vector<uint8_t> bytes, std::string name);

struct Failure {
  std::string message;  // e.what(), or "<no error>"
  ErrorCode code = ErrorCode::invalid_argument;
};

// open_image() on the image; the error it throws.
Failure open_failure(const BuiltImage& img);
Failure open_failure(std::shared_ptr<const Reader> file);
// open_image() must succeed; the error of the first block_stats(). Also checks that a later map()
// throws the same error again (the BAT is validated lazily, and a failure is not cached as success).
Failure first_use_failure(const BuiltImage& img);
Failure first_use_failure(std::shared_ptr<const Reader> file);

using NoteList = std::vector<std::pair<std::string, std::string>>;  // (code, message)
NoteList notes_of(const ImageInfo& info);

// The whole virtual disk through map(): data runs from data(), zero and parent runs as zeros
// (every parent in this suite is empty). Also calls block_stats() first so BAT notes are in info().
std::vector<uint8_t> read_disk(const DiskImage& image);

// What the builder's content model says the image reads as (level 0, or level 1 of a chain whose
// base is empty).
std::vector<uint8_t> expected_disk(const ImageSpec& spec);
std::vector<uint8_t> expected_disk(const BuiltChain& chain);

// Field readers for building expected messages (e.g. a checksum's computed value is the value the
// builder stored before the test damaged it).
uint32_t read_le32(const BuiltImage& img, std::string_view structure, uint64_t field_offset);
uint64_t read_le64(const BuiltImage& img, std::string_view structure, uint64_t field_offset);
uint32_t read_be32(const BuiltImage& img, std::string_view structure, uint64_t field_offset);
uint64_t read_be64(const BuiltImage& img, std::string_view structure, uint64_t field_offset);

}  // namespace vhdchain::test
