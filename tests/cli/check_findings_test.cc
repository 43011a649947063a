// One test per finding code of `vhdchain check` (docs/check.md): the disks that produce it, the exit
// status, and the finding exactly as --json reports it. The alias codes that need real mounts or a
// Windows volume list are in check_alias_test.cc; the output formats in check_output_test.cc.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "cli/check_schema.h"
#include "cli/cli_runner.h"
#include "support/testdata.h"
#include "unit/hostpath/child_process.h"
#include "vhdchain/disk_image.h"
#include "vhdchain/error.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class CheckFinding : public ::testing::Test {
 protected:
  std::string at(const std::string& name) const { return path_of(t_ / name); }
  std::string dir() const { return path_of(t_.path()); }
  void put(const BuiltImage& image, const std::string& name) const { image.write(t_ / name); }
  json check(std::vector<std::string> args, int expected_exit) const { return run_check_json(std::move(args), expected_exit); }
  // The finding as a JSON object, for whole-object comparison.
  static json finding(const std::string& code, const std::string& severity, const std::string& message,
                      std::vector<std::string> paths, bool inconclusive = false, json hyperv = nullptr,
                      json hyperv_name = nullptr, json policy = nullptr) {
    return json{{"code", code},         {"severity", severity}, {"inconclusive", inconclusive},
                {"message", message},   {"paths", paths},       {"hyperv_error", hyperv},
                {"hyperv_error_name", hyperv_name}, {"policy", policy}};
  }

  TempDir t_;
};

// --- a healthy chain, the baseline every other test breaks ------------------------------------

TEST_F(CheckFinding, HealthyChainHasNoFindingAndExactCapacity) {
  BuiltImage base = build_image(vhdx_base_spec(1));
  put(base, "base.vhdx");
  put(vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}}), "base_A.avhdx");
  json doc = check({dir()}, 0);
  EXPECT_EQ(doc.at("schema_version"), "2.0");
  EXPECT_EQ(doc.at("status"), "ok");
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{}) << doc.at("findings").dump(1);
  ASSERT_EQ(doc.at("chains").size(), 1u);
  const json& c = doc.at("chains")[0];
  EXPECT_EQ(c.at("leaf"), at("base_A.avhdx"));
  EXPECT_EQ(c.at("base"), at("base.vhdx"));
  EXPECT_EQ(c.at("complete"), true);
  EXPECT_EQ(c.at("severity"), "ok");
  EXPECT_EQ(c.at("layers"), (json{at("base_A.avhdx"), at("base.vhdx")}));
  const uint64_t files = fs::file_size(at("base.vhdx")) + fs::file_size(at("base_A.avhdx"));
  EXPECT_EQ(c.at("capacity").at("file_bytes"), files);
  // The leaf: 31 of 32 blocks unallocated, plus the one sector bitmap block of its only chunk.
  EXPECT_EQ(c.at("capacity").at("growth_bytes"), 31 * 2 * kMiB + kMiB);
  // The base holds block 0; the child adds block 1, which the base would have to allocate.
  EXPECT_EQ(c.at("capacity").at("merge_bytes"), 2 * kMiB);
  json child = disk_entry(doc, at("base_A.avhdx"));
  EXPECT_EQ(child.at("parent").at("path"), at("base.vhdx"));
  EXPECT_EQ(child.at("parent").at("candidates")[0].at("outcome"), "ok");
  EXPECT_EQ(disk_entry(doc, at("base.vhdx")).at("children"), json{at("base_A.avhdx")});
}

// --- inputs ----------------------------------------------------------------------------------

TEST_F(CheckFinding, InputMissing) {
  json doc = check({at("nothing-here")}, 3);
  EXPECT_EQ(doc.at("status"), "unknown");
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"input.missing"}) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "input.missing"),
            finding("input.missing", "warning", at("nothing-here") + ": no such file or folder", {at("nothing-here")}, true));
}

TEST_F(CheckFinding, InputUnreadable) {
  ASSERT_EQ(::mkfifo(at("pipe.vhdx").c_str(), 0600), 0);
  json doc = check({at("pipe.vhdx")}, 3);
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"input.unreadable"}) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "input.unreadable"),
            finding("input.unreadable", "warning", at("pipe.vhdx") + ": not a file or folder", {at("pipe.vhdx")}, true));
}

// --- single disks ----------------------------------------------------------------------------

TEST_F(CheckFinding, DiskUnreadable) {
  fs::create_symlink(at("gone.vhdx"), at("link.vhdx"));  // dangling: named like a disk, cannot be opened
  json doc = check({dir()}, 3);
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"disk.unreadable"}) << doc.at("findings").dump(1);
  json f = only_finding(doc, "disk.unreadable");
  EXPECT_EQ(f.at("severity"), "warning");
  EXPECT_EQ(f.at("inconclusive"), true);
  EXPECT_EQ(f.at("message"), at("link.vhdx") + ": cannot open: No such file or directory");
  EXPECT_EQ(disk_entry(doc, at("link.vhdx")).at("error"), (json{{"code", "io"}, {"message", f.at("message")}}));
  EXPECT_EQ(doc.at("chains")[0].at("complete"), false);
}

TEST_F(CheckFinding, DiskCorrupt) {
  std::ofstream(at("junk.vhdx")) << "vhdxfile" << std::string(70000, 'x');  // a VHDX with nothing valid after its identifier
  std::string expected;
  try {
    open_image_file(at("junk.vhdx"));
  } catch (const Error& e) {
    expected = e.what();
  }
  ASSERT_FALSE(expected.empty());
  json doc = check({dir()}, 2);
  EXPECT_EQ(doc.at("status"), "critical");
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"disk.corrupt"}) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "disk.corrupt"), finding("disk.corrupt", "critical", expected, {at("junk.vhdx")}));
}

TEST_F(CheckFinding, DiskCorruptInTheBatIsFoundWithAndWithoutDeep) {
  // A partially present block whose sector bitmap block is missing from the BAT. The BAT is read for
  // the capacity figures, so the plain check finds it; --deep walks every block and reports it once.
  BuiltImage base = build_image(vhdx_base_spec(1));
  put(base, "base.vhdx");
  ImageSpec spec = vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}}).spec;
  spec.blocks[0] = BlockSpec::partial({{0, 8}});
  BuiltImage bad = build_image(spec);
  // The chunk's sector bitmap entry comes after its 2048 payload entries (chunk ratio for 512-byte
  // sectors and 2 MiB blocks, MS-VHDX 2.5): make it NOT_PRESENT.
  bad.patch_le("bat", 2048 * 8, 0, 8);
  put(bad, "base_A.avhdx");
  const json expected = finding("disk.corrupt", "critical",
                                at("base_A.avhdx") +
                                    ": BAT entry 0 @0x300000: payload state 7 (partially present) needs the sector "
                                    "bitmap of chunk 0 (BAT entry 2048) to be present, but its state is 0",
                                {at("base_A.avhdx")});
  json plain = check({dir()}, 2);
  EXPECT_EQ(finding_codes(plain), std::vector<std::string>{"disk.corrupt"}) << plain.at("findings").dump(1);
  EXPECT_EQ(only_finding(plain, "disk.corrupt"), expected);
  EXPECT_EQ(plain.at("chains")[0].at("capacity").at("known"), false);
  json deep = check({"--deep", dir()}, 2);
  EXPECT_EQ(finding_codes(deep), std::vector<std::string>{"disk.corrupt"}) << deep.at("findings").dump(1);
  EXPECT_EQ(only_finding(deep, "disk.corrupt"), expected);
}

TEST_F(CheckFinding, DiskUnsupported) {
  ImageSpec spec = vhdx_base_spec(1);
  spec.vhdx.extra_metadata.push_back({guid_from_seed(77, 1), 4 /* IsRequired */, {1, 2, 3, 4}});
  put(build_image(spec), "future.vhdx");
  std::string expected;
  try {
    open_image_file(at("future.vhdx"));
  } catch (const Error& e) {
    expected = e.what();
  }
  json doc = check({dir()}, 3);
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"disk.unsupported"}) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "disk.unsupported"),
            finding("disk.unsupported", "warning", expected, {at("future.vhdx")}, true));
}

TEST_F(CheckFinding, DiskNoteAndStandalone) {
  // Both headers with one sequence number (Disk2vhd writes this): read, with a note.
  ImageSpec spec = vhdx_base_spec(1);
  spec.vhdx.header1_sequence = spec.vhdx.header2_sequence = 5;
  put(build_image(spec), "disk2vhd.vhdx");
  json doc = check({dir()}, 0);
  EXPECT_EQ(finding_codes(doc), (std::vector<std::string>{"disk.note", "disk.standalone"})) << doc.at("findings").dump(1);
  std::vector<Note> notes = open_image_file(at("disk2vhd.vhdx"))->info().notes;
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(only_finding(doc, "disk.note"),
            finding("disk.note", "info", at("disk2vhd.vhdx") + ": " + notes[0].message + " (" + notes[0].code + ")",
                    {at("disk2vhd.vhdx")}));
  EXPECT_EQ(only_finding(doc, "disk.standalone"),
            finding("disk.standalone", "info",
                    at("disk2vhd.vhdx") + ": a dynamic vhdx disk that no scanned differencing disk links to",
                    {at("disk2vhd.vhdx")}));
}

TEST_F(CheckFinding, LogPending) {
  ImageSpec spec = vhdx_base_spec(1);
  spec.blocks[2] = BlockSpec::full();
  VhdxLogSpec log;
  log.log_guid = guid_from_seed(5, 5);
  log.pending_blocks[2] = BlockState::not_present;
  log.entry_count = 2;
  spec.vhdx.log = log;
  put(build_image(spec), "dirty.vhdx");
  const auto before = fs::last_write_time(at("dirty.vhdx"));
  const std::string bytes_before = [&] { std::ifstream in(at("dirty.vhdx"), std::ios::binary); return std::string(std::istreambuf_iterator<char>(in), {}); }();
  json doc = check({dir()}, 1);
  EXPECT_EQ(doc.at("status"), "warning");
  EXPECT_EQ(finding_codes(doc), (std::vector<std::string>{"log.pending", "disk.standalone"})) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "log.pending"),
            finding("log.pending", "warning",
                    at("dirty.vhdx") +
                        ": the VHDX log holds 2 pending entries (sequence 100..101); checked as replayed in memory, the "
                        "file was not changed. Hyper-V replays it on the next open; tools that ignore the log (copies, "
                        "older readers) see stale metadata",
                    {at("dirty.vhdx")}));
  // Read-only: the file is byte for byte what it was.
  std::ifstream in(at("dirty.vhdx"), std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), bytes_before);
  EXPECT_EQ(fs::last_write_time(at("dirty.vhdx")), before);
}

TEST_F(CheckFinding, WriteInterrupted) {
  ImageSpec spec;
  spec.format = Format::vhd;
  spec.blocks[0] = BlockSpec::full();
  put(build_image(spec), "legacy.vhd");
  std::ofstream(at("legacy.vhd") + ".vhdchain-journal") << "a journal a kill left behind";
  json doc = check({dir()}, 1);
  EXPECT_EQ(finding_codes(doc), (std::vector<std::string>{"write.interrupted", "disk.note", "disk.standalone"}))
      << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "write.interrupted"),
            finding("write.interrupted", "warning",
                    at("legacy.vhd") + ": a vhdchain write was interrupted and left its journal " + at("legacy.vhd") +
                        ".vhdchain-journal; the file may hold part of the change. Finish it with: vhdchain repair "
                        "--replay-log " + at("legacy.vhd"),
                    {at("legacy.vhd"), at("legacy.vhd") + ".vhdchain-journal"}));
}

// --- parents -----------------------------------------------------------------------------------

TEST_F(CheckFinding, ParentMissing) {
  BuiltImage base = build_image(vhdx_base_spec(1));
  put(vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}, {"absolute_win32_path", "C:\\VMs\\base.vhdx"}}),
      "base_A.avhdx");
  json doc = check({dir()}, 2);
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"parent.missing"}) << doc.at("findings").dump(1);
  const std::string linkage = data_write_guid(base).to_string();
  EXPECT_EQ(only_finding(doc, "parent.missing"),
            finding("parent.missing", "critical",
                    at("base_A.avhdx") + ": parent not found (linkage " + linkage + "); tried: " + at("base.vhdx") +
                        ": not found (relative_path \".\\base.vhdx\"); C:\\VMs\\base.vhdx: Windows path, no mapping to "
                        "this host (absolute_win32_path)",
                    {at("base_A.avhdx"), at("base.vhdx")}, false, "0xC03A000D", "ERROR_VHD_PARENT_VHD_NOT_FOUND"));
  EXPECT_EQ(doc.at("chains")[0].at("complete"), false);
  EXPECT_EQ(doc.at("chains")[0].at("severity"), "critical");
}

TEST_F(CheckFinding, ParentIdMismatch) {
  BuiltImage base = build_image(vhdx_base_spec(1));
  BuiltImage impostor = build_image(vhdx_base_spec(9));
  put(impostor, "base.vhdx");
  put(vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}}), "base_A.avhdx");
  json doc = check({dir()}, 2);
  EXPECT_EQ(finding_codes(doc), (std::vector<std::string>{"parent.id_mismatch", "disk.standalone"})) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "parent.id_mismatch"),
            finding("parent.id_mismatch", "critical",
                    at("base_A.avhdx") + ": parent not found (linkage " + data_write_guid(base).to_string() +
                        "); tried: " + at("base.vhdx") + ": identity mismatch: its DataWriteGuid is " +
                        data_write_guid(impostor).to_string() + "; the child's parent_linkage is " +
                        data_write_guid(base).to_string() + " (relative_path \".\\base.vhdx\")",
                    {at("base_A.avhdx"), at("base.vhdx")}, false, "0xC03A000E", "ERROR_VHD_CHILD_PARENT_ID_MISMATCH"));
}

TEST_F(CheckFinding, ParentSizeMismatch) {
  BuiltImage base = build_image(vhdx_base_spec(1));
  ImageSpec grown = base.spec;  // the same identity, expanded afterwards (a classic way to break a chain)
  grown.virtual_size = 128 * kMiB;
  put(build_image(grown), "base.vhdx");
  put(vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}}), "base_A.avhdx");
  json doc = check({dir()}, 2);
  EXPECT_EQ(finding_codes(doc), (std::vector<std::string>{"parent.size_mismatch", "disk.standalone"})) << doc.at("findings").dump(1);
  json f = only_finding(doc, "parent.size_mismatch");
  EXPECT_EQ(f.at("message"), at("base_A.avhdx") + ": parent not found (linkage " + data_write_guid(base).to_string() +
                                 "); tried: " + at("base.vhdx") +
                                 ": geometry mismatch: its virtual size is 134217728 bytes, the child's 67108864 bytes "
                                 "(relative_path \".\\base.vhdx\")");
  EXPECT_EQ(f.at("hyperv_error"), "0xC03A0017");
  EXPECT_EQ(f.at("hyperv_error_name"), "ERROR_VHD_CHILD_PARENT_SIZE_MISMATCH");
}

TEST_F(CheckFinding, ParentUnusable) {
  BuiltImage base = build_image(vhdx_base_spec(1));
  std::ofstream(at("base.bin")) << "not a disk";  // not scanned (no disk extension), but named by the locator
  put(vhdx_child(base, 2, {{"relative_path", ".\\base.bin"}}), "base_A.avhdx");
  json doc = check({dir()}, 2);
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"parent.unusable"}) << doc.at("findings").dump(1);
  json f = only_finding(doc, "parent.unusable");
  EXPECT_EQ(f.at("severity"), "critical");
  EXPECT_EQ(f.at("paths"), (json{at("base_A.avhdx"), at("base.bin")}));
  EXPECT_EQ(f.at("hyperv_error"), "0xC03A0019");
  EXPECT_EQ(disk_entry(doc, at("base_A.avhdx")).at("parent").at("candidates")[0].at("outcome"), "format_error");
}

TEST_F(CheckFinding, ParentAccessDenied) {
  BuiltImage base = build_image(vhdx_base_spec(1));
  put(base, "base.vhdx");
  put(vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}}), "base_A.avhdx");
  ASSERT_EQ(::chmod(at("base.vhdx").c_str(), 0), 0);
  // As root every file opens: run the CLI as nobody in a child process.
  hostpath::test::ChildResult r = hostpath::test::run_in_child([&] {
    hostpath::test::become_nobody_if_root();
    hostpath::test::require_access(dir());
    CliRun run = run_cli({"check", "--json", at("base_A.avhdx")});
    return std::to_string(run.exit_code) + "\n" + run.out;
  });
  if (r.kind == hostpath::test::ChildResult::skipped) GTEST_SKIP() << "access denied not testable here: " << r.text;
  ASSERT_EQ(r.kind, hostpath::test::ChildResult::ok) << r.text;
  size_t nl = r.text.find('\n');
  EXPECT_EQ(r.text.substr(0, nl), "3");
  json doc = json::parse(r.text.substr(nl + 1));
  EXPECT_EQ(doc.at("status"), "unknown");
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"parent.access_denied"}) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "parent.access_denied"),
            finding("parent.access_denied", "warning",
                    at("base_A.avhdx") + ": parent not found (linkage " + data_write_guid(base).to_string() +
                        "); tried: " + at("base.vhdx") + ": access denied (relative_path \".\\base.vhdx\")",
                    {at("base_A.avhdx"), at("base.vhdx")}, true, "0xC03A0016", "ERROR_VHD_PARENT_VHD_ACCESS_DENIED"));
}

TEST_F(CheckFinding, ParentTimestampDiffers) {
  ChainSpec spec;
  ImageSpec base;
  base.format = Format::vhd;
  base.vhd.timestamp = 0x2D000000;
  ImageSpec child;
  child.format = Format::vhd;
  child.seed = 2;
  spec.layers = {{base, "base.vhd"}, {child, "base_A.avhd"}};
  BuiltChain chain = build_chain(spec);
  ImageSpec linked = chain.layers[1].spec;
  linked.vhd.parent_timestamp = 0x2D000001;  // a Virtual PC era child records one; Hyper-V writes 0
  chain.layers[0].write(t_ / "base.vhd");
  build_image(linked).write(t_ / "base_A.avhd");
  json doc = check({dir()}, 0);
  // 64 MiB has no exact CHS geometry: each VHD also carries the reader's vhd.chs_size_differs note.
  EXPECT_EQ(finding_codes(doc), (std::vector<std::string>{"disk.note", "disk.note", "parent.timestamp_differs"}))
      << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "parent.timestamp_differs"),
            finding("parent.timestamp_differs", "info",
                    at("base_A.avhd") +
                        ": the parent time stamp stored in the child is 754974721, the parent's is 754974720 "
                        "(identity matches; Hyper-V itself writes 0 here)",
                    {at("base_A.avhd"), at("base.vhd")}, false, "0xC03A000F",
                    "ERROR_VHD_CHILD_PARENT_TIMESTAMP_MISMATCH"));
}

// --- chains -------------------------------------------------------------------------------------

TEST_F(CheckFinding, ChainCycle) {
  // a links to b and b to a: two differencing disks, each the other's parent.
  ImageSpec a = vhdx_base_spec(1), b = vhdx_base_spec(2);
  a.type = b.type = DiskType::differencing;
  a.vhdx.data_write_guid = guid_from_seed(1, 100);
  b.vhdx.data_write_guid = guid_from_seed(2, 100);
  a.vhdx.parent_locator = {{"parent_linkage", b.vhdx.data_write_guid->to_braced_string()}, {"relative_path", ".\\b.avhdx"}};
  b.vhdx.parent_locator = {{"parent_linkage", a.vhdx.data_write_guid->to_braced_string()}, {"relative_path", ".\\a.avhdx"}};
  put(build_image(a), "a.avhdx");
  put(build_image(b), "b.avhdx");
  json doc = check({dir()}, 2);
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"chain.cycle"}) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "chain.cycle"),
            finding("chain.cycle", "critical",
                    "parent links form a cycle: " + at("a.avhdx") + " -> " + at("b.avhdx") + " -> " + at("a.avhdx") +
                        ". No disk in it is a base; Hyper-V cannot open any of them",
                    {at("a.avhdx"), at("b.avhdx")}, false, "0xC03A0018", "ERROR_VHD_DIFFERENCING_CHAIN_CYCLE_DETECTED"));
  EXPECT_EQ(doc.at("chains").size(), 0u);
}

TEST_F(CheckFinding, ChainTooDeep) {
  BuiltImage base = build_image(vhdx_base_spec(1));
  BuiltImage mid = vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}});
  put(base, "base.vhdx");
  put(mid, "mid.avhdx");
  put(vhdx_child(mid, 3, {{"relative_path", ".\\mid.avhdx"}}), "top.avhdx");
  json doc = check({"--max-depth", "2", dir()}, 1);
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"chain.too_deep"}) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "chain.too_deep"),
            finding("chain.too_deep", "warning",
                    at("top.avhdx") + ": the chain was followed for 2 layers (--max-depth) without reaching its base",
                    {at("top.avhdx")}));
  EXPECT_EQ(doc.at("chains")[0].at("complete"), false);
}

// Hyper-V keeps at most 50 checkpoints per VM: 50 differencing layers above a base are fine, 51 are
// reported (the default --max-depth, 4096, is far above both).
TEST_F(CheckFinding, ChainBeyondHyperVsCheckpointLimit) {
  BuiltImage below = build_image(vhdx_base_spec(1));
  put(below, "base.vhdx");
  std::string parent = "base.vhdx";
  for (int layer = 1; layer <= 51; ++layer) {
    const std::string name = "layer_" + std::to_string(layer) + ".avhdx";
    BuiltImage child = vhdx_child(below, static_cast<uint64_t>(layer) + 1, {{"relative_path", ".\\" + parent}});
    put(child, name);
    below = std::move(child);
    parent = name;
    if (layer == 50) {
      const json at_limit = check({dir()}, 0);
      EXPECT_EQ(finding_codes(at_limit), std::vector<std::string>{}) << at_limit.at("findings").dump(1);
    }
  }
  json doc = check({dir()}, 1);
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"chain.too_deep"}) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "chain.too_deep"),
            finding("chain.too_deep", "warning",
                    at("layer_51.avhdx") + ": 51 differencing layers above the base; Hyper-V keeps at most 50 checkpoints per VM",
                    {at("layer_51.avhdx")}));
  EXPECT_EQ(doc.at("chains")[0].at("complete"), true);
  EXPECT_EQ(doc.at("chains")[0].at("layers").size(), 52u);
}

TEST_F(CheckFinding, TreeBranches) {
  BuiltImage base = build_image(vhdx_base_spec(1));
  put(base, "base.vhdx");
  put(vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}}), "base_A.avhdx");
  put(vhdx_child(base, 3, {{"relative_path", ".\\base.vhdx"}}), "base_B.avhdx");
  json doc = check({dir()}, 0);
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"tree.branches"}) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "tree.branches"),
            finding("tree.branches", "info",
                    at("base.vhdx") + " has 2 children (" + at("base_A.avhdx") + ", " + at("base_B.avhdx") +
                        "): a snapshot tree. Merging one branch into " + at("base.vhdx") +
                        " changes what every other branch reads and invalidates it; decide which branch to keep (a "
                        "\"Revert\" leaves one behind) and remove the others first",
                    {at("base.vhdx"), at("base_A.avhdx"), at("base_B.avhdx")}));
  EXPECT_EQ(doc.at("chains").size(), 2u);
}

// --- locators ---------------------------------------------------------------------------------

TEST_F(CheckFinding, LocatorBesideChildOnly) {
  BuiltImage base = build_image(vhdx_base_spec(1));
  put(base, "base.vhdx");
  put(vhdx_child(base, 2, {{"relative_path", ".\\old\\base.vhdx"}}), "base_A.avhdx");
  json doc = check({dir()}, 1);
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"locator.beside_child_only"}) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "locator.beside_child_only"),
            finding("locator.beside_child_only", "warning",
                    at("base_A.avhdx") +
                        ": no stored parent locator leads to the parent; it was found only by file name beside the "
                        "child at " + at("base.vhdx") + ". Hyper-V will not find it: repair the locators",
                    {at("base_A.avhdx"), at("base.vhdx")}, false, "0xC03A000D", "ERROR_VHD_PARENT_VHD_NOT_FOUND"));
}

TEST_F(CheckFinding, LocatorNotFound) {
  BuiltImage base = build_image(vhdx_base_spec(1));
  put(base, "base.vhdx");
  fs::create_directories(t_ / "host-c");
  put(vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}, {"absolute_win32_path", "C:\\Old\\base.vhdx"}}),
      "base_A.avhdx");
  json doc = check({"--map", "C:\\=" + at("host-c"), dir()}, 0);
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"locator.not_found"}) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "locator.not_found"),
            finding("locator.not_found", "info",
                    at("base_A.avhdx") + ": locator absolute_win32_path \"C:\\Old\\base.vhdx\" names " +
                        at("host-c/Old/base.vhdx") + ", which does not exist (the parent is " + at("base.vhdx") + ")",
                    {at("base_A.avhdx"), at("host-c/Old/base.vhdx")}));
}

TEST_F(CheckFinding, LocatorWrongDisk) {
  BuiltImage base = build_image(vhdx_base_spec(1));
  BuiltImage other = build_image(vhdx_base_spec(9));
  put(base, "base.vhdx");
  fs::create_directories(t_ / "host-c" / "Old");
  other.write(t_ / "host-c" / "Old" / "base.vhdx");
  put(vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}, {"absolute_win32_path", "C:\\Old\\base.vhdx"}}),
      "base_A.avhdx");
  json doc = check({"--map", "C:\\=" + at("host-c"), at("base_A.avhdx")}, 1);
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"locator.wrong_disk"}) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "locator.wrong_disk"),
            finding("locator.wrong_disk", "warning",
                    at("base_A.avhdx") + ": locator absolute_win32_path \"C:\\Old\\base.vhdx\" names " +
                        at("host-c/Old/base.vhdx") + ", which is not the parent (identity mismatch: its DataWriteGuid is " +
                        data_write_guid(other).to_string() + "; the child's parent_linkage is " +
                        data_write_guid(base).to_string() + "); the parent is " + at("base.vhdx"),
                    {at("base_A.avhdx"), at("host-c/Old/base.vhdx")}));
}

TEST_F(CheckFinding, LocatorDisagree) {
  BuiltImage base = build_image(vhdx_base_spec(1));
  put(base, "base.vhdx");
  fs::create_directories(t_ / "host-c" / "VMs");
  base.write(t_ / "host-c" / "VMs" / "base.vhdx");  // a copy: same identity, another file
  put(vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}, {"absolute_win32_path", "C:\\VMs\\base.vhdx"}}),
      "base_A.avhdx");
  json doc = check({"--map", "C:\\=" + at("host-c"), at("base_A.avhdx")}, 1);
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"locator.disagree"}) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "locator.disagree"),
            finding("locator.disagree", "warning",
                    at("base_A.avhdx") +
                        ": locators relative_path and absolute_win32_path name two different files with the parent's "
                        "DataWriteGuid (" + at("base.vhdx") + " and " + at("host-c/VMs/base.vhdx") + "); one is a copy",
                    {at("base_A.avhdx"), at("base.vhdx"), at("host-c/VMs/base.vhdx")}));
}

TEST_F(CheckFinding, LocatorCaseDiffers) {
  BuiltImage base = build_image(vhdx_base_spec(1));
  put(base, "base.vhdx");
  put(vhdx_child(base, 2, {{"relative_path", ".\\BASE.VHDX"}}), "base_A.avhdx");
  json doc = check({dir()}, 0);
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"locator.case_differs"}) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "locator.case_differs"),
            finding("locator.case_differs", "info",
                    at("base_A.avhdx") + ": locator relative_path \".\\BASE.VHDX\" matches " + at("base.vhdx") +
                        " only ignoring case (as NTFS compares names)",
                    {at("base_A.avhdx"), at("base.vhdx")}));
  EXPECT_EQ(doc.at("chains")[0].at("complete"), true);
}

TEST_F(CheckFinding, LocatorCaseAmbiguous) {
  BuiltImage base = build_image(vhdx_base_spec(1));
  put(base, "base.vhdx");
  put(base, "BASE.vhdx");
  put(vhdx_child(base, 2, {{"relative_path", ".\\Base.vhdx"}}), "child.avhdx");
  json doc = check({at("child.avhdx")}, 2);
  EXPECT_EQ(finding_codes(doc), (std::vector<std::string>{"parent.missing", "locator.case_ambiguous"})) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "locator.case_ambiguous"),
            finding("locator.case_ambiguous", "warning",
                    at("child.avhdx") + ": locator relative_path \".\\Base.vhdx\" matches several files ignoring case: " +
                        at("BASE.vhdx") + ", " + at("base.vhdx") + "; NTFS would hold only one",
                    {at("child.avhdx"), at("BASE.vhdx"), at("base.vhdx")}));
}

TEST_F(CheckFinding, ClusterStorageRoot) {
  BuiltImage base = build_image(vhdx_base_spec(1));
  put(base, "base.vhdx");
  put(vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"},
                           {"absolute_win32_path", "C:\\ClusterStorage.000\\Volume1\\VM\\base.vhdx"}}),
      "base_A.avhdx");
  json doc = check({dir()}, 1);
  EXPECT_EQ(finding_codes(doc), std::vector<std::string>{"alias.cluster_storage_root"}) << doc.at("findings").dump(1);
  EXPECT_EQ(only_finding(doc, "alias.cluster_storage_root"),
            finding("alias.cluster_storage_root", "warning",
                    at("base_A.avhdx") +
                        ": locator absolute_win32_path \"C:\\ClusterStorage.000\\Volume1\\VM\\base.vhdx\" passes "
                        "through C:\\ClusterStorage.000, the root a cluster leaves behind when it remounts a Cluster "
                        "Shared Volume a second time. Remove the stale mount point (mount points first, then the "
                        "folder) and keep every path under C:\\ClusterStorage",
                    {at("base_A.avhdx"), "C:\\ClusterStorage.000\\Volume1\\VM\\base.vhdx"}));
}

// --- capacity -----------------------------------------------------------------------------------

TEST_F(CheckFinding, VolumeOvercommitted) {
  // 64 TiB that can still be written: more than any test machine has free. An ordinary dynamic disk:
  // quiet by default (hosts are overcommitted by design), a warning past --warning overcommit=.
  ImageSpec spec = vhdx_base_spec(1, 64ull << 40);
  spec.block_size = 256 * kMiB;
  put(build_image(spec), "huge.vhdx");
  json quiet = check({dir()}, 0);
  EXPECT_EQ(finding_codes(quiet), (std::vector<std::string>{"disk.standalone"})) << quiet.at("findings").dump(1);
  json doc = check({"--warning", "overcommit=100%", dir()}, 1);
  EXPECT_EQ(finding_codes(doc), (std::vector<std::string>{"disk.standalone", "capacity.volume_overcommitted"})) << doc.at("findings").dump(1);
  json f = only_finding(doc, "capacity.volume_overcommitted");
  const std::string prefix = "the 1 writable disk on the volume holding " + at("huge.vhdx") +
                             " can grow by 64.0 TiB in all (0 bytes of it checkpoints), but it has ";
  EXPECT_EQ(f.at("message").get<std::string>().substr(0, prefix.size()), prefix);
  EXPECT_EQ(f.at("paths"), json{at("huge.vhdx")});
  EXPECT_EQ(f.at("policy"), "threshold: warning overcommit=100%");
  EXPECT_EQ(doc.at("chains")[0].at("capacity").at("growth_bytes"), (64ull << 40) - 256 * kMiB);
}

TEST_F(CheckFinding, MergeExceedsFree) {
  // A small volume of our own (tmpfs in a private mount namespace), so "free" is known exactly small.
  fs::create_directories(t_ / "vol");
  BuiltImage base = build_image(vhdx_base_spec(1));
  ImageSpec child = vhdx_child(base, 2, {{"relative_path", ".\\base.vhdx"}}).spec;
  for (uint64_t b = 8; b < 24; ++b) {  // 16 blocks of zeros: 32 MiB to merge, stored as holes
    child.blocks[b] = BlockSpec::full();
    child.blocks[b].zero_data = true;
  }
  BuiltImage built_child = build_image(child);
  hostpath::test::ChildResult r = hostpath::test::run_in_child([&] {
    hostpath::test::tmpfs_in_private_namespace(at("vol"), 24 * kMiB);
    base.write(t_ / "vol" / "base.vhdx");
    built_child.write(t_ / "vol" / "base_A.avhdx");
    CliRun run = run_cli({"check", "--json", at("vol")});
    return std::to_string(run.exit_code) + "\n" + run.out;
  });
  if (r.kind == hostpath::test::ChildResult::skipped) GTEST_SKIP() << "no private tmpfs here: " << r.text;
  ASSERT_EQ(r.kind, hostpath::test::ChildResult::ok) << r.text;
  size_t nl = r.text.find('\n');
  EXPECT_EQ(r.text.substr(0, nl), "1");
  json doc = json::parse(r.text.substr(nl + 1));
  EXPECT_EQ(finding_codes(doc), (std::vector<std::string>{"capacity.merge_exceeds_free", "capacity.volume_overcommitted"})) << doc.at("findings").dump(1);
  json f = only_finding(doc, "capacity.merge_exceeds_free");
  const std::string prefix = at("vol/base_A.avhdx") + ": merging its chain into " + at("vol/base.vhdx") +
                             " needs 34.0 MiB of new space there, but that volume has ";
  EXPECT_EQ(f.at("message").get<std::string>().substr(0, prefix.size()), prefix);
  EXPECT_EQ(f.at("paths"), (json{at("vol/base_A.avhdx"), at("vol/base.vhdx")}));
  EXPECT_EQ(doc.at("chains")[0].at("capacity").at("merge_bytes"), 17 * 2 * kMiB);
}

}  // namespace
}  // namespace vhdchain::test
