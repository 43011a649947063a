// The format-specific halves of include/vhdchain/write.h. relink.cc, replay.cc and create.cc
// dispatch on the format; each half lives in its own files.
#pragma once

#include <optional>
#include <string>

#include "vhdchain/write.h"

namespace vhdchain::write {

// apply_relink without the preflight, for a writer that holds a lease over the child already
// (merge: its preflight covers every file it writes).
void apply_relink_unchecked(const RelinkPlan& plan);

// create (and its plan): the new child's parent chain opened whole, every layer locked shared and
// validated; no lease when there is no parent or it does not exist (the creator's own message says
// so). Throws what open_chain throws for a broken chain, Error(refused) for a refused layer.
WriteLease lease_parent_of_new_child(const std::string& parent, const ChainOptions& chain_options);

// VHDX (vhdx_relink.cc, vhdx_session.cc)
RelinkPlan plan_vhdx_relink(const std::string& child, const NewParentLink& link);
void apply_vhdx_relink(const RelinkPlan& plan);
// The locator kept as it is but parent_linkage (when given) and parent_linkage2 set (added when
// absent): the first and the last step of a merge.
RelinkPlan plan_vhdx_set_linkages(const std::string& child, const std::optional<Guid>& linkage, const Guid& linkage2);
ReplayResult replay_vhdx_log(const std::string& path);
CreateResult create_vhdx(const std::string& path, const CreateOptions& options);

// VHD (vhd_relink.cc, vhd_journal.cc, create_vhd.cc)
RelinkPlan plan_vhd_relink(const std::string& child, const NewParentLink& link);
void apply_vhd_relink(const RelinkPlan& plan);
ReplayResult replay_vhd_journal(const std::string& path);
CreateResult create_vhd(const std::string& path, const CreateOptions& options);

}  // namespace vhdchain::write

namespace vhdchain::write {

// create_vhdx.cc: plan_create for VHDX (create_vhdx writes exactly this plan).
CreatePlan plan_create_vhdx(const std::string& path, const CreateOptions& options);
// create_vhd.cc: the same for VHD.
CreatePlan plan_create_vhd(const std::string& path, const CreateOptions& options);

}  // namespace vhdchain::write
