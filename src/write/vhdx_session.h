// A VHDX opened for writing, following MS-VHDX's crash-safety rules (formats.md 2.5, 2.7).
//
// Opening takes the exclusive lock and validates the whole file with the reader. A pending log is
// replayed into the file before anything else (MS-VHDX 2.3.3). Nothing is written until the first
// change: then the header update protocol gives the file a new FileWriteGuid (both header slots, each
// written and flushed in turn), and every change goes through the log:
//
//   1. the change is cut into 4 KiB sectors (partial sectors completed from the file),
//   2. the log entries are written at the start of the log region and flushed, while the current
//      header still says the log is empty (LogGuid zero),
//   3. a header update sets LogGuid to the entries' new GUID and is flushed: from here a crash
//      leaves a log that any reader replays to the new state,
//   4. the sectors are written in place and flushed,
//   5. a header update sets LogGuid back to zero.
//
// Step 2 precedes step 3 on purpose. MS-VHDX asks for a fresh LogGuid in the header "before
// overwriting any space in the log"; its aim is that old entries are never taken for new ones,
// which a brand-new GUID in the new entries already guarantees. Writing the header first would open
// a window in which a crash leaves a header naming a log with no valid entry, which the spec (and
// our reader) call corrupt. A crash during step 2 leaves garbage in a log no header points at.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vhdchain/file.h"
#include "vhdchain/write.h"
#include "vhdx/header.h"
#include "vhdx/image.h"
#include "write/patch.h"

namespace vhdchain::write {

class VhdxSession {
 public:
  // Opens `path` read-write (locked) and replays a pending log into it. Throws what the reader
  // throws for a broken file, ErrorCode::locked when another process holds it.
  explicit VhdxSession(const std::string& path);

  const std::string& path() const { return file_->name(); }
  // The file as it is now (after any replay and every change so far).
  const vhdx::VhdxImage& image() const { return *image_; }
  const Reader& file() const { return *file_; }
  // What opening found and replayed.
  const ReplayResult& replay() const { return replay_; }

  // Writes the patches through the log as one atomic change (steps 1-5 above), preceded on the
  // session's first change by the FileWriteGuid header update. Throws Error(invalid_argument) for a
  // patch inside the header section's first 192 KiB (headers never go through the log) and
  // Error(unsupported) when the change does not fit in the log.
  void write_through_log(const std::vector<Patch>& patches);

  // A header update giving the file a new DataWriteGuid (MS-VHDX 2.2.2: before the first change a
  // guest or child could see), preceded on the session's first change by the FileWriteGuid update.
  void set_data_write_guid(const Guid& guid);

  // Makes completed payload writes durable before the log makes them reachable.
  void flush_payload() { file_->flush(); }
  File& writable_file() { return *file_; }

 private:
  void replay_pending_log();
  void ensure_session_started();
  // Writes `header` (sequence number and checksum filled in) to the non-current slot and flushes.
  void update_header(vhdx::Header header);
  void reopen_image();

  std::shared_ptr<File> file_;
  std::unique_ptr<vhdx::VhdxImage> image_;
  vhdx::Header current_;
  int current_index_ = 1;  // 1 or 2
  bool session_started_ = false;
  uint64_t next_sequence_ = 1;
  ReplayResult replay_;
};

}  // namespace vhdchain::write
