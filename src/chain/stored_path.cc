// Classifying and rewriting locator paths (see stored_path.h for why ".." is left to the kernel).
#include "chain/stored_path.h"

#include <cctype>
#include <vector>

#include "io/fs_ops.h"

namespace vhdchain::chain {
namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

bool has_drive_letter(std::string_view s) {
  return s.size() >= 2 && std::isalpha(static_cast<unsigned char>(s[0])) && s[1] == ':';
}

bool is_separator(char c) { return c == '/' || c == '\\'; }

}  // namespace

StoredPathKind classify_stored_path(std::string_view stored) {
  // MS-VHDX 2.6.2.6.3 allows only "\\?\Volume{...}" for volume_path; "\\.\" and the NT "\??\" forms
  // name the same object and cost nothing to recognise.
  for (std::string_view prefix : {"\\\\?\\Volume{", "\\\\.\\Volume{", "\\??\\Volume{"})
    if (starts_with_ci(stored, prefix)) return StoredPathKind::windows_volume;
  if (has_drive_letter(stored) || (!stored.empty() && stored[0] == '\\')) return StoredPathKind::windows_absolute;
  if (!stored.empty() && stored[0] == '/') return StoredPathKind::posix_absolute;
  if (relative_to_host(stored).empty()) return StoredPathKind::empty;
  return StoredPathKind::relative;
}

std::string tidy_host_path(std::string_view path) {
  std::string out;
  if (!path.empty() && path[0] == '/') out.push_back('/');  // push_back: GCC 12 false -Wrestrict on = "/"
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(pos, end - pos);
    if (!segment.empty() && segment != ".") {
      if (!out.empty() && out.back() != '/') out += '/';
      out += segment;
    }
    pos = end + 1;
  }
  return out;
}

std::string relative_to_host(std::string_view stored) {
  std::string converted(stored);
  for (char& c : converted)
    if (c == '\\') c = '/';
  std::string tidy = tidy_host_path(converted);
  // A relative value never starts at the root, whatever separators it was written with.
  if (!tidy.empty() && tidy[0] == '/') tidy.erase(0, 1);
  return tidy;
}

std::string_view stored_file_name(std::string_view stored) {
  size_t cut = 0;
  for (size_t i = 0; i < stored.size(); ++i)
    if (is_separator(stored[i])) cut = i + 1;
  if (cut == 0 && has_drive_letter(stored)) cut = 2;
  std::string_view name = stored.substr(cut);
  return name == "." || name == ".." ? std::string_view{} : name;
}

std::string beside(const std::string& child_path, std::string_view relative) {
  // Windows host paths separate with backslashes as well, and "C:child.vhdx" is in drive C's
  // current folder; on POSIX a backslash is part of a file name (io::last_separator).
  const size_t slash = io::last_separator(child_path);
  if (slash == std::string::npos) return tidy_host_path(relative);
  std::string joined = child_path.substr(0, slash + 1);
  joined += relative;
  return tidy_host_path(joined);
}

}  // namespace vhdchain::chain
