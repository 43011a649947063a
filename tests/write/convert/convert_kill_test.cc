// convert killed (SIGKILL) right after every one of its I/O events, then run again: before the
// rename that publishes it there is no destination, from it on the whole one; the rerun removes
// what the killed run left (its partial files) and converts afresh. And out of space, on a small
// tmpfs of our own so the free space is exact: a fixed destination is refused before anything is
// written (exit 2); a dynamic one that outgrows the volume fails cleanly (exit 3), leaving nothing.
#include <filesystem>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "support/testdata.h"
#include "unit/hostpath/child_process.h"
#include "vhdchain/file.h"
#include "write/convert/convert_chains.h"
#include "write/vhdx/kill_sweep.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

void sweep(Format format, const std::string& destination, const std::vector<std::string>& options) {
  TempDir t;
  const BuiltChain chain = convert_chain(512, format);
  chain.write(t.path());
  const std::string leaf = (t / chain.file_names.back()).string();
  const std::string dst = (t / destination).string();
  const std::string want = chain_sha256(leaf);
  const std::set<std::string> inputs = names_in(t.path());
  std::vector<std::string> args = {"convert", "--progress", "none", leaf, dst};
  args.insert(args.end(), options.begin(), options.end());
  const bool raw = destination.ends_with(".raw");
  auto content = [&] {
    if (!raw) return chain_sha256(dst);
    std::vector<uint8_t> bytes(fs::file_size(dst));
    File::open(dst, OpenMode::read_only)->read_at(0, bytes);
    return sha256_hex(bytes);
  };

  uint64_t published_from = 0;
  const uint64_t total = sweep_kills(
      args, [&] { fs::remove(dst); },
      [&](uint64_t n) {
        SCOPED_TRACE("killed after I/O event " + std::to_string(n));
        if (fs::exists(dst)) {
          if (published_from == 0) published_from = n;
          EXPECT_EQ(content(), want);
        } else {
          EXPECT_EQ(published_from, 0u) << "the destination disappeared again";
        }
        EXPECT_EQ(chain_sha256(leaf), want);  // the source is never written
        fs::remove(dst);
        const CliRun rerun = run_cli(args);
        EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
        EXPECT_EQ(content(), want);
        std::set<std::string> expected = inputs;
        expected.insert(destination);
        EXPECT_EQ(names_in(t.path()), expected);  // no partial file left
      });
  // The last event is the rename (published), and only it.
  EXPECT_GT(total, 5u);
  EXPECT_EQ(published_from, total);
}

TEST(ConvertKill, DynamicVhdx) { sweep(Format::vhdx, "flat.vhdx", {"--block-size", "1M"}); }
TEST(ConvertKill, FixedVhdx) { sweep(Format::vhdx, "flat.vhdx", {"--type", "fixed", "--block-size", "1M"}); }
TEST(ConvertKill, DynamicVhd) { sweep(Format::vhd, "flat.vhd", {"--block-size", "1M"}); }
TEST(ConvertKill, Raw) { sweep(Format::vhdx, "flat.raw", {}); }

// A tmpfs of 24 MiB holding the chain (about 17 MiB), minus what a filler file takes.
TEST(ConvertNoSpace, FixedIsRefusedAndADynamicThatOutgrowsTheVolumeFailsCleanly) {
  TempDir t;
  const std::string volume = (t / "vol").string();
  fs::create_directories(volume);
  const BuiltChain chain = convert_chain();
  const hostpath::test::ChildResult r = hostpath::test::run_in_child([&] {
    hostpath::test::tmpfs_in_private_namespace(volume, 24 * kMiB);
    chain.write(volume);
    const std::string leaf = volume + "/leaf.avhdx";
    json facts;
    facts["before"] = chain_sha256(leaf);
    facts["names_before"] = names_in(volume);
    const CliRun fixed =
        run_cli({"convert", "--progress", "none", "--type", "fixed", "--block-size", "1M", leaf, volume + "/f.vhdx"});
    facts["fixed"] = {{"exit", fixed.exit_code}, {"out", fixed.out}, {"err", fixed.err}};
    facts["names_after_fixed"] = names_in(volume);
    // Leave 1 MiB free: the dynamic destination's structures fit (a sparse 4 MiB, a few hundred KiB
    // written), its three 1 MiB blocks do not.
    const uint64_t free_now = fs::space(volume).available;
    {
      const auto fd = File::open(volume + "/filler", OpenMode::create_new);
      std::vector<uint8_t> ones(free_now - kMiB, 1);
      fd->write_at(0, ones);
    }
    const CliRun dynamic = run_cli({"convert", "--progress", "none", "--json", "--block-size", "1M", leaf, volume + "/d.vhdx"});
    facts["dynamic"] = {{"exit", dynamic.exit_code}, {"out", dynamic.out}, {"err", dynamic.err}};
    fs::remove(volume + "/filler");
    facts["names_after_dynamic"] = names_in(volume);
    facts["after"] = chain_sha256(leaf);
    return facts.dump();
  });
  if (r.kind == hostpath::test::ChildResult::skipped) GTEST_SKIP() << "no private tmpfs here: " << r.text;
  ASSERT_EQ(r.kind, hostpath::test::ChildResult::ok) << r.text;
  const json facts = json::parse(r.text);

  const json& fixed = facts["fixed"];
  EXPECT_EQ(fixed["exit"], 2);
  EXPECT_EQ(fixed["err"], "");
  const std::string out = fixed["out"];
  EXPECT_NE(out.find("  REFUSED     " + volume + "/f.vhdx: a fixed disk needs 20971520 bytes on its volume, which has "),
            std::string::npos)
      << out;
  EXPECT_TRUE(out.ends_with(" free\n  nothing was written\n")) << out;
  EXPECT_EQ(facts["names_after_fixed"], facts["names_before"]);

  const json& dynamic = facts["dynamic"];
  EXPECT_EQ(dynamic["exit"], 3) << dynamic.dump();
  EXPECT_EQ(dynamic["out"], "");
  const std::string err = dynamic["err"];
  EXPECT_TRUE(err.starts_with("vhdchain: " + volume + "/.d.vhdx.vhdchain-partial: cannot write @0x")) << err;
  EXPECT_TRUE(err.ends_with(": No space left on device\n")) << err;
  EXPECT_EQ(facts["names_after_dynamic"], facts["names_before"]);  // the partial file was removed
  EXPECT_EQ(facts["after"], facts["before"]);
}

}  // namespace
}  // namespace vhdchain::test
