#include "copy_estimate.h"

#include <fmt/format.h>

#include "human.h"
#include "transfer_rate.h"

namespace vhdchain::cli {

constexpr uint64_t kSampleBudget = 32ull << 20;

std::optional<CopyEstimate> sample_copy_rate(const std::string& path) {
  const std::optional<io::ReadSample> sample = io::sample_read_rate(path, kSampleBudget);
  if (!sample || sample->seconds <= 0) return std::nullopt;
  return CopyEstimate{path, *sample};
}

nlohmann::json copy_estimate_json(const std::optional<CopyEstimate>& e, uint64_t bytes) {
  if (!e) return nullptr;
  return {{"seconds", e->seconds_for(bytes)},
          {"copy_bytes_per_second", e->copy_bytes_per_second()},
          {"sampled", e->sampled},
          {"sample_bytes", e->sample.bytes},
          {"sample_seconds", e->sample.seconds},
          {"sample_uncached", e->sample.uncached}};
}

std::string copy_estimate_text(const CopyEstimate& e, uint64_t bytes) {
  return fmt::format("{} at {}/s (half the read rate of {} of {}{})", human_duration(e.seconds_for(bytes)),
                     binary_size(static_cast<uint64_t>(e.copy_bytes_per_second())), binary_size(e.sample.bytes),
                     e.sampled, e.sample.uncached ? "" : ", through the page cache");
}

}  // namespace vhdchain::cli
