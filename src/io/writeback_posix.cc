#include <fcntl.h>

#include "io/writeback.h"

namespace vhdchain::io {

void start_writeback(const File& file, uint64_t offset, uint64_t length) {
#ifdef SYNC_FILE_RANGE_WRITE
  (void)::sync_file_range(static_cast<int>(file.native_handle()), static_cast<off_t>(offset),
                          static_cast<off_t>(length), SYNC_FILE_RANGE_WRITE);
#else
  (void)file, (void)offset, (void)length;
#endif
}

}  // namespace vhdchain::io
