// Parsing /proc/self/mountinfo (proc(5), "mountinfo").
//
// We read mountinfo rather than /proc/mounts because only mountinfo has the two fields alias
// detection needs: major:minor (equal to st_dev of every file on that filesystem) and root (the
// directory of the filesystem a bind mount exposes). A line is
//   mount_id parent_id major:minor root mount_point mount_options [optional fields...] - fs_type source super_options
// The kernel escapes space, tab, newline and backslash in paths as \ooo octal, so fields never
// contain a blank and the line splits on spaces. The parser is pure so tests can feed any table.
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "vhdchain/error.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

bool is_octal(char c) { return c >= '0' && c <= '7'; }

// Decodes the kernel's \ooo escapes; a backslash not followed by three octal digits is kept as is.
std::string unescape(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && is_octal(field[i + 1]) && is_octal(field[i + 2]) &&
        is_octal(field[i + 3])) {
      int v = (field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0');
      if (v <= 0xFF) {
        out.push_back(static_cast<char>(v));
        i += 3;
        continue;
      }
    }
    out.push_back(field[i]);
  }
  return out;
}

// Splits on single spaces, exactly as the kernel joins the fields, so that an empty field (a
// filesystem mounted with an empty source string) keeps its place.
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (true) {
    size_t j = line.find(' ', i);
    if (j == std::string_view::npos) {
      out.push_back(line.substr(i));
      return out;
    }
    out.push_back(line.substr(i, j - i));
    i = j + 1;
  }
}

[[noreturn]] void fail(std::string_view source_name, size_t line_no, std::string_view what) {
  throw Error(ErrorCode::format, fmt::format("{}: line {}: {}", source_name, line_no, what));
}

bool parse_u32(std::string_view text, uint32_t& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string MountEntry::device() const { return fmt::format("{}:{}", major, minor); }

MountTable parse_mountinfo(std::string_view text, std::string_view source_name) {
  MountTable table;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    auto fail = [&](std::string_view what) { hostpath::fail(source_name, line_no, what); };
    if (line.empty()) continue;
    std::vector<std::string_view> f = split_fields(line);

    size_t dash = 6;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (f.size() < 7 || dash >= f.size()) fail("the \"-\" separator before the filesystem type is missing");
    if (f.size() < dash + 3) fail("the filesystem type or source after \"-\" is missing");

    MountEntry e;
    if (!parse_u32(f[0], e.mount_id)) fail(fmt::format("mount id \"{}\" is not a number", f[0]));
    if (!parse_u32(f[1], e.parent_id)) fail(fmt::format("parent id \"{}\" is not a number", f[1]));
    size_t colon = f[2].find(':');
    if (colon == std::string_view::npos || !parse_u32(f[2].substr(0, colon), e.major) ||
        !parse_u32(f[2].substr(colon + 1), e.minor))
      fail(fmt::format("device \"{}\" is not major:minor", f[2]));
    e.root = unescape(f[3]);
    e.mount_point = unescape(f[4]);
    if (e.root.empty() || e.root.front() != '/') fail(fmt::format("root \"{}\" is not absolute", e.root));
    if (e.mount_point.empty() || e.mount_point.front() != '/')
      fail(fmt::format("mount point \"{}\" is not absolute", e.mount_point));
    // The kernel writes them normalised already; hand-written fixtures may not be.
    e.root = normalize_host_path(e.root);
    e.mount_point = normalize_host_path(e.mount_point);
    e.mount_options = std::string(f[5]);
    for (size_t k = 6; k < dash; ++k) e.optional_fields.emplace_back(f[k]);
    e.fs_type = unescape(f[dash + 1]);
    e.source = unescape(f[dash + 2]);
    // Some kernels print no super options for pseudo filesystems; anything further is not ours.
    if (dash + 3 < f.size()) e.super_options = std::string(f[dash + 3]);
    table.entries.push_back(std::move(e));
  }
  return table;
}

}  // namespace vhdchain::hostpath
