// Windows preallocate (preallocate.h): FILE_ALLOCATION_INFO reserves the clusters. The valid data
// length stays where it was, so the file system reads zeros for every byte not yet written: the
// volume's old contents are never exposed (SetFileValidData, which would, is not used).
#include "io/preallocate.h"
#include "io/win32.h"
#include "vhdchain/error.h"

namespace vhdchain::io {

void preallocate(File& file, uint64_t length) {
  if (length == 0) return;
  FILE_ALLOCATION_INFO allocation{};
  allocation.AllocationSize.QuadPart = static_cast<LONGLONG>(length);
  if (!::SetFileInformationByHandle(reinterpret_cast<HANDLE>(file.native_handle()), FileAllocationInfo, &allocation,
                                    sizeof allocation))
    throw IoError(file.name(), "allocate", static_cast<int>(::GetLastError()), 0);
}

}  // namespace vhdchain::io
