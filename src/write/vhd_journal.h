// The VHD sidecar redo journal: how every in-place change to an existing VHD is made crash-safe.
//
// VHD has no log of its own (unlike VHDX), and a change such as a relink touches several places at
// once: the dynamic header, locator data, both footer copies, sometimes the file size. A crash
// between two of those writes would leave a child whose header and footer disagree. So the whole
// change is first written to "<vhd>.vhdchain-journal" (vhd_journal_path()), made durable, and only
// then applied; the journal is removed durably once the VHD itself is flushed. Format and recovery
// rules: docs/vhd-writes.md.
//
//   commit:   journal under a temporary name -> flush -> atomic durable rename (the journal exists
//             only when complete) -> resize the VHD -> write every record -> flush -> remove journal
//   recovery: a complete journal for this file is applied again (redo is idempotent) and removed;
//             a temporary journal (never published, so never applied) is removed; a journal that
//             names another file, or is damaged, is refused and left in place.
//
// Every function expects the VHD open read_write (File holds its exclusive lock for the whole
// commit or recovery), so no other vhdchain process can race on the journal.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vhdchain/file.h"
#include "vhdchain/guid.h"
#include "vhdchain/write.h"
#include "write/patch.h"

namespace vhdchain::write {

// One complete change to one VHD.
struct VhdJournal {
  Guid unique_id;            // the VHD's footer unique id: which file the journal belongs to
  uint64_t size_before = 0;  // the VHD's size when the journal was written
  uint64_t size_after = 0;   // its size once the change is applied
  std::vector<Patch> records;  // applied in this order, each at an absolute offset
};

// The journal's on-disk bytes (docs/vhd-writes.md "Journal format"), CRC-32C included.
std::vector<uint8_t> encode_vhd_journal(const VhdJournal& journal);

// Decodes and verifies a journal; throws FormatError naming `journal_path`, the field and its
// offset when the bytes are not a complete, undamaged journal.
VhdJournal decode_vhd_journal(std::span<const uint8_t> bytes, const std::string& journal_path);

// The temporary name a journal is written under before it is published.
std::string vhd_journal_partial_path(const std::string& vhd_path);

// Makes `journal` happen to `vhd` (open read_write) crash-safely, per the protocol above. The
// journal's size_before must be vhd's size and no journal may be pending (open_vhd_for_writing()
// replays one first). Record offsets must lie inside size_after.
void commit_vhd_change(File& vhd, const VhdJournal& journal);

// Finishes or discards what a crash left for `vhd` (open read_write): see the recovery rules above.
ReplayResult recover_vhd_journal(File& vhd);

// The one way to open an existing VHD for writing: read_write (locked; ErrorCode::locked when
// another process holds it), then any pending journal recovered. `replayed`, when given, receives
// what the recovery did.
std::unique_ptr<File> open_vhd_for_writing(const std::string& path, ReplayResult* replayed = nullptr);

}  // namespace vhdchain::write
