// vhdchain-mktree DIR VMS DEPTH: writes a Hyper-V-like folder tree for the `check` benchmark:
// DIR/vm00000/ ... each holding a dynamic base disk and DEPTH-1 checkpoints linked Hyper-V style
// (five locator keys, relative path resolvable here). VMS * DEPTH disks in all, every VM with its
// own identities (seeded by its number), small and sparse (64 MiB virtual, one allocated block each,
// holding zeros, so the files are mostly holes). Each checkpoint also holds a partially present
// block, so it has a sector bitmap block (1 MiB) as real checkpoints do: check must not read it.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "support/image_builder.h"

namespace vhdchain::test {
namespace {

int run(const std::filesystem::path& root, unsigned vms, unsigned depth) {
  for (unsigned vm = 0; vm < vms; ++vm) {
    ChainSpec chain;
    for (unsigned layer = 0; layer < depth; ++layer) {
      ImageSpec spec;
      spec.seed = uint64_t(vm) * 64 + layer + 1;
      spec.blocks[layer % 32] = BlockSpec::full();
      spec.blocks[layer % 32].zero_data = true;  // allocated in the BAT, a hole on disk: 10,000 disks in little space
      if (layer > 0) {  // a few sectors written since the checkpoint
        spec.blocks[16 + layer % 16] = BlockSpec::partial({SectorRange{8 * layer, 8}});
        spec.blocks[16 + layer % 16].zero_data = true;
      }
      std::string name = layer == 0 ? "disk.vhdx" : fmt::format("disk_{}.avhdx", guid_from_seed(spec.seed, 9).to_string());
      chain.layers.push_back({spec, name});
    }
    chain.windows_dir = fmt::format("C:\\ClusterStorage\\Volume1\\vm{:05}", vm);
    const std::filesystem::path dir = root / fmt::format("vm{:05}", vm);
    std::filesystem::create_directories(dir);
    build_chain(chain).write(dir);
  }
  return 0;
}

}  // namespace
}  // namespace vhdchain::test

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: vhdchain-mktree DIR VMS DEPTH\n");
    return 2;
  }
  try {
    return vhdchain::test::run(argv[1], unsigned(std::atoi(argv[2])), unsigned(std::atoi(argv[3])));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vhdchain-mktree: %s\n", e.what());
    return 1;
  }
}
