// Out of space in the middle of a merge (issue 5: "a small size-limited filesystem: a clean error,
// the chain still reads the same, and after space is freed the rerun succeeds").
//
// What happens in real life: the volume had room when the merge was planned (the plan refuses a
// merge that does not fit), then another writer filled it while the merge was appending blocks.
// Here the volume is a small tmpfs mounted in a private mount namespace, and the other writer is a
// thread that fills it the moment the merge starts appending to the target (VHDX: the target's
// first resize; VHD: its first write, the footer moving to the end of the new space). To make
// that moment exact rather than a race, the thread reads the merge's I/O events
// (VHDCHAIN_FAULT_COUNT_FILE) from a FIFO whose buffer is shrunk to one page before the merge
// starts: the merge blocks on the FIFO when it gets more than a page of event lines ahead, and the
// disks live in a folder with a long name so a page holds only a few lines. The merge therefore
// meets a full volume with most of its new blocks still to write.
//
// What is not fixed is which of the merge's writes meets the full volume: up to a page of events
// may be ahead of the filler. A block written through the buffers fails as "cannot write", a block
// the kernel copies (copy_file_range, tmpfs to tmpfs) as "cannot copy"; both are the same clean
// error, and the tests accept exactly those two verbs.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <regex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/check_fixtures.h"
#include "cli/cli_runner.h"
#include "support/testdata.h"
#include "unit/hostpath/child_process.h"
#include "write/merge/merge_chains.h"
#include "write/vhdx/write_fixtures.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// What one format's case needs: the chain, its files, and what the plan must say.
struct NoSpaceCase {
  BuiltChain chain;
  std::string base, child;   // file names
  uint64_t volume_bytes = 0;
  std::string trigger;       // the I/O event on the target at which the volume is filled
  uint64_t blocks_allocated = 0, new_space_bytes = 0;
  uint64_t blocks_to_append = 0;  // new blocks after the first: the merge must fail before them all
  json check_before;              // the finding codes of the chain before the merge
};

// base (dynamic, 64 MiB, 1 MiB blocks, data in block 0) <- base_1 with 48 full blocks of zeros
// (holes in its file, but 48 MiB the base must allocate and write), on 112 MiB.
NoSpaceCase vhdx_case() {
  constexpr uint64_t kNewBlocks = 48;
  const ImageSpec b = base_layer(64 * kMiB, kMiB);
  ImageSpec c = child_layer(2, kMiB);
  for (uint64_t i = 8; i < 8 + kNewBlocks; ++i) {
    c.blocks[i] = BlockSpec::full();
    c.blocks[i].zero_data = true;
  }
  c.blocks[1] = BlockSpec::partial({{3, 17}});
  ChainSpec spec;
  spec.layers = {{b, "base.vhdx"}, {c, "base_1.avhdx"}};
  return {build_chain(spec), "base.vhdx", "base_1.avhdx", 112 * kMiB, "resize",
          kNewBlocks + 1, (kNewBlocks + 1) * kMiB, kNewBlocks, json::array()};
}

// The same shape in VHD: base (dynamic, 80 MiB, 2 MiB blocks, data in block 0) <- base_1 with 32
// full blocks of zeros (holes but for each block's bitmap page), 64 MiB the base must append, on
// 160 MiB: the rerun appends anew behind what the failed run left unreferenced.
NoSpaceCase vhd_case() {
  constexpr uint64_t kNewBlocks = 32;
  ImageSpec b = base_layer(80 * kMiB, 2 * kMiB);
  b.format = Format::vhd;
  ImageSpec c = child_layer(2, 2 * kMiB);
  c.format = Format::vhd;
  c.type = DiskType::differencing;
  for (uint64_t i = 4; i < 4 + kNewBlocks; ++i) {
    c.blocks[i] = BlockSpec::full();
    c.blocks[i].zero_data = true;
  }
  c.blocks[1] = BlockSpec::partial({{3, 17}});
  ChainSpec spec;
  spec.layers = {{b, "base.vhd"}, {c, "base_1.vhd"}};
  return {build_chain(spec), "base.vhd", "base_1.vhd", 160 * kMiB, "write",
          kNewBlocks + 1, (kNewBlocks + 1) * (512 + 2 * kMiB), kNewBlocks,
          // 80 MiB is no whole CHS geometry: each disk's footer gets an info note (vhd.chs_size_differs).
          json{"disk.note", "disk.note"}};
}

// Writes `path` until the volume refuses more (ENOSPC), down to the last page. Returns the bytes
// written, or throws on any other error.
uint64_t fill_volume(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) throw std::runtime_error("open " + path + ": " + std::strerror(errno));
  std::vector<uint8_t> chunk(kMiB, 0xA5);
  size_t size = chunk.size();
  uint64_t written = 0;
  while (true) {
    const ssize_t n = ::write(fd, chunk.data(), size);
    if (n > 0) {
      written += static_cast<uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == ENOSPC && size > 4096) {
      size = 4096;
      continue;
    }
    if (n < 0 && errno == ENOSPC) break;
    const int e = errno;
    ::close(fd);
    throw std::runtime_error("filling " + path + ": " + std::strerror(e));
  }
  ::close(fd);
  return written;
}

// The other writer: reads the merge's I/O events from the FIFO and fills the volume at the first
// `trigger` event of `target` (the merge appending its first new block).
struct Filler {
  std::string fifo, target, trigger, filler_path;
  uint64_t events = 0, filled_after = 0, filled_bytes = 0, target_events = 0;
  int pipe_size = -1;
  std::string error;

  // Reads `fd` (the FIFO's read end, already one page) until every writer has closed it.
  void run(int fd) {
    std::string pending;
    char buffer[512];
    while (true) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      pending.append(buffer, static_cast<size_t>(n));
      for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) {
        ++events;
        if (pending.compare(0, nl, trigger + " " + target) != 0) continue;
        ++target_events;
        if (filled_after == 0) {
          try {
            filled_bytes = fill_volume(filler_path);
          } catch (const std::exception& e) {
            error = e.what();
          }
          filled_after = events;
        }
      }
    }
    ::close(fd);
  }
};

json codes_and_status(const CliRun& check) {
  return {{"exit", check.exit_code}, {"codes", finding_codes(check.json())}};
}

// Runs the case in a child process on its own tmpfs; returns what happened, as JSON.
json run_out_of_space(const TempDir& t, const NoSpaceCase& c) {
  const std::string volume = path_of(t / "vol");
  fs::create_directories(volume);
  // A long folder name: one page of the FIFO holds only a few event lines (see the top).
  const std::string folder = volume + "/" + std::string(200, 'v');
  const std::string base = folder + "/" + c.base, child = folder + "/" + c.child;
  const std::string fifo = path_of(t / "io-events");
  if (::mkfifo(fifo.c_str(), 0600) != 0) throw std::runtime_error(std::string("mkfifo: ") + std::strerror(errno));

  const hostpath::test::ChildResult r = hostpath::test::run_in_child([&] {
    hostpath::test::tmpfs_in_private_namespace(volume, c.volume_bytes);
    fs::create_directories(folder);
    c.chain.write(folder);
    json facts;
    facts["before"] = chain_sha256(child);
    facts["check_before"] = codes_and_status(run_cli({"check", "--json", folder}));
    facts["plan"] = run_cli({"merge", child, "--dry-run", "--json"}).json();

    // The FIFO is one page before the merge can write to it: the read end opened without waiting
    // for a writer, shrunk, then made blocking; and a write end of our own, held until the merge
    // has exited, so the reader sees end-of-file only after the merge's last event, whenever the
    // merge opens its event file.
    Filler filler{fifo, base, c.trigger, volume + "/filler", 0, 0, 0, 0, -1, ""};
    const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (reader < 0) throw std::runtime_error(std::string("open fifo: ") + std::strerror(errno));
    filler.pipe_size = ::fcntl(reader, F_SETPIPE_SZ, 4096);
    ::fcntl(reader, F_SETFL, ::fcntl(reader, F_GETFL) & ~O_NONBLOCK);
    const int keeper = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
    if (keeper < 0) throw std::runtime_error(std::string("open fifo for writing: ") + std::strerror(errno));
    std::thread other_writer([&] { filler.run(reader); });
    ::setenv("VHDCHAIN_FAULT_COUNT_FILE", fifo.c_str(), 1);
    const CliRun merge = run_cli({"merge", "--yes", child, "--progress", "none"});
    ::unsetenv("VHDCHAIN_FAULT_COUNT_FILE");
    ::close(keeper);
    other_writer.join();
    ::close(reader);
    facts["merge"] = {{"exit", merge.exit_code}, {"out", merge.out}, {"err", merge.err}};
    facts["filler"] = {{"events", filler.events},
                       {"filled_after", filler.filled_after},
                       {"target_events", filler.target_events},
                       {"bytes", filler.filled_bytes},
                       {"pipe_size", filler.pipe_size},
                       {"error", filler.error}};

    // The failed merge left the chain reading as before.
    facts["leaf_after_failure"] = chain_sha256(child);
    facts["check_full"] = codes_and_status(run_cli({"check", "--json", folder}));
    fs::remove(volume + "/filler");
    facts["check_freed"] = codes_and_status(run_cli({"check", "--json", folder}));
    const CliRun rerun = run_cli({"merge", "--yes", child, "--progress", "none"});
    facts["rerun"] = {{"exit", rerun.exit_code}, {"err", rerun.err}};
    facts["base_after_rerun"] = chain_sha256(base);
    facts["check_after_rerun"] = codes_and_status(run_cli({"check", "--json", folder}));
    facts["base_path"] = base;
    return facts.dump();
  });
  if (r.kind == hostpath::test::ChildResult::skipped) return json{{"skipped", r.text}};
  if (r.kind != hostpath::test::ChildResult::ok) return json{{"failed", r.text}};
  return json::parse(r.text);
}

// What both formats must show: the full volume's error is "cannot write" or "cannot copy" (see the
// top: which write meets the full volume depends on how far the merge ran ahead of the filler).
void expect_clean_failure_and_rerun(const NoSpaceCase& c, const json& facts) {
  // Planned with room to spare.
  const json& plan = facts.at("plan");
  EXPECT_EQ(plan.at("blocks_allocated"), c.blocks_allocated);
  EXPECT_EQ(plan.at("new_space_bytes"), c.new_space_bytes);
  EXPECT_GT(plan.at("free_bytes").get<uint64_t>(), plan.at("new_space_bytes").get<uint64_t>());
  EXPECT_EQ(plan.at("refusals"), json::array());

  // The other writer filled the volume while the merge was appending, with most blocks to go.
  const json& filler = facts.at("filler");
  EXPECT_EQ(filler.at("error"), "");
  EXPECT_EQ(filler.at("pipe_size"), 4096);
  EXPECT_GT(filler.at("filled_after").get<uint64_t>(), 0u) << filler.dump();
  EXPECT_GT(filler.at("bytes").get<uint64_t>(), 0u);
  EXPECT_GE(filler.at("target_events").get<uint64_t>(), 1u) << filler.dump();
  ::testing::Test::RecordProperty("filler", filler.dump());

  // A clean error naming the target, the offset and the cause, then (issue 13, item 4) what state
  // the chain is in and what to run; exit 3 (a failed write).
  const std::string base = facts.at("base_path");
  const json& merge = facts.at("merge");
  EXPECT_EQ(merge.at("exit"), 3) << merge.dump();
  const std::string base_pattern = std::regex_replace(base, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)");
  const std::regex message("vhdchain: " + base_pattern + ": cannot (write|copy" +
                           R"() @0x[0-9a-f]+: No space left on device; the merge of .+ into )" + base_pattern +
                           R"( stopped part way: the chain reads as before \(check reports merge\.interrupted\); )"
                           R"(run the same merge again to finish it\n)");
  EXPECT_TRUE(std::regex_match(merge.at("err").get<std::string>(), message)) << merge.at("err");
  // The plan was printed before anything was written (issue 16), then nothing: no summary.
  EXPECT_EQ(merge.at("out").get<std::string>().rfind("merge ", 0), 0u) << merge.at("out");
  EXPECT_EQ(merge.at("out").get<std::string>().find("  merged"), std::string::npos) << merge.at("out");

  // The chain reads as before; check sees an interrupted merge (and, while the volume is full, that
  // the merge no longer fits), never corruption: nothing beyond what it said before the merge.
  EXPECT_EQ(facts.at("check_before"), json({{"exit", 0}, {"codes", c.check_before}}));
  const auto and_before = [&](std::vector<std::string> codes) {
    json all = c.check_before;
    for (const std::string& code : codes) all.push_back(code);
    return all;
  };
  const std::string before = facts.at("before");
  EXPECT_EQ(facts.at("leaf_after_failure"), before);
  EXPECT_EQ(facts.at("check_full").at("exit"), 1) << facts.at("check_full").dump();
  EXPECT_EQ(facts.at("check_full").at("codes"),
            and_before({"merge.interrupted", "capacity.merge_exceeds_free", "capacity.volume_overcommitted"}));
  EXPECT_EQ(facts.at("check_freed").at("exit"), 1);
  EXPECT_EQ(facts.at("check_freed").at("codes"), and_before({"merge.interrupted"}));

  // Space freed: the same command finishes the merge.
  EXPECT_EQ(facts.at("rerun").at("exit"), 0) << facts.at("rerun").dump();
  EXPECT_EQ(facts.at("base_after_rerun"), before);
  // What check said before, and the merged source, kept (issue 16: merge.kept_source, a warning).
  EXPECT_EQ(facts.at("check_after_rerun").at("exit"), 1);
  json after = facts.at("check_after_rerun").at("codes");
  const auto kept = std::find(after.begin(), after.end(), "merge.kept_source");
  ASSERT_NE(kept, after.end()) << after;
  after.erase(kept);
  EXPECT_EQ(after, c.check_before);
}

#define SKIP_OR_FAIL_WITHOUT_TMPFS(facts)                                                              \
  if ((facts).contains("skipped"))                                                                    \
    GTEST_SKIP() << "no private tmpfs here (needs root or unprivileged user namespaces): " << (facts)["skipped"]; \
  ASSERT_FALSE((facts).contains("failed")) << (facts)["failed"]

TEST(MergeNoSpace, AVolumeFilledDuringTheMergeGivesACleanErrorAndTheRerunFinishes) {
  TempDir t;
  const NoSpaceCase c = vhdx_case();
  const json facts = run_out_of_space(t, c);
  SKIP_OR_FAIL_WITHOUT_TMPFS(facts);
  expect_clean_failure_and_rerun(c, facts);
  // The merge appended a few blocks at most (one resize each) of the 49 it planned.
  EXPECT_LT(facts.at("filler").at("target_events").get<uint64_t>(), c.blocks_to_append / 4) << facts.at("filler");
}

TEST(MergeNoSpace, AVhdVolumeFilledDuringTheMergeGivesACleanErrorAndTheRerunFinishes) {
  TempDir t;
  const NoSpaceCase c = vhd_case();
  const json facts = run_out_of_space(t, c);
  SKIP_OR_FAIL_WITHOUT_TMPFS(facts);
  // The first new block (block 1, 17 sectors) goes through the buffers, a "write"; full blocks
  // after it go by copy_file_range (tmpfs to tmpfs: the kernel copies), a "copy".
  expect_clean_failure_and_rerun(c, facts);
  // The footer moved once (the whole batch's new space); the merge failed before most blocks'
  // data: fewer of the target's write events than blocks it appends.
  EXPECT_LT(facts.at("filler").at("target_events").get<uint64_t>(), c.blocks_to_append) << facts.at("filler");
}

}  // namespace
}  // namespace vhdchain::test
