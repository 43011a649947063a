// The estimate a copying command shows before it runs (merge, convert): how fast the largest input
// reads from its storage (io/read_sample.h), halved because every byte is also written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "io/read_sample.h"

namespace vhdchain::cli {

struct CopyEstimate {
  std::string sampled;  // the file read
  io::ReadSample sample;
  double copy_bytes_per_second() const { return static_cast<double>(sample.bytes) / sample.seconds / 2; }
  double seconds_for(uint64_t bytes) const { return static_cast<double>(bytes) / copy_bytes_per_second(); }
};

// Samples `path` (32 MiB spread over the file); nullopt when it cannot (too small, unreadable).
std::optional<CopyEstimate> sample_copy_rate(const std::string& path);

// {"seconds", "copy_bytes_per_second", "sampled", "sample_bytes", "sample_seconds",
// "sample_uncached"} for copying `bytes`; null without an estimate.
nlohmann::json copy_estimate_json(const std::optional<CopyEstimate>& e, uint64_t bytes);

// "3s at 912 MiB/s (half the read rate of 32 MiB of FILE)" for copying `bytes`.
std::string copy_estimate_text(const CopyEstimate& e, uint64_t bytes);

}  // namespace vhdchain::cli
