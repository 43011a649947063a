// The process-wide table of locks acquire_lock holds (file_lock.h). A file is locked once per
// process; further acquisitions of the same or a weaker kind share it and are counted, and the
// last release closes the handle, which releases the lock.
#include "io/file_lock.h"

#include <map>
#include <mutex>
#include <utility>

#include <fmt/format.h>

#include "io/file_lock_registry.h"
#include "vhdchain/error.h"

namespace vhdchain::io {
namespace {

struct Entry {
  detail::NativeLock native;
  LockKind kind = LockKind::shared;
  size_t holders = 0;
};

struct Table {
  std::mutex mutex;
  std::map<std::pair<uint64_t, uint64_t>, Entry> entries;
};

Table& table() {
  static Table t;
  return t;
}

std::pair<uint64_t, uint64_t> index_of(const LockKey& key) { return {key.volume, key.file}; }

class CountedLock final : public HeldLock {
 public:
  explicit CountedLock(LockKey key) : key_(key) {}
  ~CountedLock() override {
    Table& t = table();
    std::lock_guard guard(t.mutex);
    auto it = t.entries.find(index_of(key_));
    if (it == t.entries.end() || --it->second.holders > 0) return;
    detail::close_native(it->second.native.handle);
    t.entries.erase(it);
  }

 private:
  LockKey key_;
};

}  // namespace

std::unique_ptr<HeldLock> acquire_lock(const std::string& path, LockKind kind) {
  const LockKey key = detail::key_of(path);
  Table& t = table();
  std::lock_guard guard(t.mutex);
  if (auto it = t.entries.find(index_of(key)); it != t.entries.end()) {
    if (kind == LockKind::exclusive && it->second.kind == LockKind::shared)
      throw Error(ErrorCode::locked,
                  fmt::format("{}: is read under a shared lock by this process and cannot also be written", path));
    ++it->second.holders;
    return std::make_unique<CountedLock>(key);
  }
  const detail::NativeLock native = detail::open_locked(path, kind);
  t.entries[index_of(native.key)] = Entry{native, kind, 1};
  return std::make_unique<CountedLock>(native.key);
}

bool held_exclusively_here(const LockKey& key) {
  Table& t = table();
  std::lock_guard guard(t.mutex);
  auto it = t.entries.find(index_of(key));
  return it != t.entries.end() && it->second.kind == LockKind::exclusive;
}

}  // namespace vhdchain::io
