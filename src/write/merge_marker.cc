// The VHD merge marker (merge_marker.h). Five lines of text, so an admin who finds one can read
// what it is about:
//   vhdchain-merge 1
//   child <path>
//   child_unique_id <guid>
//   target <path>
//   target_unique_id <guid>
// Paths run to the end of their line.
#include "write/merge_marker.h"

#include <fmt/format.h>

#include "io/fs_ops.h"
#include "vhdchain/error.h"
#include "vhdchain/file.h"
#include "write/new_file.h"

namespace vhdchain::write {
namespace {

constexpr std::string_view kHeader = "vhdchain-merge 1";
// A marker holds two paths and two GUIDs; anything much larger is not one.
constexpr uint64_t kMaxMarkerSize = 256 * 1024;

std::string encode(const MergeMarker& m) {
  return fmt::format("{}\nchild {}\nchild_unique_id {}\ntarget {}\ntarget_unique_id {}\n", kHeader, m.child,
                     m.child_unique_id.to_string(), m.target, m.target_unique_id.to_string());
}

}  // namespace

std::string merge_marker_path(const std::string& target) { return target + ".vhdchain-merge"; }

void publish_merge_marker(const MergeMarker& marker) {
  const std::string text = encode(marker);
  NewFile file(merge_marker_path(marker.target));
  file.file().write_at(0, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  file.publish();
}

std::optional<MergeMarker> read_merge_marker(const std::string& target) {
  const std::string path = merge_marker_path(target);
  if (!io::path_exists(path)) return std::nullopt;
  auto file = File::open(path, OpenMode::read_only);
  if (file->size() > kMaxMarkerSize)
    throw FormatError({path, "merge marker", 0}, fmt::format("{} bytes is more than a marker can be", file->size()));
  std::string text(file->size(), '\0');
  file->read_at(0, std::span(reinterpret_cast<uint8_t*>(text.data()), text.size()));

  const std::string_view keys[] = {"", "child", "child_unique_id", "target", "target_unique_id"};
  std::string values[5];
  size_t at = 0;
  for (size_t line = 0; line < 5; ++line) {
    const size_t end = text.find('\n', at);
    if (end == std::string::npos)
      throw FormatError({path, "merge marker", at}, fmt::format("line {} is missing (the file has {} bytes)", line + 1,
                                                                text.size()));
    const std::string_view got(text.data() + at, end - at);
    if (line == 0) {
      if (got != kHeader) throw FormatError({path, "merge marker", at}, fmt::format("line 1 is not \"{}\"", kHeader));
    } else {
      if (got.substr(0, keys[line].size() + 1) != std::string(keys[line]) + " ")
        throw FormatError({path, "merge marker", at}, fmt::format("line {} does not start with \"{} \"", line + 1,
                                                                  keys[line]));
      values[line] = std::string(got.substr(keys[line].size() + 1));
    }
    at = end + 1;
  }
  MergeMarker m;
  m.child = values[1];
  m.target = values[3];
  const std::optional<Guid> child_id = Guid::parse(values[2]), target_id = Guid::parse(values[4]);
  if (!child_id || !target_id)
    throw FormatError({path, "merge marker", 0}, fmt::format("unique id \"{}\" is not a GUID",
                                                             child_id ? values[4] : values[2]));
  m.child_unique_id = *child_id;
  m.target_unique_id = *target_id;
  return m;
}

void remove_merge_marker(const std::string& target) { io::remove_file(merge_marker_path(target)); }

}  // namespace vhdchain::write
