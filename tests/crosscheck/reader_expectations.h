// What each independent reader is expected to return for a chain view: the spec's content, a
// refusal, or a documented deviation (docs/peers.md 5) whose exact bytes the content model
// emulates. The crosscheck then asserts the reader matches the expectation byte for byte, so a
// documented bug is pinned down precisely and any other difference is a failure.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "support/content_model.h"
#include "support/image_builder.h"

namespace vhdchain::test {

struct ReaderExpectation {
  enum class Kind { equal, deviation, refuse };
  Kind kind = Kind::equal;
  std::vector<std::string> bugs;  // ids described in tests/crosscheck/README.md
  ContentDigest digest;           // deviation: what the reader returns
};

// libvhdi/pyvhdi opening chain[level] with set_parent() down to chain[0]. `files` are the built
// files, base first (one libvhdi bug reads raw file bytes).
ReaderExpectation libvhdi_expectation(std::span<const ImageSpec> chain, const std::vector<const SparseFile*>& files,
                                      size_t level, const ContentDigest& spec, uint64_t segment_size);

// qemu-img opening chain[level] alone (it follows no VHD or VHDX parent).
ReaderExpectation qemu_expectation(std::span<const ImageSpec> chain, size_t level, const ContentDigest& spec,
                                   uint64_t segment_size);

}  // namespace vhdchain::test
