// Starting the write-back of a file range to its disk without waiting for it.
//
// A merge flushes each batch before the log entry that makes it reachable. Without a hint the
// kernel keeps the batch's hundreds of MiB in the page cache until that flush, which then waits for
// all of it while nothing else is copied. Starting write-back as each chunk is written lets the
// disk work while the next chunks are copied, as it does for `cp` and its one final sync. Only a
// hint: durability still comes from File::flush().
#pragma once

#include <cstdint>

#include "vhdchain/file.h"

namespace vhdchain::io {

// Linux: sync_file_range(SYNC_FILE_RANGE_WRITE). Elsewhere nothing (Windows' lazy writer starts
// by itself). Errors are ignored: the flush that follows reports any.
void start_writeback(const File& file, uint64_t offset, uint64_t length);

// Starts write-back once `step` bytes of a file have been written since the last start, not after
// every write: per call the hint costs a system call, and a VHD's 2 MiB blocks between sector
// bitmaps made one per block. Writes come in file order; the span may take in gaps smaller than
// `step` (only hinted, never written). Whatever is left is started on destruction.
class WritebackSpan {
 public:
  WritebackSpan(const File& file, uint64_t step) : file_(file), step_(step) {}
  ~WritebackSpan() { start(); }
  WritebackSpan(const WritebackSpan&) = delete;
  WritebackSpan& operator=(const WritebackSpan&) = delete;

  void written(uint64_t offset, uint64_t length) {
    if (to_ > from_ && (offset < to_ || offset - to_ >= step_)) start();  // far from the span
    if (to_ == from_) from_ = offset;
    to_ = offset + length;
    if (to_ - from_ >= step_) start();
  }
  void start() {
    if (to_ > from_) start_writeback(file_, from_, to_ - from_);
    from_ = to_ = 0;
  }

 private:
  const File& file_;
  uint64_t step_;
  uint64_t from_ = 0, to_ = 0;
};

}  // namespace vhdchain::io
