// The platform half of range_copy.h: the system's ways to copy a range without our buffer
// (range_copy_posix.cc, range_copy_win32.cc). range_copy.cc does the checks, the policy and the
// fallback around them.
#pragma once

#include <cstdint>

#include "vhdchain/file.h"

namespace vhdchain::io {

enum class SystemCopy {
  done,               // all of it
  refused_for_range,  // not this range (alignment, a limit of the file system); others may work
  refused_for_files,  // never between these files (no support, different file systems, no call)
};

// Clones the range (all or nothing). Throws IoError for a failure that copying would meet too
// (an I/O error, no space).
SystemCopy clone_range(const File& source, uint64_t source_offset, File& target, uint64_t target_offset,
                       uint64_t length);

// Copies from the start of the range as far as the kernel goes; `copied` tells how far (a refusal
// may come after some bytes were copied). Throws IoError like clone_range.
SystemCopy kernel_copy(const File& source, uint64_t source_offset, File& target, uint64_t target_offset,
                       uint64_t length, uint64_t& copied);

}  // namespace vhdchain::io
