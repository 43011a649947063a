// vhdchain_crosscheck_gen: writes the crosscheck corpus and its manifest.
//
//   vhdchain_crosscheck_gen OUT_DIR [--large] [--only NAME]...
//
// Builds every case of cases.cc with the synthetic image builder, writes the files under
// OUT_DIR/<case>/, and writes OUT_DIR/manifest.json: for each chain its layers (base first) and,
// for each layer opened as the top of the chain, the SHA-256 of the virtual disk the
// specifications say it must read as, plus what libvhdi and qemu-img are expected to return.
// The format is documented in tests/crosscheck/README.md.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crosscheck/cases.h"
#include "crosscheck/reader_expectations.h"
#include "support/content_model.h"

namespace vhdchain::test {
namespace {

constexpr uint64_t kSegmentSize = kMiB;
constexpr uint64_t kMaxSegmentedSize = kGiB;  // larger disks get only the whole-disk digest

nlohmann::json digest_json(const ContentDigest& d) {
  nlohmann::json j = {{"size", d.size}, {"sha256", d.sha256}};
  if (d.segment_size) j["segment_sha256"] = d.segment_sha256;
  return j;
}

nlohmann::json expectation_json(const ReaderExpectation& e) {
  switch (e.kind) {
    case ReaderExpectation::Kind::equal:
      return {{"expect", "equal"}};
    case ReaderExpectation::Kind::refuse:
      return {{"expect", "refuse"}, {"bugs", e.bugs}};
    case ReaderExpectation::Kind::deviation: {
      nlohmann::json j = digest_json(e.digest);
      j["expect"] = "deviation";
      j["bugs"] = e.bugs;
      return j;
    }
  }
  return {};
}

std::string hex(const Guid& g) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : g.bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

// Identities as raw on-disk bytes: the VHDX DataWriteGuid / VHD footer unique id, and the parent
// identity the child stores (VHDX: parent_linkage parsed; VHD: dynamic header parent unique id).
nlohmann::json layer_json(const ImageSpec& s, const std::string& file) {
  nlohmann::json j = {{"file", file},
                      {"format", to_string(s.format)},
                      {"type", to_string(s.type)},
                      {"virtual_size", s.virtual_size},
                      {"block_size", s.block_size},
                      {"logical_sector_size", s.logical_sector_size()},
                      {"pending_log", s.format == Format::vhdx && s.vhdx.log.has_value()},
                      {"id_hex", hex(s.format == Format::vhdx ? *s.vhdx.data_write_guid : *s.vhd.unique_id)},
                      {"parent_id_hex", nullptr}};
  if (s.type != DiskType::differencing) return j;
  if (s.format == Format::vhd) {
    j["parent_id_hex"] = hex(s.vhd.parent_unique_id);
  } else {
    for (const LocatorEntry& kv : s.vhdx.parent_locator)
      if (kv.key == "parent_linkage")
        if (auto g = Guid::parse(kv.value)) j["parent_id_hex"] = hex(*g);
  }
  return j;
}

nlohmann::json build_case(const CrosscheckCase& c, const std::filesystem::path& out_dir) {
  BuiltChain chain = build_chain(c.chain);
  chain.write(out_dir / c.name);
  const std::vector<ImageSpec> specs = chain.specs();
  std::vector<const SparseFile*> files;
  for (const BuiltImage& layer : chain.layers) files.push_back(&layer.file);
  nlohmann::json j = {{"name", c.name}, {"description", c.description}, {"format", to_string(specs[0].format)}};
  for (size_t i = 0; i < specs.size(); ++i) {
    j["layers"].push_back(layer_json(specs[i], c.name + "/" + chain.file_names[i]));
    const uint64_t segment = specs[i].virtual_size <= kMaxSegmentedSize ? kSegmentSize : 0;
    const ContentDigest spec = expected_digest(specs, i, segment);
    nlohmann::json view = digest_json(spec);
    view["readers"] = {{"libvhdi", expectation_json(libvhdi_expectation(specs, files, i, spec, segment))},
                       {"qemu", expectation_json(qemu_expectation(specs, i, spec, segment))}};
    j["expected"].push_back(view);
  }
  return j;
}

int run(int argc, char** argv) {
  std::filesystem::path out_dir;
  bool large = false;
  std::set<std::string> only;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--large") {
      large = true;
    } else if (arg == "--only" && i + 1 < argc) {
      only.insert(argv[++i]);
    } else if (!arg.empty() && arg[0] != '-' && out_dir.empty()) {
      out_dir = arg;
    } else {
      std::fprintf(stderr, "usage: %s OUT_DIR [--large] [--only NAME]...\n", argv[0]);
      return 2;
    }
  }
  if (out_dir.empty()) {
    std::fprintf(stderr, "usage: %s OUT_DIR [--large] [--only NAME]...\n", argv[0]);
    return 2;
  }
  std::filesystem::create_directories(out_dir);
  nlohmann::json manifest = {{"manifest_version", 1},
                             {"generator", "vhdchain_crosscheck_gen"},
                             {"segment_size", kSegmentSize},
                             {"chains", nlohmann::json::array()}};
  for (const CrosscheckCase& c : crosscheck_cases()) {
    if (!only.empty() ? !only.count(c.name) : (c.large && !large)) continue;
    manifest["chains"].push_back(build_case(c, out_dir));
    std::printf("built %s\n", c.name.c_str());
  }
  std::ofstream(out_dir / "manifest.json") << manifest.dump(1) << "\n";
  return 0;
}

}  // namespace
}  // namespace vhdchain::test

int main(int argc, char** argv) {
  try {
    return vhdchain::test::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vhdchain_crosscheck_gen: %s\n", e.what());
    return 1;
  }
}
