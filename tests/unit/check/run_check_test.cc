// run_check through its seams: the opener (each file opened once, even when several disks link to it)
// and free space (capacity findings at exact numbers, without filling a real volume).
#include <algorithm>
#include <map>
#include <mutex>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "support/testdata.h"
#include "vhdchain/check.h"
#include "vhdchain/file.h"

namespace vhdchain::check {
namespace {

using test::BuiltImage;
using test::ImageSpec;
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
  // As the scan reports paths: the platform's separator (std::filesystem's lexically_normal).
  std::string at(const std::string& name) const { return path_of(t_ / name); }
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
  EXPECT_EQ(opens_, (std::map<std::string, int>{{at("a.avhdx"), 1}, {at("b.avhdx"), 1}, {at("base.vhdx"), 1}}));
  ASSERT_EQ(r.disks.size(), 3u);
  EXPECT_EQ(r.disks[2].path, at("base.vhdx"));
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
  EXPECT_EQ(r.findings[1].message, "the 2 writable disks on the volume holding " + at("a.avhdx") +
                                       " can grow by 126.0 MiB in all (126.0 MiB of it checkpoints), but it has 100.0 MiB free: when it "
                                       "fills, Hyper-V pauses every VM writing there (event 16060)");
  EXPECT_EQ(r.findings[1].paths, (std::vector<std::string>{at("a.avhdx"), at("b.avhdx")}));
  EXPECT_EQ(r.status, Status::warning);
  // 1 MiB free: the merge of each chain does not fit either.
  opts_.free_space = [](const std::string&) { return std::optional<uint64_t>(kMiB); };
  r = run_check(std::vector<std::string>{dir}, opts_);
  EXPECT_EQ(codes(r), (std::vector<std::string>{"tree.branches", "capacity.merge_exceeds_free",
                                                "capacity.merge_exceeds_free", "capacity.volume_overcommitted"}));
  EXPECT_EQ(r.findings[1].message, at("a.avhdx") + ": merging its chain into " + at("base.vhdx") +
                                       " needs 2.0 MiB of new space there, but that volume has 1.0 MiB free");
  ASSERT_EQ(r.chains.size(), 2u);
  EXPECT_EQ(r.chains[0].capacity.free_bytes, kMiB);
  EXPECT_EQ(r.chains[0].severity, Severity::warning);
  // Unknown free space: no finding, and the chain says so.
  opts_.free_space = [](const std::string&) { return std::optional<uint64_t>(); };
  r = run_check(std::vector<std::string>{dir}, opts_);
  EXPECT_EQ(codes(r), std::vector<std::string>{"tree.branches"});
  EXPECT_FALSE(r.chains[0].capacity.free_bytes.has_value());
}

// Records every range read, so a test can say which structures were touched.
class RecordingReader final : public Reader {
 public:
  RecordingReader(std::shared_ptr<const Reader> inner, std::vector<std::pair<uint64_t, uint64_t>>& log, std::mutex& m)
      : inner_(std::move(inner)), log_(log), mutex_(m) {}
  uint64_t size() const override { return inner_->size(); }
  void read_at(uint64_t offset, std::span<uint8_t> out) const override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      log_.emplace_back(offset, out.size());
    }
    inner_->read_at(offset, out);
  }
  const std::string& name() const override { return inner_->name(); }

 private:
  std::shared_ptr<const Reader> inner_;
  std::vector<std::pair<uint64_t, uint64_t>>& log_;
  std::mutex& mutex_;
};

// "Reads no payload data unless --deep": every byte read by a check lies outside the payload
// blocks the builder placed (their data is a seeded pattern, so a stray read would be visible too).
TEST(RunCheckReads, NoPayloadIsRead) {
  test::TempDir t;
  BuiltImage base = test::build_image(vhdx_base_spec(1));
  ImageSpec child_spec = vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}}).spec;
  child_spec.blocks[3] = test::BlockSpec::partial({{0, 8}, {100, 4}});
  BuiltImage child = test::build_image(child_spec);
  base.write(t / "base.vhdx");
  child.write(t / "base_A.avhdx");
  std::map<std::string, std::vector<std::pair<uint64_t, uint64_t>>> reads;
  std::mutex m;
  Options opts;
  opts.opener = [&](const std::string& path) {
    OpenedImage opened = open_host_image(path);  // for the file key
    std::shared_ptr<const Reader> file(File::open(path, OpenMode::read_only));
    std::vector<std::pair<uint64_t, uint64_t>>* log;
    {
      std::lock_guard<std::mutex> lock(m);
      log = &reads[path];
    }
    opened.image = open_image(std::make_shared<RecordingReader>(file, *log, m));
    return opened;
  };
  Report r = run_check(std::vector<std::string>{path_of(t.path())}, opts);
  ASSERT_EQ(r.status, Status::ok);
  ASSERT_EQ(r.chains.size(), 1u);
  EXPECT_EQ(r.chains[0].capacity.merge_bytes, 4 * kMiB);  // blocks 1 and 3 of the child
  auto check_file = [&](const BuiltImage& image, const std::string& name, std::vector<std::string> blocks) {
    const auto& log = reads.at(path_of(t / name));
    ASSERT_FALSE(log.empty());
    for (const std::string& block : blocks) {
      const uint64_t start = image.layout.offset(block), end = start + image.layout.length(block);
      for (const auto& [offset, length] : log)
        EXPECT_TRUE(offset + length <= start || offset >= end)
            << name << ": read @" << offset << "+" << length << " touches " << block << " @" << start;
    }
  };
  check_file(base, "base.vhdx", {"block 0"});
  check_file(child, "base_A.avhdx", {"block 1", "block 3"});
  // Nor any sector bitmap (issue 14: kept, they cost 1 MiB per checkpoint): a partially present
  // block counts as data for the merge need. --deep reads it, and validates it.
  const uint64_t bitmap = child.layout.offset("sector bitmap 0");
  auto bitmap_read = [&] {
    const auto& child_reads = reads.at(path_of(t / "base_A.avhdx"));
    return std::any_of(child_reads.begin(), child_reads.end(),
                       [&](const auto& rd) { return rd.first < bitmap + kMiB && rd.first + rd.second > bitmap; });
  };
  EXPECT_FALSE(bitmap_read());
  opts.deep = true;
  reads.clear();
  Report deep = run_check(std::vector<std::string>{path_of(t.path())}, opts);
  ASSERT_EQ(deep.status, Status::ok);
  EXPECT_EQ(deep.chains[0].capacity.merge_bytes, 4 * kMiB);
  EXPECT_TRUE(bitmap_read());
}

}  // namespace
}  // namespace vhdchain::check
