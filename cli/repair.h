// vhdchain repair: the three modes (--set-parent, --fix-aliases, --replay-log) and what they share.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vhdchain/disk_image.h"
#include "vhdchain/hostpath.h"
#include "vhdchain/write.h"

namespace vhdchain::cli {

struct RepairOptions {
  std::string set_parent;              // --set-parent PARENT
  bool fix_aliases = false;            // --fix-aliases
  bool replay_log = false;             // --replay-log
  std::vector<std::string> paths;      // CHILD / PATH... / FILE...
  bool ignore_id_mismatch = false;
  bool dry_run = false;
  bool yes = false;
  bool json = false;
  std::vector<std::string> maps;
  std::string volumes;
  std::optional<std::string> prefer;   // --fix-aliases --prefer ROOT
};

// The host knowledge every mode passes to compose_parent_paths.
struct HostKnowledge {
  hostpath::PathMap map;
  std::optional<hostpath::WindowsVolumeSet> volumes;
  ParentPathContext context() const { return {&map, volumes ? &*volumes : nullptr}; }
};
HostKnowledge load_host_knowledge(const RepairOptions& options);

// What re-pointing one child at one parent would do, decided before anything is written.
struct RelinkDecision {
  std::string child, parent;
  ImageInfo child_info, parent_info;
  bool identity_matches = false;       // the child's link accepts the parent's identity
  std::vector<std::string> refusals;   // why it must not be done (sizes differ, ...); empty: may go ahead
  std::vector<std::string> notes;      // what the admin should know (a locator dropped, ...)
  std::optional<RelinkPlan> plan;      // set when there are no refusals
};

// Opens both (read-only), compares identities and sizes, composes the paths and plans.
RelinkDecision decide_relink(const std::string& child, const std::string& parent, const HostKnowledge& host,
                             bool ignore_id_mismatch);

// Rendering (repair_output.cc).
std::string relink_text(const RelinkDecision& d, bool dry_run, bool applied);
nlohmann::ordered_json relink_json(const RelinkDecision& d, bool dry_run, bool applied);
std::string hex_bytes(const std::vector<uint8_t>& bytes);

int run_set_parent(const RepairOptions& options);
int run_fix_aliases(const RepairOptions& options);
int run_replay_log(const RepairOptions& options);

}  // namespace vhdchain::cli
