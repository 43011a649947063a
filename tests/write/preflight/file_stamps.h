// Every input byte-identical with its mtime: what a refused write must leave (issue 13).
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/sha256.h"
#include "write/vhdx/file_bytes.h"

namespace vhdchain::test {

struct FileStamp {
  bool exists = false;
  std::string sha;
  timespec mtime{};
  friend bool operator==(const FileStamp& a, const FileStamp& b) {
    return a.exists == b.exists && a.sha == b.sha && a.mtime.tv_sec == b.mtime.tv_sec &&
           a.mtime.tv_nsec == b.mtime.tv_nsec;
  }
};

inline FileStamp stamp_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {true, sha256_hex(read_file_bytes(path)), st.st_mtim};
}

// Every regular file of a folder (recursively), so a sidecar a refused write left would show too.
inline std::map<std::string, FileStamp> stamp_folder(const std::filesystem::path& dir) {
  std::map<std::string, FileStamp> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out[e.path().string()] = stamp_file(e.path().string());
  return out;
}

inline void expect_folder_untouched(const std::map<std::string, FileStamp>& before, const std::filesystem::path& dir) {
  const std::map<std::string, FileStamp> now = stamp_folder(dir);
  EXPECT_EQ(now.size(), before.size()) << "files were added or removed in " << dir;
  for (const auto& [path, was] : before) {
    auto it = now.find(path);
    ASSERT_NE(it, now.end()) << path << " was removed";
    EXPECT_EQ(it->second.sha, was.sha) << path << " changed";
    EXPECT_EQ(it->second.mtime.tv_sec, was.mtime.tv_sec) << path << " mtime changed";
    EXPECT_EQ(it->second.mtime.tv_nsec, was.mtime.tv_nsec) << path << " mtime changed";
  }
}

// Cuts a file to `size` bytes.
inline void truncate_file(const std::string& path, uint64_t size) { std::filesystem::resize_file(path, size); }

// The output's lines.
inline std::vector<std::string> output_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  return out;
}

inline bool has_line(const std::string& text, const std::string& line) {
  for (const std::string& l : output_lines(text))
    if (l == line) return true;
  return false;
}

}  // namespace vhdchain::test
