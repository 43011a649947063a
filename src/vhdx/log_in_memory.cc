// Replaying a pending log into memory: the read-only open's way of honouring MS-VHDX 2.3.3, and the
// writers' first step before they apply the same patches to the file.
#include <fmt/format.h>

#include "io/byte_view.h"
#include "vhdx/layout.h"
#include "vhdx/log.h"

namespace vhdchain::vhdx {

InMemoryReplay replay_into_overlay(const std::shared_ptr<const Reader>& file, const Guid& log_guid,
                                   uint64_t log_offset, uint64_t log_length) {
  const Location where{file->name(), "log", log_offset};
  if (log_length > kMaxReplayLogLength)
    throw FormatError(where,
                      fmt::format("log length {:#x} exceeds the {:#x} bytes this reader replays in memory", log_length,
                                  kMaxReplayLogLength),
                      ErrorCode::unsupported);
  StructureBuffer buffer(*file, log_offset, static_cast<size_t>(log_length), "log");
  const LogRing ring(buffer.bytes(), file->name(), log_offset);
  SequenceSearch search = find_active_sequence(ring, log_guid);
  if (!search.active)
    throw FormatError(where, fmt::format("the header's log guid {} is set but no valid log sequence was found ({})",
                                         log_guid.to_string(), search.why_none));
  auto overlay = std::make_shared<OverlayReader>(file);
  replay_log(ring, *search.active, file->size(), *overlay);
  return {std::move(overlay), std::move(*search.active)};
}

}  // namespace vhdchain::vhdx
