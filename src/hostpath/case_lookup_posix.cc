// Finding a Windows-named file on a case-sensitive POSIX filesystem.
//
// ntfs-3g (and any copy onto ext4/xfs) is case-sensitive: Hyper-V/PARENT.VHDX is ENOENT although
// Windows would open Hyper-V/Parent.vhdx. When the exact path is missing we walk it component by
// component, listing each directory and matching names as NTFS would (fold_case). An exact entry
// wins where there is one (that is what the kernel opens); two entries equal ignoring case
// (possible in ntfs-3g's POSIX namespace) are ambiguous, and we say so instead of guessing.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

std::string join(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

bool entry_exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

CaseLookup lookup_case_insensitive(const std::string& base, std::span<const std::string> components) {
  CaseLookup r;
  std::string full = base;
  for (const std::string& c : components) full = join(full, c);
  struct stat st {};
  if (::stat(full.c_str(), &st) == 0) {
    r.status = LookupStatus::exact;
    r.path = full;
    return r;
  }
  if (::stat(base.c_str(), &st) != 0) {
    r.error = errno;
    r.status = classify_access_error(r.error) == AccessStatus::not_found ? LookupStatus::not_found : LookupStatus::unreadable;
    r.component = CaseLookup::kBase;
    r.path = base;
    return r;
  }

  std::string cur = base;
  for (size_t i = 0; i < components.size(); ++i) {
    const std::string& want = components[i];
    std::string exact = join(cur, want);
    if (entry_exists(exact)) {
      cur = std::move(exact);
      continue;
    }
    r.path = cur;
    r.component = i;
    DIR* dir = ::opendir(cur.c_str());
    if (!dir) {
      r.error = errno;
      // A file where a folder should be means the name is not there; anything else is a refusal.
      r.status = classify_access_error(r.error) == AccessStatus::not_found ? LookupStatus::not_found : LookupStatus::unreadable;
      return r;
    }
    const std::string key = fold_case(want);
    std::vector<std::string> matches;
    while (const dirent* d = ::readdir(dir)) {
      std::string_view name = d->d_name;
      if (name == "." || name == "..") continue;
      if (fold_case(name) == key) matches.emplace_back(name);
    }
    ::closedir(dir);
    std::sort(matches.begin(), matches.end());
    if (matches.empty()) {
      r.status = LookupStatus::not_found;
      r.error = ENOENT;
      return r;
    }
    if (matches.size() > 1) {
      r.status = LookupStatus::ambiguous;
      for (const std::string& m : matches) r.candidates.push_back(join(cur, m));
      return r;
    }
    r.differences.push_back(CaseDifference{i, want, matches.front()});
    cur = join(cur, matches.front());
  }
  r.status = r.differences.empty() ? LookupStatus::exact : LookupStatus::case_differs;
  r.path = cur;
  r.component = 0;
  return r;
}

}  // namespace vhdchain::hostpath
