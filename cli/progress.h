// A one-line progress indicator on stderr, only when stderr is a terminal and -q was not given
// (clig.dev: no animations for pipes and logs). Redrawn at most five times a second:
//   vhdchain: merging  42% (1.68 GiB of 4 GiB, 912 MiB/s, 2s left)
// The rate and time left are those of the last ten seconds (transfer_rate.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "transfer_rate.h"

namespace vhdchain::cli {

class Progress {
 public:
  Progress(std::string what, uint64_t total, bool enabled);
  ~Progress();
  void update(uint64_t done);
  void finish();  // erases the line

 private:
  std::string what_;
  uint64_t total_;
  bool enabled_;
  bool drawn_ = false;
  size_t last_length_ = 0;
  size_t longest_ = 79;  // the erase covers the longest line drawn, and at least a classic terminal's width
  std::chrono::steady_clock::time_point next_draw_;
  TransferRate rate_;
};

}  // namespace vhdchain::cli
