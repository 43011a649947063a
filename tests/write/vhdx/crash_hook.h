// In-process crash simulation: a set_io_event_hook() that throws after N completed I/O events.
// The exception unwinds through the writer, whose destructors write nothing, so the file is left
// exactly as a process killed at that point leaves it (the page cache keeps completed writes).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "vhdchain/file.h"

namespace vhdchain::test {

struct SimulatedCrash {};

class CrashAfter {
 public:
  // n == 0: count only.
  explicit CrashAfter(uint64_t n) {
    remaining() = n;
    count() = 0;
    set_io_event_hook(&hook);
  }
  ~CrashAfter() { set_io_event_hook(nullptr); }
  static uint64_t events() { return count(); }

 private:
  static uint64_t& remaining() { static uint64_t r = 0; return r; }
  static uint64_t& count() { static uint64_t c = 0; return c; }
  static void hook(IoEvent, const std::string&) {
    ++count();
    if (remaining() != 0 && --remaining() == 0) throw SimulatedCrash{};
  }
};

// Runs `op` with no crash and returns how many I/O events it makes.
inline uint64_t count_io_events(const std::function<void()>& op) {
  CrashAfter counter(0);
  op();
  return CrashAfter::events();
}

// Runs `op` crashing after n events; true when it crashed (false: it finished first).
inline bool run_crashing_after(uint64_t n, const std::function<void()>& op) {
  CrashAfter crash(n);
  try {
    op();
  } catch (const SimulatedCrash&) {
    return true;
  }
  return false;
}

}  // namespace vhdchain::test
