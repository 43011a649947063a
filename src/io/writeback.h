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

}  // namespace vhdchain::io
