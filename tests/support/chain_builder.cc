// build_chain(): a base and its differencing children, each linked to the layer below the way
// Hyper-V links checkpoints (VHDX: parent_linkage = parent's DataWriteGuid, MS-VHDX 2.6.2.6.3;
// VHD: parent unique id = parent footer's unique id, VHD spec "Dynamic Disk Header").
#include <stdexcept>

#include "support/image_builder.h"

namespace vhdchain::test {

BuiltChain build_chain(const ChainSpec& chain) {
  if (chain.layers.empty()) throw std::invalid_argument("build_chain: no layers");
  BuiltChain out;
  for (size_t i = 0; i < chain.layers.size(); ++i) {
    ImageSpec spec = chain.layers[i].spec;
    const std::string& name = chain.layers[i].file_name;
    if (i > 0) {
      const BuiltImage& parent = out.layers[i - 1];
      const std::string& parent_name = out.file_names[i - 1];
      if (spec.format != parent.spec.format) throw std::invalid_argument("build_chain: layers of different formats");
      spec.type = DiskType::differencing;
      if (spec.virtual_size == 0) spec.virtual_size = parent.spec.virtual_size;
      if (spec.format == Format::vhdx) {
        spec.vhdx.logical_sector_size = parent.spec.vhdx.logical_sector_size;
        if (!spec.vhdx.virtual_disk_id) spec.vhdx.virtual_disk_id = parent.spec.vhdx.virtual_disk_id;
        if (spec.vhdx.parent_locator.empty())
          spec.vhdx.parent_locator = hyperv_vhdx_locator(*parent.spec.vhdx.data_write_guid, parent_name,
                                                         chain.windows_dir, chain.volume_guid);
      } else if (spec.vhd.locators.empty()) {
        set_hyperv_vhd_parent(spec.vhd, *parent.spec.vhd.unique_id, parent_name, chain.windows_dir);
      }
    }
    out.layers.push_back(build_image(spec));
    out.file_names.push_back(name);
  }
  return out;
}

void BuiltChain::write(const std::filesystem::path& dir) const {
  std::filesystem::create_directories(dir);
  for (size_t i = 0; i < layers.size(); ++i) layers[i].write(dir / file_names[i]);
}

std::vector<ImageSpec> BuiltChain::specs() const {
  std::vector<ImageSpec> out;
  for (const BuiltImage& l : layers) out.push_back(l.spec);
  return out;
}

}  // namespace vhdchain::test
