// Issue 13's write cases as regression tests, run as the vhdchain process an admin runs: each is
// refused by the write preflight with exit 2, the exact refusal, and every file in the folder
// byte-identical with its mtime.
//   case 4: --set-parent on a truncated child (VHDX, VHD) or a truncated parent
//   case 5: --set-parent making a cycle (a child as its own parent; A under B when B is under A)
//   case 6: merge whose grandchild (to be re-pointed) is locked (flock, chattr +i)
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli/cli_runner.h"
#include "vhdchain/file.h"
#include "write/preflight/file_stamps.h"
#include "write/preflight/preflight_fixtures.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;

// The same as VHD: base.vhd (8 MiB, 2 MiB blocks) <- child.vhd with block 1 holding data.
struct VhdPair {
  TempDir t;
  std::string child = path_of(t / "child.vhd");
  std::string moved = path_of(t / "moved" / "base.vhd");
  BuiltChain chain;
  VhdPair() {
    ImageSpec base;
    base.format = Format::vhd;
    base.virtual_size = 8 * kMiB;
    base.seed = 3;
    base.blocks[0] = BlockSpec::full();
    ImageSpec child;
    child.format = Format::vhd;
    child.virtual_size = 0;
    child.seed = 9;
    child.blocks[1] = BlockSpec::full();
    ChainSpec spec;
    spec.layers = {{base, "base.vhd"}, {child, "child.vhd"}};
    chain = build_chain(spec);
    chain.write(t.path());
    fs::create_directories(t / "moved");
    chain.layers[0].write(moved);
  }
};

CliRun set_parent(const std::string& child, const std::string& parent, bool ignore_id = false) {
  std::vector<std::string> args = {"repair", "--yes", child, "--set-parent", parent};
  if (ignore_id) args.push_back("--ignore-id-mismatch");
  return run_cli(args);
}

void expect_refused(const CliRun& r, const std::string& refusal) {
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(has_line(r.out, "  REFUSED     " + refusal)) << r.out;
  const std::vector<std::string> lines = output_lines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "  nothing was written");
}

// --- case 4 ---

TEST(PreflightCase4, TruncatedVhdxChildIsRefused) {
  VhdxPair p;
  const uint64_t block = p.child_image.layout.offset("block 1");
  truncate_file(p.child, block + kMiB);  // inside its only block
  CliRun deep = run_cli({"check", "--deep", "--json", p.child});
  ASSERT_EQ(finding_codes(deep.json()), std::vector<std::string>{"disk.corrupt"}) << deep.out;
  const auto before = stamp_folder(p.t.path());
  expect_refused(set_parent(p.child, p.moved),
                 fmt::format("{}: BAT entry 1 @{:#x}: block {:#x}+0x200000 extends past the end of the file ({:#x} "
                             "bytes)",
                             p.child, p.child_image.layout.offset("bat") + 8, block, block + kMiB));
  expect_folder_untouched(before, p.t.path());
}

TEST(PreflightCase4, TruncatedParentIsRefused) {
  VhdxPair p;
  const uint64_t block = p.base.layout.offset("block 0");
  truncate_file(p.moved, block + kMiB);
  const auto before = stamp_folder(p.t.path());
  expect_refused(set_parent(p.child, p.moved),
                 fmt::format("{}: BAT entry 0 @{:#x}: block {:#x}+0x200000 extends past the end of the file ({:#x} "
                             "bytes)",
                             p.moved, p.base.layout.offset("bat"), block, block + kMiB));
  expect_folder_untouched(before, p.t.path());
}

TEST(PreflightCase4, TruncatedVhdChildIsRefused) {
  VhdPair p;
  const uint64_t block = p.chain.layers[1].layout.offset("block 1 data");
  const std::vector<uint8_t> bytes = read_file_bytes(p.child);
  // Cut inside the block's data, then put the footer back where a VHD keeps it (the end), so the
  // file still opens and only the block table's bounds show the cut.
  std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(block + kMiB));
  cut.insert(cut.end(), bytes.end() - 512, bytes.end());
  write_file_bytes(p.child, cut);
  const auto before = stamp_folder(p.t.path());
  const Layout& layout = p.chain.layers[1].layout;
  const uint64_t bitmap = layout.offset("block 1 bitmap");
  expect_refused(set_parent(p.child, p.moved),
                 fmt::format("{}: BAT entry 1 @{:#x}: block at {:#x} (sector {:#x}, 2097664 bytes with its bitmap) "
                             "ends past the end of the file data at {:#x}",
                             p.child, layout.offset("bat") + 4, bitmap, bitmap / 512, block + kMiB));
  expect_folder_untouched(before, p.t.path());
}

// --- case 5 ---

TEST(PreflightCase5, ChildAsItsOwnParentIsRefused) {
  VhdxPair p;
  const auto before = stamp_folder(p.t.path());
  expect_refused(set_parent(p.child, p.child, /*ignore_id=*/true),
                 fmt::format("{}: would become its own ancestor ({} -> {}): a chain must end at a base disk", p.child,
                             p.child, p.child));
  expect_folder_untouched(before, p.t.path());
}

TEST(PreflightCase5, AUnderBWhenBIsUnderAIsRefused) {
  VhdxPair p;
  // b.avhdx is a child of child.avhdx: making child.avhdx a child of b.avhdx closes a loop.
  const std::string b = path_of(p.t / "b.avhdx");
  vhdx_child(p.child_image, 5, {{"relative_path", ".\\child.avhdx"}}).write(b);
  ASSERT_EQ(run_cli({"check", p.t.path().string()}).exit_code, 0);
  const auto before = stamp_folder(p.t.path());
  expect_refused(set_parent(p.child, b, /*ignore_id=*/true),
                 fmt::format("{}: would become its own ancestor ({} -> {} -> {}): a chain must end at a base disk",
                             p.child, p.child, b, p.child));
  expect_folder_untouched(before, p.t.path());
}

// --- case 6 ---

TEST(PreflightCase6, MergeWithALockedGrandchildWritesNothing) {
  ThreeDisks d;
  const auto before = stamp_folder(d.t.path());
  {
    auto holder = File::open(d.leaf, OpenMode::read_write);  // another writer's flock
    for (bool dry : {true, false}) {
      std::vector<std::string> args = {"merge", "--yes", d.mid};
      if (dry) args.push_back("--dry-run");
      CliRun r = run_cli(args);
      EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
      EXPECT_TRUE(has_line(r.out, "  REFUSED     " + d.leaf + ": is locked by another process")) << r.out;
      EXPECT_EQ(output_lines(r.out).back(), "  nothing was written");
    }
  }
  expect_folder_untouched(before, d.t.path());
  // Once the lock is gone the same merge runs.
  CliRun r = run_cli({"merge", "--yes", d.mid});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(PreflightCase6, MergeWithAnImmutableGrandchildWritesNothing) {
  ThreeDisks d;
  if (std::system(("chattr +i '" + d.leaf + "' 2>/dev/null").c_str()) != 0)
    GTEST_SKIP() << "chattr +i is not possible here (needs CAP_LINUX_IMMUTABLE and a file system with the flag): "
                    "the immutable-grandchild variant of case 6 is skipped";
  const auto before = stamp_folder(d.t.path());
  CliRun r = run_cli({"merge", "--yes", d.mid});
  std::system(("chattr -i '" + d.leaf + "'").c_str());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(has_line(r.out, "  REFUSED     " + d.leaf + ": cannot open for writing: Operation not permitted"))
      << r.out;
  expect_folder_untouched(before, d.t.path());
}

// A locked parent or child of --set-parent is a refusal too (exit 2, nothing written).
TEST(PreflightCase6, SetParentWithALockedParentWritesNothing) {
  VhdxPair p;
  const auto before = stamp_folder(p.t.path());
  auto holder = File::open(p.moved, OpenMode::read_write);
  expect_refused(set_parent(p.child, p.moved), p.moved + ": is locked by another process");
  holder.reset();
  expect_folder_untouched(before, p.t.path());
}

}  // namespace
}  // namespace vhdchain::test
