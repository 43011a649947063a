// The Windows path model: parsing, normalising, comparing and rendering the paths that VHDX and VHD
// locators store, on any host.
//
// Locators hold every Win32 form: "C:\x" (Hyper-V writes absolute_win32_path without the \\?\ the
// spec asks for), "\\?\C:\x", "\\server\share\x" for SMB3, "\\?\Volume{GUID}\x" (volume_path) and
// ".\x" / "..\x" (relative_path). We normalise "." and ".." lexically and clamp ".." at the root,
// because that is what GetFullPathNameW does before Hyper-V opens a path; a \\?\ path skips that
// step on Windows, but NTFS cannot hold a file named ".." so normalising it loses nothing.
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "vhdchain/error.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

bool is_sep(char c) { return c == '\\' || c == '/'; }

bool is_drive_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

char upper_ascii(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool starts_with_ignore_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (upper_ascii(text[i]) != upper_ascii(prefix[i])) return false;
  return true;
}

[[noreturn]] void fail(std::string_view text, std::string_view why) {
  throw Error(ErrorCode::invalid_argument, fmt::format("windows path \"{}\": {}", text, why));
}

// Splits on both separators, dropping empty and "." segments.
std::vector<std::string> split(std::string_view rest) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= rest.size()) {
    size_t j = i;
    while (j < rest.size() && !is_sep(rest[j])) ++j;
    std::string_view seg = rest.substr(i, j - i);
    if (!seg.empty() && seg != ".") out.emplace_back(seg);
    i = j + 1;
  }
  return out;
}

// Applies ".." to the segments. Rooted paths clamp at their root; relative ones keep leading "..".
std::vector<std::string> normalize(const std::vector<std::string>& segments, bool rooted) {
  std::vector<std::string> out;
  for (const std::string& s : segments) {
    if (s != "..") {
      out.push_back(s);
    } else if (!out.empty() && out.back() != "..") {
      out.pop_back();
    } else if (!rooted) {
      out.push_back(s);
    }
  }
  return out;
}

bool rooted_kind(WinPathKind k) { return k != WinPathKind::relative && k != WinPathKind::drive_relative; }

std::string prefix_text(WinPrefix p) {
  switch (p) {
    case WinPrefix::long_path: return "\\\\?\\";
    case WinPrefix::device: return "\\\\.\\";
    case WinPrefix::none: break;
  }
  return "";
}

bool same_root(const WinPath& a, const WinPath& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case WinPathKind::drive_absolute:
    case WinPathKind::drive_relative: return a.drive == b.drive;
    case WinPathKind::unc: return equal_ignore_case(a.server, b.server) && equal_ignore_case(a.share, b.share);
    case WinPathKind::volume_guid: return a.volume == b.volume;
    case WinPathKind::relative:
    case WinPathKind::root_relative: return true;
  }
  return false;
}

}  // namespace

std::string_view to_string(WinPathKind kind) {
  switch (kind) {
    case WinPathKind::drive_absolute: return "drive_absolute";
    case WinPathKind::unc: return "unc";
    case WinPathKind::volume_guid: return "volume_guid";
    case WinPathKind::relative: return "relative";
    case WinPathKind::drive_relative: return "drive_relative";
    case WinPathKind::root_relative: return "root_relative";
  }
  return "?";
}

WinPath parse_windows_path(std::string_view text) {
  if (text.empty()) fail(text, "is empty");
  WinPath p;
  std::string_view rest;
  auto parse_unc = [&](std::string_view after_slashes) {
    std::vector<std::string> segs = split(after_slashes);
    // Server and share must be real names: "\\server" alone or "\\.." names no share.
    if (segs.size() < 2 || segs[0] == ".." || segs[1] == "..")
      fail(text, "a UNC path needs a server and a share");
    p.kind = WinPathKind::unc;
    p.server = segs[0];
    p.share = segs[1];
    segs.erase(segs.begin(), segs.begin() + 2);
    p.components = normalize(segs, true);
  };

  if (text.size() >= 4 && is_sep(text[0]) && is_sep(text[1]) && (text[2] == '?' || text[2] == '.') &&
      is_sep(text[3])) {
    p.prefix = text[2] == '?' ? WinPrefix::long_path : WinPrefix::device;
    std::string_view body = text.substr(4);
    if (starts_with_ignore_case(body, "UNC") && (body.size() == 3 || is_sep(body[3]))) {
      parse_unc(body.substr(3));
      return p;
    }
    if (starts_with_ignore_case(body, "Volume{")) {
      size_t close = body.find('}');
      std::optional<Guid> g;
      if (close != std::string_view::npos) g = Guid::parse(body.substr(6, close - 6 + 1));
      if (!g) fail(text, "the volume GUID is malformed");
      if (close + 1 < body.size() && !is_sep(body[close + 1])) fail(text, "the volume GUID is malformed");
      p.kind = WinPathKind::volume_guid;
      p.volume = *g;
      rest = body.substr(close + 1);
    } else if (body.size() >= 2 && is_drive_letter(body[0]) && body[1] == ':' && (body.size() == 2 || is_sep(body[2]))) {
      p.kind = WinPathKind::drive_absolute;
      p.drive = upper_ascii(body[0]);
      rest = body.substr(2);
    } else {
      fail(text, "only \\\\?\\C:\\, \\\\?\\UNC\\ and \\\\?\\Volume{GUID}\\ forms are supported");
    }
  } else if (text.size() >= 2 && is_sep(text[0]) && is_sep(text[1])) {
    parse_unc(text.substr(2));
    return p;
  } else if (text.size() >= 2 && is_drive_letter(text[0]) && text[1] == ':') {
    p.kind = text.size() > 2 && is_sep(text[2]) ? WinPathKind::drive_absolute : WinPathKind::drive_relative;
    p.drive = upper_ascii(text[0]);
    rest = text.substr(2);
  } else if (is_sep(text[0])) {
    p.kind = WinPathKind::root_relative;
    rest = text;
  } else {
    p.kind = WinPathKind::relative;
    rest = text;
  }
  p.components = normalize(split(rest), rooted_kind(p.kind));
  return p;
}

std::optional<WinPath> try_parse_windows_path(std::string_view text) {
  try {
    return parse_windows_path(text);
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::string WinPath::root() const {
  switch (kind) {
    case WinPathKind::drive_absolute: return prefix_text(prefix) + drive + ":\\";
    case WinPathKind::unc:
      if (prefix == WinPrefix::none) return "\\\\" + server + "\\" + share + "\\";
      return prefix_text(prefix) + "UNC\\" + server + "\\" + share + "\\";
    case WinPathKind::volume_guid:
      return prefix_text(prefix == WinPrefix::none ? WinPrefix::long_path : prefix) + "Volume" +
             volume.to_braced_string() + "\\";
    case WinPathKind::relative: return "";
    case WinPathKind::drive_relative: return std::string(1, drive) + ":";
    case WinPathKind::root_relative: return "\\";
  }
  return "";
}

std::string WinPath::to_string(bool trailing_separator) const {
  std::string out = root();
  for (size_t i = 0; i < components.size(); ++i) {
    if (i > 0) out.push_back('\\');
    out += components[i];
  }
  if (kind == WinPathKind::relative && components.empty()) out = ".";
  if (trailing_separator && !components.empty()) out.push_back('\\');
  return out;
}

bool windows_path_starts_with(const WinPath& path, const WinPath& prefix) {
  if (!same_root(path, prefix) || prefix.components.size() > path.components.size()) return false;
  for (size_t i = 0; i < prefix.components.size(); ++i)
    if (!equal_ignore_case(path.components[i], prefix.components[i])) return false;
  return true;
}

bool same_windows_path(const WinPath& a, const WinPath& b) {
  return a.components.size() == b.components.size() && windows_path_starts_with(a, b);
}

WinPath resolve_relative(const WinPath& child, const WinPath& relative) {
  if (relative.kind != WinPathKind::relative) return relative;
  if (!child.is_absolute())
    throw Error(ErrorCode::invalid_argument,
                fmt::format("cannot resolve \"{}\" beside \"{}\": not an absolute path", relative.to_string(),
                            child.to_string()));
  WinPath out = child;
  if (!out.components.empty()) out.components.pop_back();
  std::vector<std::string> joined = out.components;
  joined.insert(joined.end(), relative.components.begin(), relative.components.end());
  out.components = normalize(joined, true);
  return out;
}

std::optional<ClusterStorageRoot> find_cluster_storage_root(std::string_view path) {
  constexpr std::string_view kName = "ClusterStorage.";
  for (size_t i = 0; i < path.size(); ++i) {
    if (!is_sep(path[i]) || !starts_with_ignore_case(path.substr(i + 1), kName)) continue;
    size_t digits = i + 1 + kName.size();
    size_t end = digits;
    while (end < path.size() && path[end] >= '0' && path[end] <= '9') ++end;
    if (end == digits || (end < path.size() && !is_sep(path[end]))) continue;
    return ClusterStorageRoot{std::string(path.substr(0, end)), std::string(path.substr(i + 1, end - i - 1))};
  }
  return std::nullopt;
}

}  // namespace vhdchain::hostpath
