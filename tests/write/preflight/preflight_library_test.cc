// The preflight from a program linking vhdchain_lib: it cannot write what the CLI refuses, the
// lease's locks last through the write, and an I/O failure once writing began says what state the
// files are in and what to run next (issue 13, item 4).
#include <cerrno>
#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli/cli_runner.h"
#include "vhdchain/file.h"
#include "vhdchain/merge.h"
#include "vhdchain/preflight.h"
#include "vhdchain/write.h"
#include "write/preflight/file_stamps.h"
#include "write/preflight/preflight_fixtures.h"
#include "write/vhdx/write_fixtures.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;

RelinkPlan relink_plan(const std::string& child, const std::string& parent, bool ignore_id = false) {
  NewParentLink link;
  link.linkage = open_image_file(parent)->identity();
  link.paths = compose_parent_paths(child, parent);
  link.parent = parent;
  link.ignore_id_mismatch = ignore_id;
  return plan_relink(child, link);
}

std::string error_of(const std::function<void()>& f, ErrorCode* code = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (code) *code = e.code();
    return e.what();
  }
  return "(nothing thrown)";
}

TEST(Preflight, ALeaseKeepsOtherProcessesOutUntilItEnds) {
  VhdxPair p;
  {
    PreflightRequest request;
    request.writes = {p.child};
    const WriteLease lease = preflight_write(request);
    ASSERT_TRUE(lease.cleared()) << lease.refusals().front();
    // This process may open it for writing (the lease's lock is its own); another may not.
    EXPECT_NO_THROW(File::open(p.child, OpenMode::read_write));
    const CliRun r = run_cli({"repair", "--replay-log", p.child});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "vhdchain: " + p.child + ": is locked by another process\n");
  }
  EXPECT_EQ(run_cli({"repair", "--replay-log", p.child}).exit_code, 0);
}

TEST(Preflight, ASharedLeaseLetsOthersReadButNotWrite) {
  VhdxPair p;
  PreflightRequest request;
  request.reads = {p.base_path};
  const WriteLease lease = preflight_write(request);
  ASSERT_TRUE(lease.cleared());
  EXPECT_EQ(run_cli({"info", p.base_path}).exit_code, 0);
  const CliRun r = run_cli({"repair", "--replay-log", p.base_path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "vhdchain: " + p.base_path + ": is locked by another process\n");
}

TEST(Preflight, ApplyRelinkRefusesATruncatedChildAndWritesNothing) {
  VhdxPair p;
  const RelinkPlan plan = relink_plan(p.child, p.base_path);
  const uint64_t block = p.child_image.layout.offset("block 1");
  truncate_file(p.child, block + kMiB);
  const auto before = stamp_folder(p.t.path());
  ErrorCode code{};
  EXPECT_EQ(error_of([&] { apply_relink(plan); }, &code),
            fmt::format("{}: BAT entry 1 @{:#x}: block {:#x}+0x200000 extends past the end of the file ({:#x} "
                        "bytes)",
                        p.child, p.child_image.layout.offset("bat") + 8, block, block + kMiB));
  EXPECT_EQ(code, ErrorCode::refused);
  expect_folder_untouched(before, p.t.path());
}

TEST(Preflight, ApplyRelinkRefusesACycleAndAnUnoverriddenIdentity) {
  VhdxPair p;
  const auto before = stamp_folder(p.t.path());
  EXPECT_EQ(error_of([&] { apply_relink(relink_plan(p.child, p.child, true)); }),
            fmt::format("{}: would become its own ancestor ({} -> {}): a chain must end at a base disk", p.child,
                        p.child, p.child));
  const std::string other = path_of(p.t / "other.vhdx");
  build_image(vhdx_base_spec(7)).write(other);
  const std::string refused = error_of([&] { apply_relink(relink_plan(p.child, other)); });
  EXPECT_EQ(refused.rfind("identity mismatch: the child links to " + data_write_guid(p.base).to_string(), 0), 0u)
      << refused;
  fs::remove(other);
  expect_folder_untouched(before, p.t.path());
}

TEST(Preflight, RunMergeLocksTheGrandchildBeforeItsFirstByte) {
  ThreeDisks d;
  MergeOptions o;
  o.child = d.mid;
  const MergePlan plan = plan_merge(o);
  ASSERT_EQ(plan.refusals, std::vector<std::string>{});
  ASSERT_EQ(plan.children_to_repoint, std::vector<std::string>{d.leaf});  // the library's own survey
  const auto before = stamp_folder(d.t.path());
  auto holder = File::open(d.leaf, OpenMode::read_write);
  ErrorCode code{};
  EXPECT_EQ(error_of([&] { run_merge(o, plan); }, &code), d.leaf + ": is locked by another process");
  EXPECT_EQ(code, ErrorCode::refused);
  holder.reset();
  expect_folder_untouched(before, d.t.path());
}

TEST(Preflight, RunMergeRefusesAPlanThatMissesTheSurvey) {
  ThreeDisks d;
  MergeOptions o;
  o.child = d.mid;
  MergePlan plan = plan_merge(o);
  plan.children_to_repoint.clear();  // as a caller that did not look for CHILD's children would plan
  const auto before = stamp_folder(d.t.path());
  EXPECT_EQ(error_of([&] { run_merge(o, plan); }),
            d.leaf + ": is a child of " + d.mid + " that the plan does not re-point: plan the merge again");
  expect_folder_untouched(before, d.t.path());
}

TEST(Preflight, CreateRefusesATruncatedParent) {
  VhdxPair p;
  truncate_file(p.base_path, p.base.layout.offset("block 0") + kMiB);
  const auto before = stamp_folder(p.t.path());
  CreateOptions o;
  o.type = vhdchain::DiskType::differencing;
  o.parent = p.base_path;
  ErrorCode code{};
  const std::string message = error_of([&] { create_disk(path_of(p.t / "new.avhdx"), o); }, &code);
  EXPECT_EQ(code, ErrorCode::refused) << message;
  EXPECT_EQ(message.rfind(p.base_path + ": BAT entry 0 @", 0), 0u) << message;
  EXPECT_EQ(error_of([&] { plan_create(path_of(p.t / "new.avhdx"), o); }), message);
  expect_folder_untouched(before, p.t.path());
}

// --- item 4: an I/O failure once writing began ---

// Fails the n-th write of any file with EIO, as a dying disk would.
int writes_left = 0;
void fail_nth_write(IoEvent event, const std::string& path) {
  if (event == IoEvent::write && writes_left > 0 && --writes_left == 0) throw IoError(path, "write", EIO);
}
struct FailingWrites {
  explicit FailingWrites(int n) {
    writes_left = n;
    set_io_event_hook(fail_nth_write);
  }
  ~FailingWrites() { set_io_event_hook(nullptr); }
};

TEST(WriteFailure, RelinkSaysWhatStateTheChildIsInAndWhatToRun) {
  VhdxPair p;
  const RelinkPlan plan = relink_plan(p.child, p.moved);
  FailingWrites failing(3);  // the header update, then the log entry
  EXPECT_EQ(error_of([&] { apply_relink(plan); }),
            fmt::format("{}: cannot write: Input/output error; {} holds its old parent link, or the new one in a "
                        "pending log that every reader replays; run 'vhdchain repair --replay-log {}' to settle it, "
                        "then 'vhdchain check {}'",
                        p.child, p.child, p.child, p.child));
}

TEST(WriteFailure, ReplaySaysTheLogIsStillPending) {
  TempDir t;
  const std::string path = path_of(t / "dirty.vhdx");
  build_image(dirty_vhdx_spec(6, *Guid::parse("11111111-2222-4333-8444-666666666666"))).write(path);
  FailingWrites failing(1);
  EXPECT_EQ(error_of([&] { replay_pending(path); }),
            fmt::format("{}: cannot write: Input/output error; the log of {} is still pending (every reader replays "
                        "it, and replaying it again is safe); run 'vhdchain repair --replay-log {}' again",
                        path, path, path));
}

TEST(WriteFailure, MergeSaysTheChainReadsAsBeforeAndToRunItAgain) {
  ThreeDisks d;
  MergeOptions o;
  o.child = d.mid;
  const MergePlan plan = plan_merge(o);
  const std::string content = chain_sha256(d.leaf);
  std::string message;
  {
    FailingWrites failing(4);  // past the identity steps, inside the blocks
    message = error_of([&] { run_merge(o, plan); });
  }
  const std::string aftermath = "; the merge of " + d.mid + " into " + d.base +
                                " stopped part way: the chain reads as before (check reports merge.interrupted); "
                                "run the same merge again to finish it";
  ASSERT_GT(message.size(), aftermath.size()) << message;
  EXPECT_EQ(message.substr(message.size() - aftermath.size()), aftermath);
  EXPECT_NE(message.find(": cannot write: Input/output error;"), std::string::npos) << message;
  EXPECT_EQ(chain_sha256(d.leaf), content);  // what the message promises
  run_merge(o, plan_merge(o));              // and what it tells to run
  EXPECT_EQ(chain_sha256(d.leaf), content);
}

TEST(WriteFailure, CreateSaysNoDiskWasCreated) {
  VhdxPair p;
  CreateOptions o;
  o.type = vhdchain::DiskType::differencing;
  o.parent = p.base_path;
  const std::string target = path_of(p.t / "new.avhdx");
  FailingWrites failing(1);
  const std::string message = error_of([&] { create_disk(target, o); });
  EXPECT_NE(message.find(": cannot write: Input/output error; no disk was created at " + target +
                         " (an interrupted create leaves at most " + path_of(p.t / ".new.avhdx.vhdchain-partial") +
                         ", which the next create removes); run the create again"),
            std::string::npos)
      << message;
  EXPECT_FALSE(fs::exists(target));
}

}  // namespace
}  // namespace vhdchain::test
