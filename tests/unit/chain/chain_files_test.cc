// open_chain and ChainReader on real files: chains written by the synthetic image builder, opened
// through the real parsers and the host opener, read back against the builder's content model.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/content_model.h"
#include "support/image_builder.h"
#include "support/testdata.h"
#include "vhdchain/chain.h"
#include "vhdchain/error.h"

namespace vhdchain {
namespace {

namespace t = vhdchain::test;

// Base, checkpoint and leaf with every way a layer can answer: data, partial sectors over the
// parent, zeros that hide parent data, and blocks left to the parent.
t::ChainSpec three_layers(t::Format format) {
  t::ChainSpec chain;
  const std::string ext = format == t::Format::vhdx ? "vhdx" : "vhd";
  const std::string child_ext = format == t::Format::vhdx ? "avhdx" : "vhd";
  t::ImageSpec base;
  base.format = format;
  base.virtual_size = 16 * kMiB;
  base.seed = 11;
  for (uint64_t b : {0, 1, 2, 3, 5}) base.blocks[b] = t::BlockSpec::full();
  t::ImageSpec mid;
  mid.format = format;
  mid.virtual_size = 0;
  mid.seed = 22;
  mid.blocks[1] = t::BlockSpec::partial({{0, 8}, {100, 3}});
  mid.blocks[2] = t::BlockSpec::full();
  mid.blocks[6] = t::BlockSpec::full();
  if (format == t::Format::vhdx) mid.blocks[3] = t::BlockSpec::with_state(t::BlockState::zero);
  t::ImageSpec leaf = mid;
  leaf.seed = 33;
  leaf.blocks.clear();
  leaf.blocks[1] = t::BlockSpec::partial({{4, 8}, {2000, 48}});
  leaf.blocks[7] = t::BlockSpec::full();
  chain.layers = {{base, "disk." + ext}, {mid, "disk_A1." + child_ext}, {leaf, "disk_B2." + child_ext}};
  return chain;
}

std::vector<uint8_t> read_all(const Reader& r) {
  std::vector<uint8_t> out(r.size());
  r.read_at(0, out);
  return out;
}

class ChainFiles : public ::testing::TestWithParam<t::Format> {};

TEST_P(ChainFiles, ReadsEveryLayerThrough) {
  t::TempDir dir;
  t::BuiltChain built = t::build_chain(three_layers(GetParam()));
  built.write(dir.path());
  const std::string leaf = (dir.path() / built.file_names[2]).string();

  Chain chain = open_chain(leaf);
  ASSERT_EQ(chain.layers().size(), 3u);
  EXPECT_EQ(chain.layers()[1].path, (dir.path() / built.file_names[1]).string());
  EXPECT_EQ(chain.layers()[2].path, (dir.path() / built.file_names[0]).string());
  const ParentCandidate* accepted = chain.layers()[0].parent.accepted_candidate();
  ASSERT_NE(accepted, nullptr);
  EXPECT_EQ(accepted->locator, GetParam() == t::Format::vhdx ? "relative_path" : "W2ru");

  std::vector<t::ImageSpec> specs = built.specs();
  EXPECT_EQ(read_all(*chain.reader()), t::expected_content(specs, 2));

  // Each extent is what it says: zeros where the model has zeros.
  std::unique_ptr<ChainReader> reader = chain.reader();
  std::vector<uint8_t> want = t::expected_content(specs, 2);
  for (uint64_t off = 0; off < reader->size();) {
    ChainExtent e = reader->next_extent(off);
    if (e.zero) {
      for (uint64_t i = 0; i < e.length; ++i) ASSERT_EQ(want[off + i], 0) << "byte " << off + i;
    }
    off += e.length;
  }
}

TEST_P(ChainFiles, MissingBaseIsParentMissing) {
  t::TempDir dir;
  t::BuiltChain built = t::build_chain(three_layers(GetParam()));
  built.write(dir.path());
  std::filesystem::remove(dir.path() / built.file_names[0]);
  try {
    open_chain((dir.path() / built.file_names[2]).string());
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::parent_missing);
    const std::string message = e.what();
    EXPECT_NE(message.find((dir.path() / built.file_names[1]).string() + ": parent not found"), std::string::npos) << message;
    EXPECT_NE(message.find((dir.path() / built.file_names[0]).string() + ": not found"), std::string::npos) << message;
  }
}

TEST_P(ChainFiles, AnotherDiskUnderTheParentsNameIsAMismatch) {
  t::TempDir dir;
  t::BuiltChain built = t::build_chain(three_layers(GetParam()));
  built.write(dir.path());
  t::ImageSpec stranger = built.layers[0].spec;
  stranger.seed = 99;  // new identities
  if (GetParam() == t::Format::vhdx)
    stranger.vhdx = {};
  else
    stranger.vhd = {};
  std::filesystem::remove(dir.path() / built.file_names[0]);
  t::build_image(stranger).write(dir.path() / built.file_names[0]);
  try {
    open_chain((dir.path() / built.file_names[2]).string());
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::parent_mismatch) << e.what();
    EXPECT_NE(std::string(e.what()).find("identity mismatch"), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, ChainFiles, ::testing::Values(t::Format::vhdx, t::Format::vhd),
                         [](const auto& info) { return std::string(t::to_string(info.param)); });

}  // namespace
}  // namespace vhdchain
