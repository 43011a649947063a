// Where `export --raw` writes: a new or replaced regular file, stdout, or a device.
//
// A regular file is written sparse and never seen half-written: the bytes go to a temp file in OUT's
// folder (same file system, so the final rename is atomic), zero runs become holes (we skip them
// and set the final size with ftruncate), the file is fsynced, then renamed over OUT. On an error,
// an early return or SIGINT/SIGTERM/SIGHUP the temp file is removed. Stdout, pipes and character
// devices get every byte in order; a block device is written in place (it needs --force) and gets
// its zeros written too, since it still holds old data.
// That is the POSIX implementation (raw_target_posix.cc); raw_target_win32.cc keeps the same promises
// with Win32 calls (FSCTL_SET_SPARSE, FlushFileBuffers, MoveFileExW, a console control handler).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vhdchain/chain.h"

namespace vhdchain::cli {

class RawTarget {
 public:
  // Refusals are Error(invalid_argument): OUT exists without force (or is a folder), OUT is one of
  // the chain's files, "-" when stdout is a terminal, a device smaller than `size`. System failures
  // are IoError.
  static std::unique_ptr<RawTarget> open(const std::string& out, bool force, uint64_t size,
                                         const std::vector<FileIdentity>& inputs);
  ~RawTarget();
  RawTarget(const RawTarget&) = delete;
  RawTarget& operator=(const RawTarget&) = delete;

  bool holes_allowed() const { return kind_ == Kind::new_file; }
  // Writes at the current position and advances it.
  void write(std::span<const uint8_t> bytes);
  void write_zeros(uint64_t length);
  // Advances without writing (a hole); only when holes_allowed().
  void skip(uint64_t length);
  // Sets the final size, makes the data durable and (new file) renames it into place.
  void commit();
  const std::string& name() const { return out_; }

 private:
  enum class Kind { new_file, stream, device };
  RawTarget(Kind kind, int fd, std::string out, std::string temp, uint64_t size, bool force);
  void write_at_position(const uint8_t* data, size_t length);
  void rename_into_place();

  Kind kind_;
  int fd_;
  std::string out_;
  std::string temp_;  // new_file: the temp name until commit
  uint64_t size_;
  bool force_;
  uint64_t position_ = 0;
  bool committed_ = false;
};

}  // namespace vhdchain::cli
