// Copying a byte range between two open files without passing it through our memory when the
// system can do better: a clone shares the source's extents with the target (Linux FICLONERANGE
// on XFS and Btrfs; Windows FSCTL_DUPLICATE_EXTENTS_TO_FILE on ReFS, as Hyper-V merges), a kernel
// copy moves the bytes inside the kernel (Linux copy_file_range). Whatever the system refuses
// falls back to reading into the caller's buffer and writing.
//
// The result is the same bytes in the target whichever way was taken; only the cost and the
// sharing of extents differ. The source is only read (a clone never changes the source).
#pragma once

#include <cstdint>
#include <span>

#include "vhdchain/file.h"

namespace vhdchain::io {

enum class RangeCopyMethod {
  clone,        // the target's range now shares the source's extents
  kernel_copy,  // the kernel copied the bytes
  buffer,       // read into the caller's buffer and written (also: what a partial kernel copy left)
};

// Which ways to try. A way the system refuses for this pair of files (not supported by the file
// system, different file systems, no such call) is switched off here by copy_range, so the next
// call goes straight to one that works. Refusals of one call only (a range the file system cannot
// clone at that alignment) leave it on.
struct RangeCopyPolicy {
  bool try_clone = true;
  bool try_kernel_copy = true;
};

// Ranges whose offsets and length are multiples of this are offered for cloning (file systems
// clone whole blocks; 4 KiB is the block of XFS and Btrfs and the cluster of ReFS volumes
// formatted with the default).
inline constexpr uint64_t kCloneAlignment = 4096;

// Copies [source_offset, source_offset + length) of `source` to [target_offset, ...) of `target`.
// Both ranges must lie inside their files (size the target first): a copy never extends the
// target. `buffer` (non-empty) is used only by the fallback. Reports the copy as IoEvent::write
// events on the target (one per clone or kernel copy, one per buffer write) so the kill tests stop
// a writer after it as after any write. Throws IoError naming the file and offset when the system
// fails for another reason than a refusal, Error(invalid_argument) for a range outside a file.
RangeCopyMethod copy_range(const File& source, uint64_t source_offset, File& target, uint64_t target_offset,
                           uint64_t length, std::span<uint8_t> buffer, RangeCopyPolicy& policy);

}  // namespace vhdchain::io
