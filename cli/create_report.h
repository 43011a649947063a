// What `vhdchain create` prints: the created disk (read back) or, for --dry-run, the plan.
// The text and the JSON object carry the same facts; docs/create.md documents both.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "vhdchain/write.h"

namespace vhdchain::cli {

struct CreateReport {
  bool created = false;                // false: --dry-run, nothing written
  CreatePlan disk;                     // dry run: the plan; created: the plan's fields as read back
  std::optional<Guid> identity;  // created: what a child of this disk links to (VHDX DataWriteGuid, VHD unique id)
};

// The report of a published disk, from what the reader finds in the file.
CreateReport created_report(const std::string& path, const std::string& parent, const ImageInfo& info);

std::string create_text(const CreateReport& report);
nlohmann::ordered_json create_json(const CreateReport& report);

}  // namespace vhdchain::cli
