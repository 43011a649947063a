// run_check through its seams: the opener (each file opened once, even when several disks link to it)
// and free space (capacity findings at exact numbers, without filling a real volume).
#include <map>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "support/testdata.h"
#include "vhdchain/check.h"

namespace vhdchain::check {
namespace {

using test::BuiltImage;
using test::path_of;
using test::vhdx_base_spec;
using test::vhdx_child;

class RunCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    BuiltImage base = test::build_image(vhdx_base_spec(1));
    base.write(t_ / "base.vhdx");
    vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}}).write(t_ / "a.avhdx");
    vhdx_child(base, 3, {{"relative_path", ".\\base.vhdx"}}).write(t_ / "b.avhdx");
    opts_.opener = [this](const std::string& path) {
      ++opens_[path];
      return open_host_image(path);
    };
  }
  std::vector<std::string> codes(const Report& r) {
    std::vector<std::string> out;
    for (const Finding& f : r.findings) out.push_back(f.code);
    return out;
  }
  test::TempDir t_;
  Options opts_;
  std::map<std::string, int> opens_;
};

TEST_F(RunCheck, EachFileIsOpenedOnce) {
  const std::string dir = path_of(t_.path());
  Report r = run_check(std::vector<std::string>{dir}, opts_);
  EXPECT_EQ(opens_, (std::map<std::string, int>{{dir + "/a.avhdx", 1}, {dir + "/b.avhdx", 1}, {dir + "/base.vhdx", 1}}));
  ASSERT_EQ(r.disks.size(), 3u);
  EXPECT_EQ(r.disks[2].path, dir + "/base.vhdx");
  EXPECT_EQ(r.disks[2].children, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(r.status, Status::ok);
  EXPECT_EQ(codes(r), std::vector<std::string>{"tree.branches"});
}

TEST_F(RunCheck, CapacityAgainstFreeSpace) {
  const std::string dir = path_of(t_.path());
  // 100 MiB free: each leaf can grow 63 MiB (126 MiB together), a merge needs 2 MiB.
  opts_.free_space = [](const std::string&) { return std::optional<uint64_t>(100 * kMiB); };
  Report r = run_check(std::vector<std::string>{dir}, opts_);
  EXPECT_EQ(codes(r), (std::vector<std::string>{"tree.branches", "capacity.volume_overcommitted"}));
  EXPECT_EQ(r.findings[1].message, "the 2 writable disks on the volume holding " + dir +
                                       "/a.avhdx can grow by 126.0 MiB in all, but it has 100.0 MiB free: when it "
                                       "fills, Hyper-V pauses every VM writing there (event 16060)");
  EXPECT_EQ(r.findings[1].paths, (std::vector<std::string>{dir + "/a.avhdx", dir + "/b.avhdx"}));
  EXPECT_EQ(r.status, Status::warning);
  // 1 MiB free: the merge of each chain does not fit either.
  opts_.free_space = [](const std::string&) { return std::optional<uint64_t>(kMiB); };
  r = run_check(std::vector<std::string>{dir}, opts_);
  EXPECT_EQ(codes(r), (std::vector<std::string>{"tree.branches", "capacity.merge_exceeds_free",
                                                "capacity.merge_exceeds_free", "capacity.volume_overcommitted"}));
  EXPECT_EQ(r.findings[1].message, dir + "/a.avhdx: merging its chain into " + dir +
                                       "/base.vhdx needs 2.0 MiB of new space there, but that volume has 1.0 MiB free");
  ASSERT_EQ(r.chains.size(), 2u);
  EXPECT_EQ(r.chains[0].capacity.free_bytes, kMiB);
  EXPECT_EQ(r.chains[0].severity, Severity::warning);
  // Unknown free space: no finding, and the chain says so.
  opts_.free_space = [](const std::string&) { return std::optional<uint64_t>(); };
  r = run_check(std::vector<std::string>{dir}, opts_);
  EXPECT_EQ(codes(r), std::vector<std::string>{"tree.branches"});
  EXPECT_FALSE(r.chains[0].capacity.free_bytes.has_value());
}

}  // namespace
}  // namespace vhdchain::check
