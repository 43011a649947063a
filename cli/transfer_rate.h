// The rate and time left of a long copy (merge, export), for the progress line and the JSON lines.
//
// The rate is measured over the last ten seconds of reports, not since the start: a copy that
// slows down (a write cache filling, another VM busy on the disk) then shows its new pace and an
// ETA that moves with it, instead of the early pace's promise (seed 003: "1 % per 5 minutes,
// seemingly slower as it went").
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>

namespace vhdchain::cli {

class TransferRate {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kWindow{10};

  explicit TransferRate(Clock::time_point start) { reports_.emplace_back(start, 0); }

  // `done` bytes at `now` (non-decreasing times; a `done` below the last one starts measuring anew).
  void add(Clock::time_point now, uint64_t done);
  // Bytes per second over the window; 0 before anything was measured.
  double bytes_per_second() const;
  // Seconds until `total`: 0 once there, nullopt while the rate is unknown.
  std::optional<double> seconds_left(uint64_t total) const;

 private:
  // Oldest first; the first is the last report at or before the window's start.
  std::deque<std::pair<Clock::time_point, uint64_t>> reports_;
};

// "45s", "3m05s", "2h03m": whole seconds, rounded.
std::string human_duration(double seconds);

}  // namespace vhdchain::cli
