// Reading the virtual disk of a chain through its layers.
//
// Each layer's map() says how it holds a run: data in its file, zeros, or "ask my parent". A read
// walks the runs from offset onwards; for each one it asks the leaf, falls through `parent` runs to
// the next layer (shortening the run to what the child's answer covered, since a child's run may
// straddle the parent's block boundaries), and stops at the first layer that answers data or zero.
//
// Consecutive runs are merged before any I/O: zero runs whichever layer defined them, data runs when
// they continue in the same layer's file. A fixed disk or a dynamic disk whose blocks were allocated
// in order thus turns a large read into one pread, however many blocks it spans; that is what lets an
// export keep up with a plain copy.
#include <algorithm>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "vhdchain/chain.h"
#include "vhdchain/error.h"

namespace vhdchain {
namespace {

bool same_read(const ChainRun& a, const ChainRun& b) {
  if (a.zero || b.zero) return a.zero && b.zero;
  return a.layer == b.layer && a.file_offset + a.length == b.file_offset;
}

}  // namespace

ChainReader::ChainReader(std::vector<std::shared_ptr<const DiskImage>> layers) : layers_(std::move(layers)) {
  if (layers_.empty()) throw Error(ErrorCode::invalid_argument, "a chain reader needs at least one layer");
  size_ = layers_.front()->info().virtual_size;
  for (const auto& layer : layers_)
    if (layer->info().virtual_size != size_)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: virtual size {} bytes differs from {}'s {} bytes: the layers cannot be read as one disk",
                              layer->name(), layer->info().virtual_size, name(), size_));
}

void ChainReader::check_range(uint64_t offset, uint64_t length) const {
  if (offset > size_ || length > size_ - offset)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: read of {} bytes @{:#x} is past the end of the virtual disk ({:#x} bytes)", name(), length,
                            offset, size_));
}

void ChainReader::check_start(uint64_t offset, uint64_t max_length) const {
  if (offset >= size_)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: offset {:#x} is at or past the end of the virtual disk ({:#x} bytes)", name(), offset, size_));
  if (max_length == 0) throw Error(ErrorCode::invalid_argument, fmt::format("{}: a run of at most 0 bytes was asked for", name()));
}

ChainRun ChainReader::resolve(uint64_t offset, uint64_t max_length) const {
  uint64_t limit = std::min(max_length, size_ - offset);
  for (size_t i = 0; i < layers_.size(); ++i) {
    const DiskImage& layer = *layers_[i];
    const Extent e = layer.map(offset, limit);
    // A run that does not start here or is empty would make the walk loop or skip bytes.
    if (e.virtual_offset != offset || e.length == 0 || e.length > limit)
      throw Error(ErrorCode::format, fmt::format("{}: the map of @{:#x} (at most {:#x} bytes) is the run @{:#x}+{:#x}",
                                                 layer.name(), offset, limit, e.virtual_offset, e.length));
    limit = e.length;
    switch (e.source) {
      case ExtentSource::data: {
        const uint64_t file_size = layer.data().size();
        if (e.file_offset > file_size || limit > file_size - e.file_offset)
          throw Error(ErrorCode::format,
                      fmt::format("{}: virtual offset {:#x} maps to file offset {:#x}+{:#x}, past the end of the file ({:#x} bytes)",
                                  layer.name(), offset, e.file_offset, limit, file_size));
        return ChainRun{.virtual_offset = offset, .length = limit, .zero = false, .layer = i, .file_offset = e.file_offset};
      }
      case ExtentSource::zero:
        return ChainRun{.virtual_offset = offset, .length = limit, .zero = true, .layer = i};
      case ExtentSource::parent:
        continue;
    }
  }
  throw Error(ErrorCode::format, fmt::format("{}: virtual offset {:#x} is left to a parent, but the chain has no further layer",
                                             layers_.back()->name(), offset));
}

ChainRun ChainReader::run_at(uint64_t offset, uint64_t max_length) const {
  check_start(offset, max_length);
  const uint64_t limit = std::min(max_length, size_ - offset);
  ChainRun run = resolve(offset, limit);
  while (run.length < limit) {
    ChainRun next = resolve(offset + run.length, limit - run.length);
    if (!same_read(run, next)) break;
    run.length += next.length;
  }
  return run;
}

ChainExtent ChainReader::next_extent(uint64_t offset, uint64_t max_length) const {
  check_start(offset, max_length);
  const uint64_t limit = std::min(max_length, size_ - offset);
  ChainRun first = resolve(offset, limit);
  ChainExtent extent{.virtual_offset = offset, .length = first.length, .zero = first.zero};
  while (extent.length < limit) {
    ChainRun next = resolve(offset + extent.length, limit - extent.length);
    if (next.zero != extent.zero) break;
    extent.length += next.length;
  }
  return extent;
}

void ChainReader::read_at(uint64_t offset, std::span<uint8_t> out) const {
  check_range(offset, out.size());
  auto perform = [&](const ChainRun& run) {
    std::span<uint8_t> part = out.subspan(run.virtual_offset - offset, run.length);
    if (run.zero)
      std::memset(part.data(), 0, part.size());
    else
      layers_[run.layer]->data().read_at(run.file_offset, part);
  };
  // Holds the merged run not yet performed, so each map() answer is used exactly once.
  std::optional<ChainRun> pending;
  uint64_t done = 0;
  while (done < out.size()) {
    ChainRun run = resolve(offset + done, out.size() - done);
    done += run.length;
    if (pending && same_read(*pending, run)) {
      pending->length += run.length;
      continue;
    }
    if (pending) perform(*pending);
    pending = run;
  }
  if (pending) perform(*pending);
}

}  // namespace vhdchain
