// The merged target reads the same whichever way its payload was copied: by the system (a kernel
// copy here, a clone on XFS) or through the buffers (MergeOptions::system_copy false, the CLI's
// VHDCHAIN_MERGE_NO_CLONE=1). A source with a pending log must be read through its replayed view,
// never copied from its file as it lies on disk.
#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "support/testdata.h"
#include "vhdchain/merge.h"
#include "write/vhdx/file_bytes.h"
#include "write/vhdx/write_fixtures.h"

namespace vhdchain::test {
namespace {

// base (blocks 0, 1) <- middle (block 1, partial block 3) <- leaf (blocks 2-9: one 16 MiB run in
// its file, a partial block 1, block 10 allocated but zeroed by its pending log).
struct ChainWithDirtyLeaf {
  TempDir t;
  std::string base, leaf;
  ChainWithDirtyLeaf() {
    ImageSpec b;
    b.virtual_size = 32 * kMiB;
    b.block_size = 2 * kMiB;
    b.blocks[0] = BlockSpec::full();
    b.blocks[1] = BlockSpec::full();
    ImageSpec m;
    m.virtual_size = 0;
    m.seed = 2;
    m.vhdx.sector_bitmap_for_every_chunk = true;
    m.blocks[1] = BlockSpec::full();
    m.blocks[3] = BlockSpec::partial({{5, 700}});
    ImageSpec l;
    l.virtual_size = 0;
    l.seed = 3;
    l.vhdx.sector_bitmap_for_every_chunk = true;
    for (uint64_t i = 2; i < 10; ++i) l.blocks[i] = BlockSpec::full();
    l.blocks[1] = BlockSpec::partial({{0, 1}, {1000, 2048}});
    l.blocks[10] = BlockSpec::full();
    l.blocks[10].zero_data = true;
    VhdxLogSpec log;
    log.log_guid = Guid::random();
    log.zeroed_blocks = {10};  // on disk the block holds its pattern until the log is replayed
    l.vhdx.log = log;
    ChainSpec spec;
    spec.layers = {{b, "base.vhdx"}, {m, "base_1.avhdx"}, {l, "base_2.avhdx"}};
    build_chain(spec).write(t.path());
    base = path_of(t / "base.vhdx");
    leaf = path_of(t / "base_2.avhdx");
  }
};

void merge_into_base(const ChainWithDirtyLeaf& c, bool system_copy) {
  MergeOptions o;
  o.child = c.leaf;
  o.into = c.base;
  o.system_copy = system_copy;
  run_merge(o, plan_merge(o));
}

TEST(MergeCopyPaths, SystemCopyAndBuffersGiveTheSameContent) {
  for (const bool system_copy : {true, false}) {
    ChainWithDirtyLeaf c;
    const std::string want = chain_sha256(c.leaf);
    const std::vector<uint8_t> leaf_file = read_file_bytes(c.leaf);
    merge_into_base(c, system_copy);
    EXPECT_EQ(chain_sha256(c.base), want) << "system_copy " << system_copy;
    EXPECT_EQ(read_file_bytes(c.leaf), leaf_file) << "a source was written";
    merge_into_base(c, system_copy);  // again: the same content
    EXPECT_EQ(chain_sha256(c.base), want) << "system_copy " << system_copy;
  }
}

// Guards the test above: the leaf's file really differs from its replayed view in block 10, so a
// copy from the file would have shown.
TEST(MergeCopyPaths, TheDirtyLeafsFileDiffersFromItsReplayedView) {
  ChainWithDirtyLeaf c;
  const auto image = open_image_file(c.leaf);
  const vhdchain::Extent e = image->map(10 * 2 * kMiB, 2 * kMiB);
  ASSERT_EQ(e.source, ExtentSource::data);
  std::vector<uint8_t> replayed(2 * kMiB), on_disk(2 * kMiB);
  image->data().read_at(e.file_offset, replayed);
  EXPECT_EQ(replayed, std::vector<uint8_t>(2 * kMiB, 0));
  const std::vector<uint8_t> file = read_file_bytes(c.leaf);
  std::copy_n(file.begin() + static_cast<ptrdiff_t>(e.file_offset), on_disk.size(), on_disk.begin());
  EXPECT_NE(on_disk, replayed);
}

}  // namespace
}  // namespace vhdchain::test
