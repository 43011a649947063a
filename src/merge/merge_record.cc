#include "merge/merge_record.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "io/fs_ops.h"
#include "vhdchain/disk_image.h"
#include "vhdchain/error.h"
#include "vhdchain/file.h"
#include "write/new_file.h"

namespace vhdchain::write {
namespace {

constexpr std::string_view kHeader = "vhdchain-merged 1";
// Identities and paths of the sources of many merges; anything much larger is not a record.
constexpr uint64_t kMaxRecordSize = 4 * 1024 * 1024;

std::string encode(const MergeRecord& r) {
  std::string text = fmt::format("{}\ntarget_identity {}\n", kHeader, r.target_identity.to_string());
  for (const MergedSource& s : r.sources) text += fmt::format("source {} {}\n", s.identity.to_string(), s.path);
  return text;
}

std::string absolute_utf8(const std::string& path) {
  const std::u8string text = std::filesystem::absolute(std::filesystem::u8path(path)).lexically_normal().u8string();
  return {text.begin(), text.end()};
}

Guid identity_of(const std::string& path) { return open_image_file(path)->identity(); }

[[noreturn]] void bad_record(const std::string& path, size_t at, const std::string& detail) {
  throw FormatError({path, "merge record", at}, detail);
}

}  // namespace

std::string merge_record_path(const std::string& target) { return target + ".vhdchain-merged"; }

void record_merged_sources(const MergePlan& plan) {
  MergeRecord record;
  record.target_identity = identity_of(plan.target);
  // Earlier merges into this target keep their lines (a VHDX target takes a new DataWriteGuid with
  // every merge, so the identity is not what ties them to it: the file name is).
  if (const std::optional<MergeRecord> earlier = read_merge_record(plan.target)) record.sources = earlier->sources;
  // Absolute: check finds the record from wherever it runs, the merge may have been given bare names.
  for (const MergeSource& s : plan.sources) {
    MergedSource merged{identity_of(s.path), absolute_utf8(s.path)};
    const bool known = std::any_of(record.sources.begin(), record.sources.end(), [&](const MergedSource& m) {
      return m.identity == merged.identity && m.path == merged.path;
    });  // the same merge run again (after a kill while the record was written)
    if (!known) record.sources.push_back(std::move(merged));
  }

  const std::string final_path = merge_record_path(plan.target);
  const std::string next_path = final_path + ".next";
  if (io::path_exists(next_path)) io::remove_file(next_path);  // left by a run killed while writing it
  const std::string text = encode(record);
  NewFile next(next_path);
  next.file().write_at(0, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  next.publish();
  io::rename_replace(next_path, final_path);
  io::sync_parent_directory(final_path);
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
