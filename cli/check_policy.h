// `check`'s severity policy from the command line and a policy file (docs/check.md, "Policy").
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vhdchain/check.h"

namespace vhdchain::cli {

struct PolicyArguments {
  std::vector<std::string> warning;   // --warning overcommit=150% | free=20G | checkpoint-growth=80%
  std::vector<std::string> critical;  // --critical overcommit=300% | free=5G
  std::vector<std::string> ignore;    // --ignore CODE[:PATHGLOB]
  std::vector<std::string> severity;  // --severity CODE:LEVEL[:PATHGLOB]
  std::string file;                   // --policy FILE (applied first; options after it win)
  bool allow_empty = false;
};

// Throws Error(invalid_argument) naming the option or file:line.
check::Policy build_policy(const PolicyArguments& arguments);

// The policy as applied, for the JSON report.
nlohmann::ordered_json policy_json(const check::Policy& policy);

}  // namespace vhdchain::cli
