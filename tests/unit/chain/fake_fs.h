// A pretend file system of fake images, injected into the resolver through ChainOptions::opener.
#pragma once

#include <cerrno>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "unit/chain/fake_image.h"
#include "vhdchain/chain.h"

namespace vhdchain::test {

// The system's codes for "not found" and "access denied" as IoError carries them: errno on POSIX,
// GetLastError() on Windows (ERROR_FILE_NOT_FOUND, ERROR_ACCESS_DENIED).
#ifdef _WIN32
constexpr int kErrNotFound = 2;
constexpr int kErrAccessDenied = 5;
#else
constexpr int kErrNotFound = ENOENT;
constexpr int kErrAccessDenied = EACCES;
#endif

struct FakeFs {
  std::map<std::string, FakeSpec> images;      // path -> image
  std::map<std::string, std::string> links;    // path -> another path naming the same file
  std::map<std::string, int> errors;           // path -> errno the open fails with
  std::set<std::string> broken;                // path -> not an image (FormatError)
  std::vector<std::string> opened;             // every path an open was attempted on, in order

  ImageOpener opener() {
    return [this](const std::string& path) { return open(path); };
  }

  OpenedImage open(const std::string& asked) {
    opened.push_back(asked);
    const std::string path = links.count(asked) ? links.at(asked) : asked;
    if (auto e = errors.find(path); e != errors.end()) throw IoError(asked, "open", e->second);
    if (broken.count(path))
      throw FormatError(Location{asked, "file", 0}, "neither a VHDX file identifier nor a VHD footer was found");
    auto it = images.find(path);
    if (it == images.end()) throw IoError(asked, "open", kErrNotFound);
    FakeSpec spec = it->second;
    spec.name = asked;
    return OpenedImage{fake(spec), key_of(path)};
  }

  FileIdentity key_of(const std::string& path) {
    auto [it, added] = keys_.emplace(path, FileIdentity{7, 0, keys_.size() + 100});
    return it->second;
  }

 private:
  std::map<std::string, FileIdentity> keys_;
};

inline Guid guid(const char* text) { return *Guid::parse(text); }

inline LocatorEntry entry(std::string key, std::string value) {
  LocatorEntry e;
  e.key = std::move(key);
  e.value = std::move(value);
  return e;
}

// An image spec of `sectors` sectors, all data ('D') or all left to the parent ('P').
inline FakeSpec image_spec(const Guid& identity, size_t sectors = 8, std::optional<ParentLink> parent = {},
                           DiskFormat format = DiskFormat::vhdx) {
  FakeSpec s;
  s.identity = identity;
  s.parent = std::move(parent);
  s.format = format;
  s.sectors = std::string(sectors, s.parent ? 'P' : 'D');
  return s;
}

}  // namespace vhdchain::test
