#include "transfer_rate.h"

#include <cmath>

#include <fmt/format.h>

namespace vhdchain::cli {

void TransferRate::add(Clock::time_point now, uint64_t done) {
  if (done < reports_.back().second) reports_.clear();  // a count that starts again: measure anew
  reports_.emplace_back(now, done);
  while (reports_.size() > 2 && reports_[1].first <= now - kWindow) reports_.pop_front();
}

double TransferRate::bytes_per_second() const {
  const auto& [first_time, first_done] = reports_.front();
  const auto& [last_time, last_done] = reports_.back();
  const double seconds = std::chrono::duration<double>(last_time - first_time).count();
  return seconds > 0 ? static_cast<double>(last_done - first_done) / seconds : 0;
}

std::optional<double> TransferRate::seconds_left(uint64_t total) const {
  const uint64_t done = reports_.back().second;
  if (done >= total) return 0.0;
  const double rate = bytes_per_second();
  if (rate <= 0) return std::nullopt;
  return static_cast<double>(total - done) / rate;
}

std::string human_duration(double seconds) {
  const auto s = static_cast<uint64_t>(std::llround(std::max(0.0, seconds)));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
}

}  // namespace vhdchain::cli
