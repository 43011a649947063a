// Crash sweeps, in process: an I/O event hook throws after the Nth completed write, flush, resize,
// rename or remove, for every N up to the operation's total. What the throw leaves is what a crash
// at that point leaves (docs/vhd-writes.md "Crash safety"); after the recovery every writable open
// does (replay_pending), the file must be exactly the before or the after file, never a mix.
#include <gtest/gtest.h>

#include <filesystem>

#include "io/fs_ops.h"
#include "support/sha256.h"
#include "support/testdata.h"
#include "vhd_test_support.h"
#include "vhdchain/chain.h"
#include "vhdchain/error.h"
#include "vhdchain/file.h"
#include "vhdchain/write.h"
#include "write/new_file.h"
#include "write/vhd_journal.h"

namespace vhdchain {
namespace {

using test::file_bytes;

struct SimulatedCrash {};

int g_crash_at = 0;
int g_events = 0;
std::vector<std::string> g_log;

void crash_hook(IoEvent event, const std::string& path) {
  ++g_events;
  static const char* const kNames[] = {"write", "flush", "resize", "rename", "remove"};
  g_log.push_back(std::string(kNames[static_cast<int>(event)]) + " " +
                  std::filesystem::path(path).filename().string());
  if (g_events == g_crash_at) throw SimulatedCrash{};
}

// Runs `op` with a crash after event `n`; true when it crashed (false: it finished first).
template <typename Op>
bool run_with_crash_at(int n, Op&& op) {
  g_crash_at = n;
  g_events = 0;
  g_log.clear();
  set_io_event_hook(&crash_hook);
  bool crashed = false;
  try {
    op();
  } catch (const SimulatedCrash&) {
    crashed = true;
  }
  set_io_event_hook(nullptr);
  return crashed;
}

NewParentLink moved_parent_link(const Guid& linkage, const std::string& absolute) {
  NewParentLink link;
  link.linkage = linkage;
  link.paths.relative_path = ".\\new-base.vhd";
  link.paths.absolute_win32_path = absolute;
  return link;
}

// base <- child as Hyper-V links them, the base then renamed to new-base.vhd; small_spaces: locator spaces of 512 bytes, so a long
// absolute path moves to the end of the file and the footer with it.
struct Sweep {
  test::BuiltChain chain;
  std::vector<uint8_t> before;
  std::vector<uint8_t> after;
  Guid linkage;

  explicit Sweep(bool small_spaces) {
    test::ChainSpec spec;
    test::ImageSpec base = test::small_dynamic_vhd(3);
    base.vhd.unique_id = test::guid_from_seed(0xba5e, 1);
    linkage = *base.vhd.unique_id;
    test::ImageSpec child;
    child.format = test::Format::vhd;
    child.virtual_size = 0;
    child.blocks[1] = test::BlockSpec::partial({{4, 4}});
    if (small_spaces) {
      test::set_hyperv_vhd_parent(child.vhd, linkage, "base.vhd", "C:\\VMs");
      for (test::VhdLocator& l : child.vhd.locators) l.space = 0;
    }
    spec.layers = {{base, "base.vhd"}, {child, "child.vhd"}};
    chain = test::build_chain(spec);
    before = chain.layers[1].bytes();
  }
};

void sweep_relink(bool small_spaces, const std::string& absolute, int expected_total) {
  Sweep s(small_spaces);
  int total = 0;
  for (int n = 1;; ++n) {
    SCOPED_TRACE("crash after event " + std::to_string(n));
    test::TempDir dir;
    s.chain.write(dir.path());
    std::filesystem::rename(dir / "base.vhd", dir / "new-base.vhd");  // the child's link is now stale
    const std::string child = (dir / "child.vhd").string();
    const RelinkPlan plan = plan_relink(child, moved_parent_link(s.linkage, absolute));
    if (s.after.empty()) {
      s.after = s.before;
      for (const ByteChange& c : plan.bytes) {
        if (s.after.size() < c.offset + c.after.size()) s.after.resize(c.offset + c.after.size());
        std::copy(c.after.begin(), c.after.end(), s.after.begin() + c.offset);
      }
    }
    const bool crashed = run_with_crash_at(n, [&] { apply_relink(plan); });
    const std::vector<std::string> events = g_log;
    if (io::path_exists(vhd_journal_path(child))) replay_pending(child);
    const std::vector<uint8_t> now = file_bytes(child);
    EXPECT_TRUE(now == s.before || now == s.after);
    if (now == s.before) {
      EXPECT_TRUE(crashed);
    }
    EXPECT_FALSE(io::path_exists(vhd_journal_path(child)));
    EXPECT_FALSE(io::path_exists(write::vhd_journal_partial_path(child)));
    if (now == s.after) {
      EXPECT_NO_THROW(open_chain(child));
    }
    if (!crashed) {
      total = n - 1;
      std::string all;
      for (const std::string& e : events) all += e + "; ";
      EXPECT_EQ(static_cast<int>(events.size()), expected_total) << all;
      break;
    }
  }
  EXPECT_EQ(total, expected_total);
}

// In place: journal write, flush, rename (publish); 3 records; flush; remove journal.
TEST(VhdCrash, RelinkInPlace) {
  sweep_relink(false, "C:\\VMs\\new-base.vhd", 8);
}

// Growing: as above plus the resize; 4 records (header, W2ru, W2ku at the end, footer).
TEST(VhdCrash, RelinkMovingTheFooter) {
  sweep_relink(true, "C:\\VMs\\" + std::string(300, 'd') + "\\new-base.vhd", 10);
}

// create: at every crash point the target is absent or a complete disk, and a retry succeeds.
TEST(VhdCrash, Create) {
  for (DiskType type : {DiskType::fixed, DiskType::dynamic, DiskType::differencing}) {
    SCOPED_TRACE(std::string(to_string(type)));
    int total = 0;
    for (int n = 1;; ++n) {
      SCOPED_TRACE("crash after event " + std::to_string(n));
      test::TempDir dir;
      test::build_image(test::small_dynamic_vhd()).write(dir / "parent.vhd");
      const std::string path = (dir / "new.vhd").string();
      CreateOptions o;
      o.format = DiskFormat::vhd;
      o.type = type;
      o.virtual_size = 8 * 1024 * 1024;
      if (type == DiskType::differencing) {
        o.parent = (dir / "parent.vhd").string();
        o.parent_paths.relative_path = ".\\parent.vhd";
      }
      const bool crashed = run_with_crash_at(n, [&] { create_disk(path, o); });
      if (io::path_exists(path)) {
        const ImageInfo info = open_image_file(path)->info();
        EXPECT_EQ(info.type, type);
        EXPECT_EQ(info.virtual_size, o.virtual_size);
        // A child reads as its parent; a new fixed or dynamic disk as zeros.
        const std::string want = type == DiskType::differencing
                                     ? test::chain_sha256((dir / "parent.vhd").string())
                                     : test::sha256_hex(std::vector<uint8_t>(o.virtual_size, 0));
        EXPECT_EQ(test::chain_sha256(path), want);
      } else {
        EXPECT_TRUE(crashed);
        create_disk(path, o);  // the retry after a crash succeeds
        EXPECT_FALSE(io::path_exists(write::NewFile::partial_path_for(path)));
      }
      if (!crashed) {
        total = n - 1;
        break;
      }
    }
    // fixed: resize, write, flush, rename; dynamic and differencing: write, flush, rename.
    EXPECT_EQ(total, type == DiskType::fixed ? 4 : 3);
  }
}

}  // namespace
}  // namespace vhdchain
