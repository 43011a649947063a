// The disks the preflight tests write to: a VHDX child with its parent and a copy of the parent
// to re-point it at, and a three-level chain to merge.
#pragma once

#include <filesystem>
#include <string>

#include "cli/check_fixtures.h"
#include "support/testdata.h"

namespace vhdchain::test {

// base.vhdx <- child.avhdx (block 1 holding data, the child's only block), and moved/base.vhdx, a
// copy of the base: the parent --set-parent points at.
struct VhdxPair {
  explicit VhdxPair(uint64_t virtual_size = 64 * kMiB)
      : base(build_image(vhdx_base_spec(1, virtual_size))),
        child_image(vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}})) {
    base.write(base_path);
    std::filesystem::create_directories(t / "moved");
    base.write(moved);
    child_image.write(child);
  }
  TempDir t;
  BuiltImage base, child_image;
  std::string base_path = path_of(t / "base.vhdx");
  std::string child = path_of(t / "child.avhdx");
  std::string moved = path_of(t / "moved" / "base.vhdx");
};

// base.vhdx <- mid.avhdx (block 1) <- leaf.avhdx (block 2): merging mid into base re-points leaf.
struct ThreeDisks {
  explicit ThreeDisks(uint64_t virtual_size = 64 * kMiB) {
    ImageSpec m;
    m.virtual_size = 0;
    m.seed = 2;
    m.blocks[1] = BlockSpec::full();
    ImageSpec l = m;
    l.seed = 3;
    l.blocks = {{2, BlockSpec::full()}};
    ChainSpec spec;
    spec.layers = {{vhdx_base_spec(1, virtual_size), "base.vhdx"}, {m, "mid.avhdx"}, {l, "leaf.avhdx"}};
    chain = build_chain(spec);
    chain.write(t.path());
  }
  TempDir t;
  BuiltChain chain;
  std::string base = path_of(t / "base.vhdx"), mid = path_of(t / "mid.avhdx"), leaf = path_of(t / "leaf.avhdx");
};

}  // namespace vhdchain::test
