// A one-line progress indicator on stderr, only when stderr is a terminal and -q was not given
// (clig.dev: no animations for pipes and logs). Redrawn at most five times a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

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
  std::chrono::steady_clock::time_point next_draw_;
};

}  // namespace vhdchain::cli
