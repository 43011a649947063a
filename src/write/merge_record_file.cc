#include "write/merge_record_file.h"

#include <fmt/format.h>

#include "io/fs_ops.h"
#include "vhdchain/error.h"
#include "vhdchain/file.h"

namespace vhdchain::write {
namespace {

constexpr std::string_view kHeader = "vhdchain-merged 1";
// Identities and paths of the sources of many merges; anything much larger is not a record.
constexpr uint64_t kMaxRecordSize = 4 * 1024 * 1024;

[[noreturn]] void bad_record(const std::string& path, size_t at, const std::string& detail) {
  throw FormatError({path, "merge record", at}, detail);
}

}  // namespace

std::string merge_record_path(const std::string& target) { return target + ".vhdchain-merged"; }

std::string encode_merge_record(const MergeRecord& r) {
  std::string text = fmt::format("{}\ntarget_identity {}\n", kHeader, r.target_identity.to_string());
  for (const MergedSource& s : r.sources) text += fmt::format("source {} {}\n", s.identity.to_string(), s.path);
  return text;
}

std::optional<MergeRecord> read_merge_record(const std::string& target) {
  const std::string path = merge_record_path(target);
  if (!io::path_exists(path)) return std::nullopt;
  auto file = File::open(path, OpenMode::read_only);
  if (file->size() > kMaxRecordSize) bad_record(path, 0, fmt::format("{} bytes is more than a record can be", file->size()));
  std::string text(file->size(), '\0');
  file->read_at(0, std::span(reinterpret_cast<uint8_t*>(text.data()), text.size()));

  MergeRecord record;
  size_t at = 0;
  for (size_t line = 1; at < text.size(); ++line) {
    const size_t end = text.find('\n', at);
    if (end == std::string::npos) bad_record(path, at, fmt::format("line {} does not end", line));
    const std::string_view got(text.data() + at, end - at);
    if (line == 1) {
      if (got != kHeader) bad_record(path, at, fmt::format("line 1 is not \"{}\"", kHeader));
    } else if (line == 2) {
      const std::optional<Guid> id = got.starts_with("target_identity ") ? Guid::parse(got.substr(16)) : std::nullopt;
      if (!id) bad_record(path, at, "line 2 is not \"target_identity <GUID>\"");
      record.target_identity = *id;
    } else {
      const size_t space = got.find(' ', 7);
      const std::optional<Guid> id =
          got.starts_with("source ") && space != std::string_view::npos ? Guid::parse(got.substr(7, space - 7)) : std::nullopt;
      if (!id || space + 1 >= got.size()) bad_record(path, at, fmt::format("line {} is not \"source <GUID> <path>\"", line));
      record.sources.push_back({*id, std::string(got.substr(space + 1))});
    }
    at = end + 1;
  }
  if (at == 0) bad_record(path, 0, "the file is empty");
  return record;
}

}  // namespace vhdchain::write
