// Case-insensitive lookup on Windows: the file system already matches names ignoring case (NTFS
// with its $UpCase table; per-directory case sensitivity aside), so the question is only what
// case is stored. FindFirstFileW on each component answers it: it matches the name as the system
// would open it and returns the stored name. A component given as an 8.3 short name (PROGRA~1) is
// matched too and reported with its long name in CaseDifference::found. Two entries for one
// component only exist in folders with per-directory case sensitivity (WSL); they are ambiguous,
// as on Linux. Errors are GetLastError() values.
#include <algorithm>
#include <string>

#include "io/win32.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

std::string join(const std::string& dir, const std::string& name) {
  if (!dir.empty() && (dir.back() == '\\' || dir.back() == '/')) return dir + name;
  return dir + "\\" + name;
}

DWORD attributes_of(const std::string& path) {
  return ::GetFileAttributesW(vhdchain::win32::to_win32_path(path).c_str());
}

// FindFirstFileW treats these as wildcards; no stored name contains them.
bool has_wildcard(const std::string& name) { return name.find_first_of("*?<>\"") != std::string::npos; }

}  // namespace

CaseLookup lookup_case_insensitive(const std::string& base, std::span<const std::string> components) {
  CaseLookup r;
  if (attributes_of(base) == INVALID_FILE_ATTRIBUTES) {
    r.error = static_cast<int>(::GetLastError());
    r.status = classify_access_error(r.error) == AccessStatus::not_found ? LookupStatus::not_found : LookupStatus::unreadable;
    r.component = CaseLookup::kBase;
    r.path = base;
    return r;
  }

  std::string cur = base;
  for (size_t i = 0; i < components.size(); ++i) {
    const std::string& want = components[i];
    r.path = cur;
    r.component = i;
    if (want == "." || want == "..") {  // taken as written, as the system would
      cur = join(cur, want);
      continue;
    }
    if (has_wildcard(want)) {
      r.status = LookupStatus::not_found;
      r.error = ERROR_INVALID_NAME;
      return r;
    }
    // A file where a folder should be: the name is not there (ENOTDIR on POSIX). Asked first
    // because FindFirstFileW's answer to it varies (ERROR_DIRECTORY, ERROR_INVALID_NAME on wine).
    const DWORD cur_attributes = attributes_of(cur);
    if (cur_attributes != INVALID_FILE_ATTRIBUTES && !(cur_attributes & FILE_ATTRIBUTE_DIRECTORY)) {
      r.status = LookupStatus::not_found;
      r.error = ERROR_DIRECTORY;
      return r;
    }
    WIN32_FIND_DATAW found{};
    HANDLE find = ::FindFirstFileW(vhdchain::win32::to_win32_path(join(cur, want)).c_str(), &found);
    if (find == INVALID_HANDLE_VALUE) {
      r.error = static_cast<int>(::GetLastError());
      r.status = classify_access_error(r.error) == AccessStatus::not_found ? LookupStatus::not_found : LookupStatus::unreadable;
      return r;
    }
    std::vector<std::string> matches;
    do {
      matches.push_back(vhdchain::win32::narrow(found.cFileName));
    } while (::FindNextFileW(find, &found));
    ::FindClose(find);
    std::sort(matches.begin(), matches.end());
    matches.erase(std::unique(matches.begin(), matches.end()), matches.end());
    if (matches.size() > 1) {
      // An exact entry wins, as on Linux: that is the one the system opens.
      if (std::find(matches.begin(), matches.end(), want) != matches.end()) {
        cur = join(cur, want);
        continue;
      }
      r.status = LookupStatus::ambiguous;
      for (const std::string& m : matches) r.candidates.push_back(join(cur, m));
      return r;
    }
    if (matches.front() != want) r.differences.push_back(CaseDifference{i, want, matches.front()});
    cur = join(cur, matches.front());
  }
  r.status = r.differences.empty() ? LookupStatus::exact : LookupStatus::case_differs;
  r.path = cur;
  r.component = 0;
  r.error = 0;
  return r;
}

}  // namespace vhdchain::hostpath
