// vhdchain convert, run as a user would: every kind of source into every destination reads
// byte-identical to the source through vhdchain, qemu-img and libvhdi where they can read it; a
// dynamic destination stores exactly the blocks that are not all zeros; refusals write nothing.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "support/testdata.h"
#include "write/convert/convert_chains.h"
#include "write/create/external_tool.h"
#include "write/vhdx/libvhdi_reader.h"
#include "write/vhdx/qemu_img_reader.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return sha256_hex(bytes);
}

json result_of(const CliRun& run) {
  if (run.exit_code != 0) return json{{"exit", run.exit_code}, {"err", run.err}};
  return run.json().at("result");
}

struct Case {
  std::string name;
  std::vector<std::string> args;  // after SRC DST
  std::string extension;
  json result;                    // blocks_stored, blocks_skipped_zero, file_size
};

// 16 MiB, 1 MiB units: blocks 0, 1, 6 stored, 4 and 5 (zeros stored in a layer) not; fixed
// destinations have every block in place.
std::vector<Case> cases() {
  const uint64_t vhd_dynamic = 2048 + 3 * (512 + kMiB) + 512;  // structures, 3 blocks, footer
  return {
      {"vhdx_dynamic", {"--block-size", "1M"}, ".vhdx", {{"blocks_stored", 3}, {"blocks_skipped_zero", 2}, {"file_size", 7 * kMiB}}},
      {"vhdx_fixed", {"--type", "fixed", "--block-size", "1M"}, ".vhdx", {{"blocks_stored", 5}, {"blocks_skipped_zero", 0}, {"file_size", 20 * kMiB}}},
      {"vhd_dynamic", {"--block-size", "1M"}, ".vhd", {{"blocks_stored", 3}, {"blocks_skipped_zero", 2}, {"file_size", vhd_dynamic}}},
      {"vhd_fixed", {"--type", "fixed"}, ".vhd", {{"blocks_stored", 5}, {"blocks_skipped_zero", 0}, {"file_size", 16 * kMiB + 512}}},
      {"raw_dynamic", {}, ".raw", {{"blocks_stored", 3}, {"blocks_skipped_zero", 2}, {"file_size", 16 * kMiB}}},
      {"raw_fixed", {"--type", "fixed"}, ".raw", {{"blocks_stored", 5}, {"blocks_skipped_zero", 0}, {"file_size", 16 * kMiB}}},
  };
}

// Converts the chain's leaf into every destination; returns, per case, what the readers see.
void expect_every_destination(uint32_t sector, Format format) {
  TempDir t;
  const BuiltChain chain = convert_chain(sector, format);
  chain.write(t.path());
  const std::string leaf = (t / chain.file_names.back()).string();
  const std::string want = chain_sha256(leaf);
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    if (sector == 4096 && c.extension == ".vhd") continue;  // refused: ConvertCli.VhdRefusesFourKSectors
    const std::string dst = (t / (c.name + c.extension)).string();
    std::vector<std::string> args = {"convert", "--json", "--progress", "none", leaf, dst};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const CliRun run = run_cli(args);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(result_of(run), c.result);
    EXPECT_EQ(fs::file_size(dst), c.result.at("file_size").get<uint64_t>());
    EXPECT_FALSE(fs::exists(t / ("." + c.name + c.extension + ".vhdchain-partial")));
    if (c.extension == ".raw") {
      EXPECT_EQ(file_sha256(dst), want);
      continue;
    }
    EXPECT_EQ(chain_sha256(dst), want);
    const Chain converted = open_chain(dst);
    EXPECT_EQ(converted.layers().size(), 1u);  // flattened: no parent
    EXPECT_EQ(converted.leaf().image->info().logical_sector_size, sector);
    if (const std::optional<std::string> libvhdi = libvhdi_sha256({dst})) {
      EXPECT_EQ(*libvhdi, want) << "libvhdi";
    }
    // qemu-img opens VHDX of 512-byte logical sectors only ("Operation not supported").
    if (c.extension == ".vhdx" && sector == 512 && tool_available("/usr/bin/qemu-img")) {
      EXPECT_EQ(qemu_img_raw_sha256(dst), want) << "qemu-img";
      const ToolRun check = run_tool({"/usr/bin/qemu-img", "check", "-f", "vhdx", dst});
      EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    }
  }
}

TEST(ConvertContent, VhdxChainOf512ByteSectors) { expect_every_destination(512, Format::vhdx); }
TEST(ConvertContent, VhdxChainOf4096ByteSectors) { expect_every_destination(4096, Format::vhdx); }
TEST(ConvertContent, VhdChain) { expect_every_destination(512, Format::vhd); }

TEST(ConvertContent, RawImageImported) {
  TempDir t;
  const std::string raw = (t / "disk.img").string();
  {
    std::vector<uint8_t> bytes(8 * kMiB, 0);
    for (size_t i = 0; i < kMiB; ++i) bytes[i] = static_cast<uint8_t>(i * 7 + 1);
    bytes[5 * kMiB + 4095] = 0x5A;  // one byte makes MiB 5 a block with data
    std::ofstream(raw, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  const std::string dst = (t / "disk.vhdx").string();
  const CliRun run = run_cli({"convert", "--json", "--progress", "none", "--block-size", "1M", raw, dst});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json doc = run.json();
  EXPECT_EQ(doc.at("source_format"), "raw");
  EXPECT_EQ(doc.at("blocks_with_data"), 8);  // a raw image is all data to the maps
  EXPECT_EQ(doc.at("result"), json({{"blocks_stored", 2}, {"blocks_skipped_zero", 6}, {"file_size", 6 * kMiB}}));
  EXPECT_EQ(chain_sha256(dst), file_sha256(raw));
  if (tool_available("/usr/bin/qemu-img")) {
    EXPECT_EQ(qemu_img_raw_sha256(dst), file_sha256(raw));
  }
}

TEST(ConvertCli, DryRunPrintsThePlanAndWritesNothing) {
  TempDir t;
  const BuiltChain chain = convert_chain();
  chain.write(t.path());
  const std::string leaf = (t / "leaf.avhdx").string(), base = (t / "base.vhdx").string();
  const std::string dst = (t / "flat.vhdx").string();
  const CliRun run = run_cli({"convert", "--dry-run", "--block-size", "1M", leaf, dst});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  // The estimate line depends on the machine; everything else is exact.
  std::string out = run.out;
  const size_t estimate = out.find("  estimate    ");
  if (estimate != std::string::npos) out.erase(estimate, out.find('\n', estimate) + 1 - estimate);
  EXPECT_EQ(out, "convert " + leaf + "\n"
                 "  read        " + leaf + " (vhdx differencing)\n"
                 "  read        " + base + " (vhdx)\n"
                 "  into        " + dst + " (vhdx dynamic)\n"
                 "  size        16 MiB (16777216 bytes)\n"
                 "  block size  1 MiB\n"
                 "  sectors     512 logical, 4096 physical\n"
                 "  data        5 of 16 blocks hold data: 5 MiB to read\n"
                 "  file size   at most 9 MiB (blocks of zeros are not stored)\n"
                 "  dry run: nothing was written\n");
  EXPECT_FALSE(fs::exists(dst));
  EXPECT_EQ(std::distance(fs::directory_iterator(t.path()), fs::directory_iterator{}), 2);
}

TEST(ConvertCli, VhdRefusesFourKSectors) {
  TempDir t;
  const BuiltChain chain = convert_chain(4096);
  chain.write(t.path());
  const std::string leaf = (t / "leaf.avhdx").string(), dst = (t / "flat.vhd").string();
  const CliRun run = run_cli({"convert", leaf, dst});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "vhdchain: " + dst + ": a VHD has 512-byte sectors only; " + leaf +
                         " has 4096-byte logical sectors (convert it to a VHDX instead)\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(t.path()), fs::directory_iterator{}), 2);
}

TEST(ConvertCli, ExistingDestinationIsRefused) {
  TempDir t;
  const BuiltChain chain = convert_chain();
  chain.write(t.path());
  const std::string leaf = (t / "leaf.avhdx").string(), dst = (t / "base.vhdx").string();
  const std::string before = file_sha256(dst);
  const CliRun run = run_cli({"convert", leaf, dst});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.err, "vhdchain: " + dst + ": exists; convert never replaces a file\n");
  EXPECT_EQ(file_sha256(dst), before);
}

}  // namespace
}  // namespace vhdchain::test
