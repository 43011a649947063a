// Windows side of range_copy_system.h: FSCTL_DUPLICATE_EXTENTS_TO_FILE, the block cloning of ReFS
// that Hyper-V's own merge uses. Windows has no ranged kernel copy, so a refusal (NTFS, another
// volume, a cluster size the range is not aligned to) means the buffer.
#include "io/range_copy_system.h"
#include "io/win32.h"

#include <winioctl.h>  // after windows.h, which WIN32_LEAN_AND_MEAN keeps from including it

#include "vhdchain/error.h"

namespace vhdchain::io {
namespace {

// winioctl.h of older SDKs and of mingw-w64 lacks these (Windows Server 2016 and later have them).
constexpr DWORD kFsctlDuplicateExtentsToFile = CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 209, METHOD_BUFFERED, FILE_WRITE_DATA);
struct DuplicateExtentsData {
  HANDLE FileHandle;
  LARGE_INTEGER SourceFileOffset;
  LARGE_INTEGER TargetFileOffset;
  LARGE_INTEGER ByteCount;
};
constexpr DWORD kErrorBlockTooManyReferences = 347;  // ERROR_BLOCK_TOO_MANY_REFERENCES

HANDLE handle_of(const File& file) { return reinterpret_cast<HANDLE>(file.native_handle()); }

}  // namespace

SystemCopy clone_range(const File& source, uint64_t source_offset, File& target, uint64_t target_offset,
                       uint64_t length) {
  DuplicateExtentsData data{};
  data.FileHandle = handle_of(source);
  data.SourceFileOffset.QuadPart = static_cast<LONGLONG>(source_offset);
  data.TargetFileOffset.QuadPart = static_cast<LONGLONG>(target_offset);
  data.ByteCount.QuadPart = static_cast<LONGLONG>(length);
  DWORD returned = 0;
  if (::DeviceIoControl(handle_of(target), kFsctlDuplicateExtentsToFile, &data, sizeof data, nullptr, 0, &returned,
                        nullptr))
    return SystemCopy::done;
  const DWORD e = ::GetLastError();
  switch (e) {
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
    case ERROR_IO_DEVICE:
    case ERROR_CRC:
      throw IoError(target.name(), "clone", static_cast<int>(e), target_offset);
    case ERROR_INVALID_PARAMETER:       // not aligned to this volume's cluster size
    case kErrorBlockTooManyReferences:  // this cluster is shared too often already
      return SystemCopy::refused_for_range;
    default:                            // not ReFS, another volume, no such control code
      return SystemCopy::refused_for_files;
  }
}

SystemCopy kernel_copy(const File&, uint64_t, File&, uint64_t, uint64_t, uint64_t& copied) {
  copied = 0;
  return SystemCopy::refused_for_files;
}

}  // namespace vhdchain::io
