// Running part of a test in a forked child: as another user (permission errors as root) or in a
// private mount namespace (real bind mounts without touching the host). The child only gathers
// facts and sends them back as text; the parent makes the assertions, so gtest sees them normally.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace vhdchain::hostpath::test {

// Thrown inside the child to say the test cannot run here (not permitted); the parent skips.
struct ChildSkip : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ChildResult {
  enum Kind { ok, skipped, failed } kind = failed;
  std::string text;  // ok: what the function returned; skipped/failed: why
};

// Forks, runs fn in the child, returns what it returned (or why it skipped or failed).
ChildResult run_in_child(const std::function<std::string()>& fn);

// In the child: drops to uid/gid 65534 (nobody) when running as root, so permission bits apply.
void become_nobody_if_root();

// In the child: throws ChildSkip unless `dir` can be entered (a temp folder under a private home).
void require_access(const std::string& dir);

// In the child: a private mount namespace whose mounts stay invisible to the host (as `unshare -m
// --propagation private`). Throws ChildSkip when the system does not permit it.
void enter_private_mount_namespace();

// In the child: a private mount namespace (as `unshare -m --propagation private`), then a bind
// mount of source onto target. Throws ChildSkip when the system does not permit it.
void bind_in_private_namespace(const std::string& source, const std::string& target);

// In the child: a private mount namespace, then a tmpfs of `bytes` bytes mounted on target (a small
// volume, so free-space checks can be exercised). Throws ChildSkip when not permitted.
void tmpfs_in_private_namespace(const std::string& target, uint64_t bytes);

}  // namespace vhdchain::hostpath::test
