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

std::string absolute_utf8(const std::string& path) {
  const std::u8string text = std::filesystem::absolute(std::filesystem::u8path(path)).lexically_normal().u8string();
  return {text.begin(), text.end()};
}

Guid identity_of(const std::string& path) { return open_image_file(path)->identity(); }

}  // namespace

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
  const std::string text = encode_merge_record(record);
  NewFile next(next_path);
  next.file().write_at(0, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  next.publish();
  io::rename_replace(next_path, final_path);
  io::sync_parent_directory(final_path);
}

}  // namespace vhdchain::write
