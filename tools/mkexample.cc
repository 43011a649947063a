// vhdchain-mkexample DIR [--sha256]: writes the small example disks the README's first commands
// use, and lists them (with --sha256, also the SHA-256 of each file's virtual disk as the
// specifications define it, i.e. what `vhdchain export --raw FILE` must produce).
//
//   base.vhdx                         dynamic VHDX, 64 MiB virtual, 2 MiB blocks
//   base_<GUID1>.avhdx                checkpoint 1, differencing, parent base.vhdx
//   base_<GUID2>.avhdx                checkpoint 2, differencing, parent base_<GUID1>.avhdx
//   legacy.vhd                        dynamic VHD, 32 MiB virtual
//   legacy_<GUID3>.avhd               differencing, parent legacy.vhd
//
// Names and parent links follow Hyper-V's checkpoint conventions (every checkpoint of a disk is
// named after the original disk plus a GUID; VHDX children carry the five locator keys in
// Hyper-V's order, VHD children W2ku + W2ru), with the relative path set so the chain resolves on
// Linux too. Everything is derived from fixed seeds: the output is identical byte for byte on
// every run and platform. The files are built by the test-support image builder
// (tests/support/image_builder.h), so they follow the specifications independently of the parser.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include "support/content_model.h"
#include "support/image_builder.h"

namespace vhdchain::test {
namespace {

std::string checkpoint_name(const std::string& stem, uint64_t seed, const char* extension) {
  std::string guid = guid_from_seed(seed, 0x6d6b).to_string();
  std::transform(guid.begin(), guid.end(), guid.begin(), [](unsigned char c) { return std::toupper(c); });
  return stem + "_" + guid + extension;
}

ChainSpec vhdx_chain() {
  ImageSpec base;
  base.virtual_size = 64 * kMiB;
  base.block_size = 2 * kMiB;
  base.seed = 0xBA5E;
  base.vhdx.creator = "vhdchain-mkexample";
  base.blocks[0] = BlockSpec::full();
  base.blocks[1] = BlockSpec::full();
  base.blocks[10] = BlockSpec::full();

  ImageSpec first = base;
  first.virtual_size = 0;  // inherited
  first.seed = 0xC1;
  first.blocks = {{0, BlockSpec::partial({{0, 8}})},                // a rewritten first 4 KiB
                  {5, BlockSpec::full()},                           // new data
                  {10, BlockSpec::with_state(BlockState::zero)}};  // trimmed: zeros over base data

  ImageSpec second = first;
  second.seed = 0xC2;
  second.blocks = {{0, BlockSpec::partial({{8, 8}})}, {20, BlockSpec::partial({{0, 1}, {100, 28}})}};

  ChainSpec chain;
  chain.layers = {{base, "base.vhdx"},
                  {first, checkpoint_name("base", 1, ".avhdx")},
                  {second, checkpoint_name("base", 2, ".avhdx")}};
  return chain;
}

ChainSpec vhd_chain() {
  ImageSpec base;
  base.format = Format::vhd;
  base.virtual_size = 32 * kMiB;
  base.block_size = 2 * kMiB;
  base.seed = 0x1E6AC;
  base.blocks[0] = BlockSpec::full();
  base.blocks[3] = BlockSpec::full();

  ImageSpec child = base;
  child.virtual_size = 0;
  child.seed = 0x1E6AD;
  child.blocks = {{0, BlockSpec::partial({{0, 16}})}, {7, BlockSpec::full()}};

  ChainSpec chain;
  chain.layers = {{base, "legacy.vhd"}, {child, checkpoint_name("legacy", 3, ".avhd")}};
  return chain;
}

int run(const std::filesystem::path& dir, bool with_sha256) {
  std::filesystem::create_directories(dir);
  for (const ChainSpec& spec : {vhdx_chain(), vhd_chain()}) {
    const BuiltChain chain = build_chain(spec);
    chain.write(dir);
    const std::vector<ImageSpec> specs = chain.specs();
    for (size_t i = 0; i < specs.size(); ++i) {
      const std::string parent = i == 0 ? std::string("-") : chain.file_names[i - 1];
      std::printf("%-50s %-4s %-12s parent %s", chain.file_names[i].c_str(),
                  std::string(to_string(specs[i].format)).c_str(), std::string(to_string(specs[i].type)).c_str(),
                  parent.c_str());
      if (with_sha256) std::printf("  virtual disk sha256 %s", expected_digest(specs, i, 0).sha256.c_str());
      std::printf("\n");
    }
  }
  return 0;
}

}  // namespace
}  // namespace vhdchain::test

int main(int argc, char** argv) {
  const bool with_sha256 = argc == 3 && std::string(argv[2]) == "--sha256";
  if ((argc != 2 && !with_sha256) || argv[1][0] == '-') {
    std::fprintf(stderr,
                 "usage: %s DIR [--sha256]\nwrites a small example VHDX checkpoint chain and VHD chain into DIR\n",
                 argv[0]);
    return 2;
  }
  try {
    return vhdchain::test::run(argv[1], with_sha256);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vhdchain-mkexample: %s\n", e.what());
    return 1;
  }
}
