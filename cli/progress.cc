// The export progress line (see progress.h).
#include "progress.h"

#include <cstdio>

#include <fmt/format.h>

#include "human.h"

namespace vhdchain::cli {

Progress::Progress(std::string what, uint64_t total, bool enabled)
    : what_(std::move(what)), total_(total), enabled_(enabled), next_draw_(std::chrono::steady_clock::now()) {}

Progress::~Progress() { finish(); }

void Progress::update(uint64_t done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_draw_) return;
  next_draw_ = now + std::chrono::milliseconds(200);
  const unsigned percent = total_ ? static_cast<unsigned>(done * 100.0 / static_cast<double>(total_)) : 100;
  std::string line = fmt::format("\rvhdchain: {} {:3}% ({} of {})", what_, percent, binary_size(done), binary_size(total_));
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (!drawn_) return;
  // Spaces rather than an ANSI erase: correct on any terminal, TERM=dumb included.
  std::fprintf(stderr, "\r%*s\r", 79, "");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace vhdchain::cli
