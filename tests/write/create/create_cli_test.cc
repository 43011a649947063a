// vhdchain create, run as a user would: exact output, --dry-run writes nothing, refusals and their
// exit codes, and `check` on what was created.
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "cli/cli_runner.h"
#include "support/image_builder.h"
#include "support/testdata.h"

namespace vhdchain::test {
namespace {

std::set<std::string> listing(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    names.insert(e.path().string() + " " + (e.is_regular_file() ? std::to_string(e.file_size()) : "dir"));
  return names;
}

// A Hyper-V-like parent whose identities are known (derived from the builder's seed).
BuiltImage write_parent(const std::filesystem::path& path) {
  ImageSpec spec;
  spec.blocks[0] = BlockSpec{};
  BuiltImage img = build_image(spec);
  img.write(path);
  return img;
}

const std::string kZeroLinkage = "{00000000-0000-0000-0000-000000000000}";

TEST(CreateCli, DryRunPrintsThePlanAndWritesNothing) {
  TempDir dir;
  const BuiltImage parent = write_parent(dir / "base.vhdx");
  const std::string dwg = parent.spec.vhdx.data_write_guid->to_string();
  const std::string vdid = parent.spec.vhdx.virtual_disk_id->to_string();
  { std::ofstream(dir / "volumes.json") << R"([{"DeviceID": "\\\\?\\Volume{0eba351e-5634-46d6-a8cf-4ddc2d6ac0b9}\\", "Name": "C:\\"}])"; }
  const std::set<std::string> before = listing(dir.path());
  const std::string child = (dir / "VMs" / "child.avhdx").string();
  std::filesystem::create_directory(dir / "VMs");
  const CliRun run = run_cli({"create", "--dry-run", "--parent", (dir / "base.vhdx").string(), "--map",
                              "C:\\=" + dir.path().string(), "--volumes", (dir / "volumes.json").string(), child});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "would create " + child + "\n"
                     "  format                vhdx\n"
                     "  type                  differencing\n"
                     "  virtual size          64 MiB (67108864 bytes)\n"
                     "  block size            2 MiB\n"
                     "  logical sector size   512\n"
                     "  physical sector size  4096\n"
                     "  file size             5 MiB (5242880 bytes)\n"
                     "  virtual disk id       " + vdid + "\n"
                     "  parent                " + (dir / "base.vhdx").string() + "\n"
                     "  parent identity       " + dwg + "\n"
                     "  parent locator:\n"
                     "    parent_linkage = {" + dwg + "}\n"
                     "    absolute_win32_path = C:\\base.vhdx\n"
                     "    relative_path = ..\\base.vhdx\n"
                     "    volume_path = \\\\?\\Volume{0eba351e-5634-46d6-a8cf-4ddc2d6ac0b9}\\base.vhdx\n"
                     "    parent_linkage2 = " + kZeroLinkage + "\n"
                     "nothing written (--dry-run)\n");
  std::set<std::string> after = listing(dir.path());
  after.erase((dir / "VMs").string() + " dir");
  EXPECT_EQ(after, before);
  EXPECT_TRUE(std::filesystem::is_empty(dir / "VMs"));
}

TEST(CreateCli, DryRunOfABaseDisk) {
  TempDir dir;
  const std::string path = (dir / "d.vhdx").string();
  const CliRun run = run_cli({"create", "--dry-run", "--size", "1G", "--type", "fixed", "--block-size", "8M",
                              "--logical-sector-size", "4096", "--physical-sector-size", "4096", path});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "would create " + path + "\n"
                     "  format                vhdx\n"
                     "  type                  fixed\n"
                     "  virtual size          1 GiB (1073741824 bytes)\n"
                     "  block size            8 MiB\n"
                     "  logical sector size   4096\n"
                     "  physical sector size  4096\n"
                     "  file size             1 GiB (1077936128 bytes)\n"
                     "  virtual disk id       new (random)\n"
                     "nothing written (--dry-run)\n");
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

// The keys of the object printed, in printed order.
std::vector<std::string> keys(const std::string& text) {
  std::vector<std::string> out;
  const nlohmann::ordered_json j = nlohmann::ordered_json::parse(text);
  for (auto it = j.begin(); it != j.end(); ++it) out.push_back(it.key());
  return out;
}

const std::vector<std::string> kJsonKeys = {"path", "created", "format", "type", "virtual_size", "block_size",
                                            "logical_sector_size", "physical_sector_size", "file_size",
                                            "virtual_disk_id", "identity", "parent"};

TEST(CreateCli, JsonOfACreatedChildAndItsCheck) {
  TempDir dir;
  const BuiltImage parent = write_parent(dir / "base.vhdx");
  const std::string child = (dir / "child.avhdx").string();
  const CliRun run = run_cli({"create", "--json", "--parent", (dir / "base.vhdx").string(), child});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json j = run.json();
  EXPECT_EQ(keys(run.out), kJsonKeys);
  EXPECT_EQ(j["path"], child);
  EXPECT_EQ(j["created"], true);
  EXPECT_EQ(j["format"], "vhdx");
  EXPECT_EQ(j["type"], "differencing");
  EXPECT_EQ(j["virtual_size"], 64 * kMiB);
  EXPECT_EQ(j["block_size"], 2 * kMiB);
  EXPECT_EQ(j["logical_sector_size"], 512);
  EXPECT_EQ(j["physical_sector_size"], 4096);
  EXPECT_EQ(j["file_size"], 5 * kMiB);
  EXPECT_EQ(j["virtual_disk_id"], parent.spec.vhdx.virtual_disk_id->to_string());
  ASSERT_TRUE(j["identity"].is_string());
  EXPECT_NE(j["identity"], parent.spec.vhdx.data_write_guid->to_string());
  const std::string dwg = "{" + parent.spec.vhdx.data_write_guid->to_string() + "}";
  EXPECT_EQ(j["parent"], nlohmann::json::parse(R"({"path": ")" + (dir / "base.vhdx").string() + R"(", "identity": ")" +
                                               parent.spec.vhdx.data_write_guid->to_string() + R"(", "locator": [
      {"key": "parent_linkage", "value": ")" + dwg + R"("},
      {"key": "relative_path", "value": ".\\base.vhdx"},
      {"key": "parent_linkage2", "value": ")" + kZeroLinkage + R"("}]})"));
  EXPECT_EQ(std::filesystem::file_size(child), 5 * kMiB);

  // The chain is whole: no finding at all, exit 0.
  const CliRun check = run_cli({"check", "--json", dir.path().string()});
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_EQ(finding_codes(check.json()), std::vector<std::string>{});
  // And a child of the child.
  const CliRun grandchild = run_cli({"create", "--parent", child, (dir / "child2.avhdx").string()});
  EXPECT_EQ(grandchild.exit_code, 0) << grandchild.err;
  const CliRun check2 = run_cli({"check", "--json", (dir / "child2.avhdx").string()});
  EXPECT_EQ(check2.exit_code, 0) << check2.out;
  EXPECT_EQ(finding_codes(check2.json()), std::vector<std::string>{});
}

TEST(CreateCli, JsonOfADryRunAndTextOfACreatedDisk) {
  TempDir dir;
  const std::string path = (dir / "d.vhdx").string();
  const CliRun dry = run_cli({"create", "--dry-run", "--json", "--size", "512M", path});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(dry.json(), nlohmann::json::parse(R"({"path": ")" + path + R"(", "created": false, "format": "vhdx",
      "type": "dynamic", "virtual_size": 536870912, "block_size": 33554432, "logical_sector_size": 512,
      "physical_sector_size": 4096, "file_size": 4194304, "virtual_disk_id": null, "identity": null, "parent": null})"));
  EXPECT_EQ(keys(dry.out), kJsonKeys);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));

  const CliRun run = run_cli({"create", "--size", "512M", path});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string head = "created " + path + "\n"
                           "  format                vhdx\n"
                           "  type                  dynamic\n"
                           "  virtual size          512 MiB (536870912 bytes)\n"
                           "  block size            32 MiB\n"
                           "  logical sector size   512\n"
                           "  physical sector size  4096\n"
                           "  file size             4 MiB (4194304 bytes)\n"
                           "  virtual disk id       ";
  EXPECT_EQ(run.out.substr(0, head.size()), head);
  EXPECT_NE(run.out.find("\n  identity              "), std::string::npos) << run.out;
  const CliRun check = run_cli({"check", "--json", path});
  EXPECT_EQ(check.exit_code, 0);
  EXPECT_EQ(finding_codes(check.json()), std::vector<std::string>{"disk.standalone"});
}

TEST(CreateCli, RefusesAnExistingFile) {
  TempDir dir;
  const std::string path = (dir / "d.vhdx").string();
  { std::ofstream(path) << "precious"; }
  for (bool dry : {false, true}) {
    std::vector<std::string> args = {"create", "--size", "1G", path};
    if (dry) args.insert(args.begin() + 1, "--dry-run");
    const CliRun run = run_cli(args);
    EXPECT_EQ(run.exit_code, 3);
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(run.err, "vhdchain: " + path + ": exists; create never replaces a file\n");
  }
  std::ifstream in(path);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "precious");
  EXPECT_EQ(listing(dir.path()).size(), 1u);
}

TEST(CreateCli, BadArgumentsExit3WithExactMessages) {
  TempDir dir;
  const std::string d = (dir / "d.vhdx").string();
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  const std::vector<Case> cases = {
      {{"--size", "10X", d}, "--size \"10X\": unknown unit (K, M, G or T: binary units)"},
      {{"--size", "abc", d}, "--size \"abc\": not a size (bytes, or a whole number with K, M, G or T: binary units)"},
      {{"--size", "-5", d}, "--size \"-5\": not a size (bytes, or a whole number with K, M, G or T: binary units)"},
      {{"--size", "99999999999999999999", d}, "--size \"99999999999999999999\": too large"},
      {{"--size", "20000000T", d}, "--size \"20000000T\": too large"},
      {{"--size", "1000", d}, d + ": virtual size 1000 is not a multiple of the logical sector size 512"},
      {{"--size", "65T", d}, d + ": virtual size 71468255805440 is larger than the VHDX maximum, 64 TiB (70368744177664)"},
      {{"--size", "1G", "--block-size", "3M", d}, d + ": block size 3145728 is not a power of two from 1 MiB to 256 MiB"},
      {{"--size", "1G", "--logical-sector-size", "1024", d}, d + ": logical sector size 1024: VHDX allows 512 or 4096"},
      {{d}, "give --size SIZE (or --parent PARENT for a differencing disk)"},
      {{"--size", "1G", (dir / "d.img").string()},
       (dir / "d.img").string() + ": the name does not end in .vhdx, .avhdx, .vhd or .avhd: give --format"},
      {{"--size", "1G", "--format", "vhd", d}, d + ": the name says vhdx but --format says vhd"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"create"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const CliRun run = run_cli(args);
    EXPECT_EQ(run.exit_code, 3) << c.err;
    EXPECT_EQ(run.err, "vhdchain: " + c.err + "\n");
    EXPECT_EQ(run.out, "");
  }
  // CLI11's own refusals: exit 3 too.
  EXPECT_EQ(run_cli({"create", "--size", "1G", "--parent", d, (dir / "c.avhdx").string()}).exit_code, 3);
  EXPECT_EQ(run_cli({"create", "--size", "1G", "--type", "sparse", d}).exit_code, 3);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(CreateCli, BrokenOrMissingParentExits2) {
  TempDir dir;
  const std::string child = (dir / "c.avhdx").string();
  const std::string missing = (dir / "nothing.vhdx").string();
  CliRun run = run_cli({"create", "--parent", missing, child});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "vhdchain: " + missing + ": the parent does not exist\n");

  BuiltImage broken = write_parent(dir / "base.vhdx");
  broken.patch("region table 1", 0, std::vector<uint8_t>{'x'});
  broken.patch("region table 2", 0, std::vector<uint8_t>{'x'});
  broken.write(dir / "base.vhdx");
  run = run_cli({"create", "--parent", (dir / "base.vhdx").string(), child});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_FALSE(std::filesystem::exists(child));
  EXPECT_EQ(listing(dir.path()).size(), 1u);
}

// A parent whose own parent is gone is a broken chain: refused before anything is written.
TEST(CreateCli, ParentWithABrokenChainExits2) {
  TempDir dir;
  ChainSpec spec;
  ImageSpec base, mid;
  mid.seed = 2;  // identities differ from the base's
  spec.layers.push_back({base, "base.vhdx"});
  spec.layers.push_back({mid, "mid.avhdx"});
  build_chain(spec).write(dir.path());
  const CliRun whole = run_cli({"create", "--dry-run", "--parent", (dir / "mid.avhdx").string(), (dir / "ok.avhdx").string()});
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  std::filesystem::remove(dir / "base.vhdx");
  for (bool dry : {true, false}) {
    std::vector<std::string> args = {"create", "--parent", (dir / "mid.avhdx").string(), (dir / "c.avhdx").string()};
    if (dry) args.insert(args.begin() + 1, "--dry-run");
    const CliRun run = run_cli(args);
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_EQ(run.out, "");
    EXPECT_NE(run.err.find("base.vhdx"), std::string::npos) << run.err;
  }
  EXPECT_EQ(listing(dir.path()).size(), 1u);
}

// Seed 000 seen from the Windows host's volume list (issue 16): C:\Hyper-V\ and D:\ are one volume.
// A child made in C:\Hyper-V\VMs of a parent named through D:\ would store the aliased link check
// flags next (alias.parent_via_other_mount): create warns, --strict refuses and writes nothing.
TEST(CreateCli, ALinkThroughAnotherMountPointOfTheParentsVolumeIsWarnedAndStrictRefusesIt) {
  TempDir dir;
  const std::string host_c = (dir / "host-c").string(), host_d = (dir / "host-d").string();
  std::filesystem::create_directories(host_c + "/Hyper-V/VMs");
  std::filesystem::create_directories(host_d + "/VMs");
  const std::string parent = host_d + "/VMs/VM.vhdx", child = host_c + "/Hyper-V/VMs/VM_A.avhdx";
  write_parent(parent);
  const std::vector<std::string> host = {"--map", "C:\\=" + host_c, "--map", "D:\\=" + host_d, "--volumes",
                                         std::string(VHDCHAIN_SOURCE_DIR) + "/testdata/check/seed000-mountvol.txt"};
  std::vector<std::string> args = {"create", "--parent", parent};
  args.insert(args.end(), host.begin(), host.end());
  args.push_back(child);
  const std::string warning = parent + ": on the Windows host the child is C:\\Hyper-V\\VMs\\VM_A.avhdx and the parent "
                              "would be stored as D:\\VMs\\VM.vhdx: one volume through two mount points (mount points "
                              "C:\\Hyper-V\\ and D:\\ of volume \\\\?\\Volume{5eed0000-0000-4000-8000-0000000000d0}\\); "
                              "Hyper-V decides they are unrelated and fails the merge (check: alias.parent_via_other_mount)";

  std::vector<std::string> strict = args;
  strict.insert(strict.begin() + 1, "--strict");
  const CliRun refused = run_cli(strict);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.err, "vhdchain: refused (--strict): " + warning + "\n");
  EXPECT_EQ(refused.out, "");
  EXPECT_FALSE(std::filesystem::exists(child));

  const CliRun warned = run_cli(args);
  EXPECT_EQ(warned.exit_code, 0) << warned.err;
  EXPECT_EQ(warned.err, "vhdchain: warning: " + warning + "\n");
  ASSERT_TRUE(std::filesystem::exists(child));
  std::vector<std::string> check = {"check", "--json"};
  check.insert(check.end(), host.begin(), host.end());
  check.push_back(host_c + "/Hyper-V/VMs");
  const CliRun checked = run_cli(check);
  EXPECT_EQ(finding_codes(checked.json()), std::vector<std::string>{"alias.parent_via_other_mount"}) << checked.out;
}

}  // namespace
}  // namespace vhdchain::test
