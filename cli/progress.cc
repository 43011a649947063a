// The progress line of export and merge (see progress.h).
#include "progress.h"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "human.h"

namespace vhdchain::cli {

Progress::Progress(std::string what, uint64_t total, bool enabled)
    : what_(std::move(what)),
      total_(total),
      enabled_(enabled),
      next_draw_(std::chrono::steady_clock::now()),
      rate_(next_draw_) {}

Progress::~Progress() { finish(); }

void Progress::update(uint64_t done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_draw_) return;
  next_draw_ = now + std::chrono::milliseconds(200);
  rate_.add(now, done);
  const unsigned percent = total_ ? static_cast<unsigned>(done * 100.0 / static_cast<double>(total_)) : 100;
  std::string line = fmt::format("vhdchain: {} {:3}% ({} of {}", what_, percent, binary_size(done), binary_size(total_));
  if (const std::optional<double> left = rate_.seconds_left(total_); left && done > 0)
    line += fmt::format(", {}/s, {} left", binary_size(static_cast<uint64_t>(rate_.bytes_per_second())),
                        human_duration(*left));
  line += ")";
  // Padded over what a longer line drawn before left on the screen.
  const size_t length = line.size();
  if (length < last_length_) line.append(last_length_ - length, ' ');
  last_length_ = length;
  longest_ = std::max(longest_, line.size());
  std::fputs(("\r" + line).c_str(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (!drawn_) return;
  // Spaces rather than an ANSI erase: correct on any terminal, TERM=dumb included.
  std::fprintf(stderr, "\r%*s\r", static_cast<int>(longest_), "");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace vhdchain::cli
