// What `vhdchain info` learns about one file, gathered once and rendered as text or JSON.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "vhdchain/disk_image.h"
#include "vhdchain/error.h"

namespace vhdchain::cli {

struct InfoFailure {
  ErrorCode code = ErrorCode::io;
  std::string message;
};

struct InfoReport {
  std::string path;
  std::shared_ptr<const DiskImage> image;   // null when the file could not be opened as an image
  std::optional<uint64_t> allocated_on_host;  // bytes the file occupies on its volume
  std::optional<BlockStats> blocks;           // null when the BAT could not be read
  std::optional<InfoFailure> error;           // the first failure; the fields above hold what came before it
};

// Opens path read-only and collects info(), block_stats() and the host allocation. Never throws a
// vhdchain::Error: a failure is recorded in the report.
InfoReport gather_info(const std::string& path);

// render_json.cc: one element of "images" (docs/info-json.md).
nlohmann::ordered_json info_json(const InfoReport& report);
// render_json.cc: the "parent" object of a differencing disk (null otherwise); check reuses it.
nlohmann::ordered_json parent_json(const ImageInfo& info);
// render_text.cc: aligned "Label: value" lines, no trailing blank line; empty without an image
// (errors are reported on stderr, not in the text).
std::string info_text(const InfoReport& report);

}  // namespace vhdchain::cli
