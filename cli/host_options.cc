#include "host_options.h"

#include "host_chain.h"
#include "volumes_file.h"

namespace vhdchain::cli {

void add_host_options(CLI::App* sub, std::vector<std::string>& maps, std::string& volumes) {
  sub->add_option("--map", maps, "Where a Windows root is on this host: 'C:\\=/mnt/host-c', "
                                 "'\\\\?\\Volume{GUID}\\=/mnt/v1', '\\\\srv\\share=/mnt/share' (repeatable)")
      ->type_name("WINROOT=PATH");
  sub->add_option("--volumes", volumes, "The Windows host's volume list: mountvol output or Win32_Volume JSON")
      ->type_name("FILE");
}

HostMapping load_host_mapping(const std::vector<std::string>& maps, const std::string& volumes) {
  HostMapping out;
  for (const std::string& m : maps) out.map.add(hostpath::parse_path_mapping(m));
  if (!volumes.empty()) out.volumes = load_volumes_file(volumes);
  return out;
}

ChainOptions host_chain_options(std::shared_ptr<const HostMapping> mapping) {
  ChainOptions options = host_chain_options();
  if (!mapping || mapping->map.mappings().empty()) return options;
  const WindowsPathMapper platform_default = options.map_windows_path;
  options.map_windows_path = [mapping, platform_default](std::string_view stored) -> std::optional<std::string> {
    const std::optional<hostpath::WinPath> path = hostpath::try_parse_windows_path(stored);
    if (!path || !path->is_absolute()) return std::nullopt;
    const hostpath::HostResolution r = hostpath::resolve_on_host(*path, mapping->map, mapping->volume_set());
    if (r.mapped) return r.host_path();
    // On Windows a path no mapping covers still names a file of this very host, as check takes it.
    return platform_default ? platform_default(stored) : std::nullopt;
  };
  return options;
}

}  // namespace vhdchain::cli
