#include "io/range_copy.h"

#include <algorithm>

#include <fmt/format.h>

#include "io/io_event_hook.h"
#include "io/range_copy_system.h"
#include "vhdchain/error.h"

namespace vhdchain::io {
namespace {

void check_inside(const File& file, uint64_t offset, uint64_t length) {
  if (offset > file.size() || length > file.size() - offset)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: copy of {} bytes @{:#x} is past the end of the file ({:#x} bytes)", file.name(),
                            length, offset, file.size()));
}

void copy_through_buffer(const File& source, uint64_t source_offset, File& target, uint64_t target_offset,
                         uint64_t length, std::span<uint8_t> buffer) {
  for (uint64_t done = 0; done < length;) {
    const std::span<uint8_t> part = buffer.first(static_cast<size_t>(std::min<uint64_t>(buffer.size(), length - done)));
    source.read_at(source_offset + done, part);
    target.write_at(target_offset + done, part);
    done += part.size();
  }
}

}  // namespace

RangeCopyMethod copy_range(const File& source, uint64_t source_offset, File& target, uint64_t target_offset,
                           uint64_t length, std::span<uint8_t> buffer, RangeCopyPolicy& policy) {
  check_inside(source, source_offset, length);
  check_inside(target, target_offset, length);
  if (buffer.empty()) throw Error(ErrorCode::invalid_argument, fmt::format("{}: copy without a buffer", target.name()));
  const bool aligned = source_offset % kCloneAlignment == 0 && target_offset % kCloneAlignment == 0 &&
                       length % kCloneAlignment == 0;
  if (policy.try_clone && aligned && length > 0) {
    const SystemCopy c = clone_range(source, source_offset, target, target_offset, length);
    if (c == SystemCopy::done) {
      notify_io_event(IoEvent::write, target.name());
      return RangeCopyMethod::clone;
    }
    if (c == SystemCopy::refused_for_files) policy.try_clone = false;
  }
  uint64_t copied = 0;
  if (policy.try_kernel_copy && length > 0) {
    const SystemCopy c = kernel_copy(source, source_offset, target, target_offset, length, copied);
    if (copied > 0) notify_io_event(IoEvent::write, target.name());
    if (c == SystemCopy::done) return RangeCopyMethod::kernel_copy;
    if (c == SystemCopy::refused_for_files) policy.try_kernel_copy = false;
  }
  copy_through_buffer(source, source_offset + copied, target, target_offset + copied, length - copied, buffer);
  return RangeCopyMethod::buffer;
}

}  // namespace vhdchain::io
