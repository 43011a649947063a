// Runs a loader once per object, for the lazily read tables of the image classes (the BAT).
//
// What std::call_once promises, a retry on the next call when the loader throws, without
// std::call_once itself: with mingw-w64's winpthreads (the Windows build) an exception leaving
// call_once leaves the flag locked, and the next call_once on it, or on a flag allocated later at
// the same address, waits forever. A broken BAT throws, so this happens on every corrupt image.
// A mutex released by a lock_guard cannot stay locked.
#pragma once

#include <atomic>
#include <mutex>

namespace vhdchain {

class LoadOnce {
 public:
  template <class Load>
  void run(Load&& load) {
    if (done_.load(std::memory_order_acquire)) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (done_.load(std::memory_order_relaxed)) return;
    load();
    done_.store(true, std::memory_order_release);
  }

 private:
  std::mutex mutex_;
  std::atomic<bool> done_{false};
};

}  // namespace vhdchain
