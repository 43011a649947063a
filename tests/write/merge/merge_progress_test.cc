// Progress of vhdchain merge (issue 5, deliverable 3): JSON lines for scripts with --progress=json,
// a line on stderr when it is a terminal, at most about 10 redraws a second, nothing otherwise.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <functional>
#include <regex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/check_fixtures.h"
#include "cli/cli_runner.h"
#include "cli/terminal_runner.h"
#include "progress.h"       // cli/progress.h: the terminal line and its rate limit
#include "transfer_rate.h"  // cli/transfer_rate.h: its rate and time left
#include "support/testdata.h"
#include "write/merge/merge_chains.h"
#include "write/vhdx/write_fixtures.h"

namespace vhdchain::test {
namespace {

using nlohmann::json;

// base (dynamic, 96 MiB, data in block 0) <- child with 40 full blocks: two batches of 32 blocks,
// so the merge reports progress twice (after the first batch and at the end).
struct TwoBatchChain {
  TempDir t;
  std::string base, child;
  TwoBatchChain() {
    const ImageSpec b = base_layer(96 * kMiB, 2 * kMiB);
    ImageSpec c = child_layer(2, 2 * kMiB);
    for (uint64_t i = 0; i < 40; ++i) c.blocks[i] = BlockSpec::full();
    ChainSpec spec;
    spec.layers = {{b, "base.vhdx"}, {c, "base_1.avhdx"}};
    build_chain(spec).write(t.path());
    base = path_of(t / "base.vhdx");
    child = path_of(t / "base_1.avhdx");
  }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(MergeProgress, JsonLinesAreMonotonicAndEndAtTheTotal) {
  TwoBatchChain c;
  const CliRun r = run_cli({"merge", "--yes", c.child, "--json", "--progress=json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const uint64_t total = r.json().at("bytes_to_copy").get<uint64_t>();
  EXPECT_EQ(total, 40u * 2 * kMiB);
  const std::vector<std::string> lines = lines_of(r.err);
  ASSERT_EQ(lines.size(), 2u) << r.err;  // after the first batch of 32 blocks, and at the end
  uint64_t previous = 0;
  for (const std::string& line : lines) {
    json j;
    ASSERT_NO_THROW(j = json::parse(line)) << line;
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_EQ(j.size(), 4u) << line;
    EXPECT_EQ(j.at("bytes_total").get<uint64_t>(), total) << line;
    const uint64_t done = j.at("bytes_done").get<uint64_t>();
    EXPECT_GE(done, previous) << line;
    EXPECT_LE(done, total) << line;
    EXPECT_GE(j.at("bytes_per_second").get<double>(), 0.0) << line;
    EXPECT_GE(j.at("eta_seconds").get<double>(), 0.0) << line;
    previous = done;
  }
  EXPECT_EQ(json::parse(lines.front()).at("bytes_done").get<uint64_t>(), 32u * 2 * kMiB);
  EXPECT_EQ(previous, total);
  EXPECT_EQ(json::parse(lines.back()).at("eta_seconds").get<double>(), 0.0);
}

TEST(MergeProgress, NothingOnAPipeOrWithNone) {
  for (const char* mode : {"--progress=auto", "--progress=none"}) {
    TwoBatchChain c;
    const CliRun r = run_cli({"merge", "--yes", c.child, mode});
    ASSERT_EQ(r.exit_code, 0) << mode << r.err;
    EXPECT_EQ(r.err, "") << mode;
  }
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

TEST(MergeProgress, ALineOnATerminalThenErased) {
  TwoBatchChain c;
  const TerminalRun r = run_on_terminal({"merge", "--yes", c.child});
  ASSERT_EQ(r.exit_code, 0) << r.screen;
  const size_t draws = count(r.screen, "\rvhdchain: merging ");
  EXPECT_GE(draws, 1u) << r.screen;
  EXPECT_LE(static_cast<double>(draws), 1 + r.seconds * 10) << r.screen;
  // Bytes done of the total, the rate and the time left.
  const std::regex line(R"(\rvhdchain: merging +\d+% \([0-9.]+ (bytes|KiB|MiB) of 80 MiB, [0-9.]+ (bytes|KiB|MiB|GiB)/s, \d+s left\))");
  EXPECT_TRUE(std::regex_search(r.screen, line)) << r.screen;
  // Drawn over the line, then erased before the report.
  EXPECT_NE(r.screen.find("\r" + std::string(79, ' ') + "\r"), std::string::npos) << r.screen;
  EXPECT_NE(r.screen.find("  merged"), std::string::npos) << r.screen;
}

// stderr into a file for the duration of a function (the Progress line writes to stderr).
std::string captured_stderr(const std::function<void()>& fn) {
  TempDir t;
  const std::string path = (t / "stderr").string();
  std::fflush(stderr);
  const int saved = ::dup(2);
  const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(file, 2);
  ::close(file);
  fn();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::FILE* in = std::fopen(path.c_str(), "rb");
  std::string out;
  char buffer[4096];
  for (size_t n; in && (n = std::fread(buffer, 1, sizeof buffer, in)) > 0;) out.append(buffer, n);
  if (in) std::fclose(in);
  return out;
}

TEST(MergeProgress, TheTerminalLineIsRedrawnAtMostTenTimesASecond) {
  // Updates as fast as a merge of a fast disk could send them, for one second.
  size_t updates = 0;
  const std::string screen = captured_stderr([&] {
    cli::Progress bar("merging", 1000000, true);
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    for (uint64_t done = 0; std::chrono::steady_clock::now() < end; done = (done + 1) % 1000000) {
      bar.update(done);
      ++updates;
    }
    bar.finish();
  });
  ASSERT_GT(updates, 1000u);
  const size_t draws = count(screen, "\rvhdchain: merging ");
  EXPECT_GE(draws, 2u) << screen;   // it does redraw during the second
  EXPECT_LE(draws, 11u) << screen;  // the first draw, then at most 10 a second
  EXPECT_EQ(screen.substr(screen.size() - 81), "\r" + std::string(79, ' ') + "\r");
}

// Time points for TransferRate, in whole seconds from a start.
cli::TransferRate::Clock::time_point at(int seconds) {
  return cli::TransferRate::Clock::time_point{} + std::chrono::seconds(seconds);
}

TEST(TransferRate, RateAndTimeLeftOfTheLastTenSeconds) {
  cli::TransferRate rate(at(0));
  EXPECT_EQ(rate.bytes_per_second(), 0.0);
  EXPECT_EQ(rate.seconds_left(100 * kMiB), std::nullopt);  // nothing measured yet
  rate.add(at(1), 100 * kMiB);
  EXPECT_EQ(rate.bytes_per_second(), 100.0 * kMiB);
  EXPECT_EQ(rate.seconds_left(400 * kMiB), 3.0);
  // 100 MiB/s for 20 s, then 10 MiB/s: after 10 s at the new pace, only the new pace counts.
  for (int s = 2; s <= 20; ++s) rate.add(at(s), uint64_t(s) * 100 * kMiB);
  for (int s = 21; s <= 30; ++s) rate.add(at(s), 2000 * kMiB + uint64_t(s - 20) * 10 * kMiB);
  EXPECT_EQ(rate.bytes_per_second(), 10.0 * kMiB);
  EXPECT_EQ(rate.seconds_left(2200 * kMiB), 10.0);
  // Halfway into the slow pace, the window still holds 5 s of each: 550 MiB in 10 s.
  cli::TransferRate half(at(0));
  for (int s = 1; s <= 20; ++s) half.add(at(s), uint64_t(s) * 100 * kMiB);
  for (int s = 21; s <= 25; ++s) half.add(at(s), 2000 * kMiB + uint64_t(s - 20) * 10 * kMiB);
  EXPECT_EQ(half.bytes_per_second(), 55.0 * kMiB);
  // Done: no time left, whatever the rate.
  EXPECT_EQ(rate.seconds_left(2100 * kMiB), 0.0);
  EXPECT_EQ(cli::TransferRate(at(0)).seconds_left(0), 0.0);
  // A count that starts again is measured anew.
  rate.add(at(31), 5 * kMiB);
  EXPECT_EQ(rate.bytes_per_second(), 0.0);
  rate.add(at(33), 25 * kMiB);
  EXPECT_EQ(rate.bytes_per_second(), 10.0 * kMiB);
}

TEST(TransferRate, HumanDurations) {
  EXPECT_EQ(cli::human_duration(0), "0s");
  EXPECT_EQ(cli::human_duration(-3), "0s");
  EXPECT_EQ(cli::human_duration(44.6), "45s");
  EXPECT_EQ(cli::human_duration(59.4), "59s");
  EXPECT_EQ(cli::human_duration(59.6), "1m00s");
  EXPECT_EQ(cli::human_duration(185), "3m05s");
  EXPECT_EQ(cli::human_duration(3599), "59m59s");
  EXPECT_EQ(cli::human_duration(7380), "2h03m");
}

TEST(MergeProgress, ALineThatShortensIsPaddedOverTheLongerOne) {
  const std::string screen = captured_stderr([] {
    cli::Progress bar("merging", 100 * kMiB, true);
    bar.update(99 * kMiB);  // a long line
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    bar.update(0);  // a shorter one: no rate
    bar.finish();
  });
  const std::string shorter = "\rvhdchain: merging   0% (0 bytes of 100 MiB)";
  const size_t at = screen.find(shorter);
  ASSERT_NE(at, std::string::npos) << screen;
  const size_t first_length = at - 1;  // the first line, without its "\r"
  const size_t padding = screen.find('\r', at + 1) - (at + shorter.size());
  EXPECT_EQ(shorter.size() - 1 + padding, first_length) << screen;
}

TEST(MergeProgress, ADisabledLineWritesNothing) {
  const std::string screen = captured_stderr([] {
    cli::Progress bar("merging", 100, false);
    for (uint64_t done = 0; done <= 100; ++done) bar.update(done);
    bar.finish();
  });
  EXPECT_EQ(screen, "");
}

}  // namespace
}  // namespace vhdchain::test
