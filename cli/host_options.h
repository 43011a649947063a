// The host options every command that opens a chain accepts, with check's meaning: --map (where a
// Windows host's drives, volumes and shares are here) and --volumes (that host's volume list, so
// two mount points of one volume are recognised). One registration, one loader, one mapper, so a
// chain that `check --map ... --volumes ...` resolves opens the same way in merge, export, repair
// and create.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "vhdchain/chain.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::cli {

// As typed: the --map texts and the --volumes file name.
struct HostOptionArgs {
  std::vector<std::string> maps;
  std::string volumes;
};

// Registers --map WINROOT=PATH (repeatable) and --volumes FILE on `sub`, storing into `maps` and
// `volumes`, with check's help texts.
void add_host_options(CLI::App* sub, std::vector<std::string>& maps, std::string& volumes);
inline void add_host_options(CLI::App* sub, HostOptionArgs& args) { add_host_options(sub, args.maps, args.volumes); }

// The options parsed: throws Error(invalid_argument) for a bad mapping or an unreadable volume list.
struct HostMapping {
  hostpath::PathMap map;
  std::optional<hostpath::WindowsVolumeSet> volumes;
  const hostpath::WindowsVolumeSet* volume_set() const { return volumes ? &*volumes : nullptr; }
};
HostMapping load_host_mapping(const std::vector<std::string>& maps, const std::string& volumes);
inline HostMapping load_host_mapping(const HostOptionArgs& args) { return load_host_mapping(args.maps, args.volumes); }

// The chain options of host_chain_options() with stored Windows paths mapped as check maps them: a
// mapping (or, with the volume list, a mapping of another mount point of the same volume) gives the
// host path, the case-insensitive match when the host's file system differs in case. Without any
// mapping the platform default stands (on Windows the path is tried as written).
ChainOptions host_chain_options(std::shared_ptr<const HostMapping> mapping);

}  // namespace vhdchain::cli
