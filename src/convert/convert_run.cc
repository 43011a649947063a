// run_convert: the copy. For each unit of the destination (a block, or 1 MiB), the source's runs
// say where its bytes are. A unit no layer holds data in is skipped (the destination reads zeros
// there already). Otherwise:
//   - dynamic destination: the unit is read in pieces of at most 4 MiB (a 256 MiB block never
//     sits in memory whole), the next piece read on another thread while this one is checked and
//     written; the unit is placed (allocated) at its first non-zero piece, and only non-zero
//     pieces are written: new space reads as zeros. A unit of zeros is never stored.
//   - fixed destination: every unit is in place already; the data runs are copied file to file
//     by io::copy_range (a clone where the file systems share extents and the offsets align, else a
//     kernel copy, else through the buffer).
// Write-back is started every 32 MiB written (io::WritebackSpan), so the disk works while the copy
// goes on instead of all at the final flush. The destination is a partial file until
// ConvertOutput::publish renames it (convert_output.h).
#include <algorithm>
#include <array>
#include <future>
#include <vector>

#include <fmt/format.h>

#include "base/zero_bytes.h"
#include "convert/convert_output.h"
#include "convert/convert_source.h"
#include "io/range_copy.h"
#include "io/writeback.h"
#include "vhdchain/convert.h"
#include "vhdchain/error.h"

namespace vhdchain {
namespace {

constexpr uint64_t kPieceBytes = uint64_t{4} << 20;
constexpr uint64_t kWritebackBytes = uint64_t{32} << 20;
// Progress is reported at most once per this many bytes (and at the end).
constexpr uint64_t kProgressStep = uint64_t{64} << 20;

class Copier {
 public:
  Copier(const convert::ConvertSource& source, convert::ConvertOutput& out, bool system_copy)
      : source_(source), out_(out), writeback_(out.file(), kWritebackBytes) {
    for (std::vector<uint8_t>& b : buffers_) b.resize(static_cast<size_t>(std::min(kPieceBytes, out.unit())));
    policy_.try_clone = policy_.try_kernel_copy = system_copy;
  }

  // Starts the write-back of what is left; before the destination is published (and closed).
  void finish() { writeback_.start(); }

  // Copies unit u ([start, start + length) of the virtual disk); returns the data bytes it read.
  uint64_t copy_unit(uint64_t u, uint64_t start, uint64_t length, ConvertResult& result) {
    const std::vector<write::CoveredRun> runs = source_.runs(start, length);
    uint64_t data = 0;
    for (const write::CoveredRun& r : runs)
      if (r.source >= 0 && !r.zero) data += r.length;
    if (data == 0) return 0;
    if (out_.dynamic()) {
      copy_unless_zero(u, start, length, runs, result);
    } else {
      const uint64_t at = out_.place(u);
      for (const write::CoveredRun& r : runs)
        if (r.source >= 0 && !r.zero) copy_run(r, at + (r.offset - start));
      ++result.blocks_stored;
    }
    return data;
  }

 private:
  void copy_unless_zero(uint64_t u, uint64_t start, uint64_t length, const std::vector<write::CoveredRun>& runs,
                        ConvertResult& result) {
    const uint64_t piece_bytes = buffers_[0].size();
    const uint64_t end = start + length;
    auto piece_of = [&](uint64_t at, size_t b) {
      return std::span(buffers_[b]).first(static_cast<size_t>(std::min(piece_bytes, end - at)));
    };
    // Piece p is in buffers_[p % 2]; the next one is read on another thread meanwhile. However this
    // function leaves, the future's destructor waits for that read first.
    std::future<void> reading = std::async(std::launch::async, [&] { fill(runs, start, piece_of(start, 0)); });
    std::optional<uint64_t> at;
    size_t b = 0;
    for (uint64_t piece = start; piece < end; piece += piece_bytes, b ^= 1) {
      reading.get();
      if (piece + piece_bytes < end)
        reading = std::async(std::launch::async, [&, next = piece + piece_bytes, nb = b ^ 1] {
          fill(runs, next, piece_of(next, nb));
        });
      const std::span<uint8_t> bytes = piece_of(piece, b);
      if (all_zero(bytes)) continue;
      if (!at) at = out_.place(u);
      out_.file().write_at(*at + (piece - start), bytes);
      writeback_.written(*at + (piece - start), bytes.size());
    }
    if (at)
      ++result.blocks_stored;
    else
      ++result.blocks_skipped_zero;
  }

  // Reads [piece, piece + out.size()) from the unit's runs (zeros where they say zeros).
  void fill(const std::vector<write::CoveredRun>& runs, uint64_t piece, std::span<uint8_t> out) const {
    const uint64_t end = piece + out.size();
    for (const write::CoveredRun& r : runs) {
      if (r.offset + r.length <= piece || r.offset >= end) continue;
      const uint64_t from = std::max(piece, r.offset), to = std::min(end, r.offset + r.length);
      const std::span<uint8_t> part = out.subspan(static_cast<size_t>(from - piece), static_cast<size_t>(to - from));
      if (r.source < 0 || r.zero)
        std::fill(part.begin(), part.end(), uint8_t{0});
      else
        source_.reader(r.source).read_at(r.file_offset + (from - r.offset), part);
    }
  }

  void copy_run(const write::CoveredRun& r, uint64_t target_offset) {
    if (const File* file = source_.host_file(r.source)) {
      io::copy_range(*file, r.file_offset, out_.file(), target_offset, r.length, buffers_[0], policy_);
    } else {
      for (uint64_t done = 0; done < r.length;) {  // a layer read through a log replayed in memory
        const uint64_t n = std::min<uint64_t>(buffers_[0].size(), r.length - done);
        const std::span<uint8_t> bytes = std::span(buffers_[0]).first(static_cast<size_t>(n));
        source_.reader(r.source).read_at(r.file_offset + done, bytes);
        out_.file().write_at(target_offset + done, bytes);
        done += n;
      }
    }
    writeback_.written(target_offset, r.length);
  }

  const convert::ConvertSource& source_;
  convert::ConvertOutput& out_;
  std::array<std::vector<uint8_t>, 2> buffers_;  // the piece being written, the one being read
  io::RangeCopyPolicy policy_;
  io::WritebackSpan writeback_;
};

}  // namespace

ConvertResult run_convert(const ConvertOptions& options, const ConvertPlan& plan,
                          const std::function<void(const ConvertProgress&)>& progress) {
  if (!plan.refusals.empty())
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: the convert is refused: {}", plan.destination, plan.refusals.front()));
  const convert::ConvertSource source = convert::ConvertSource::open(options.source, options.chain_options);
  if (source.virtual_size() != plan.virtual_size || source.layer_paths() != plan.source_layers)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: changed since it was planned; plan again", options.source));

  const std::unique_ptr<convert::ConvertOutput> out = convert::ConvertOutput::create(plan);
  Copier copier(source, *out, options.system_copy);
  ConvertResult result;
  ConvertProgress done{0, plan.bytes_to_read};
  uint64_t reported = 0;
  for (uint64_t u = 0; u < plan.blocks; ++u) {
    const uint64_t start = u * out->unit();
    done.bytes_done += copier.copy_unit(u, start, std::min(out->unit(), plan.virtual_size - start), result);
    if (progress && done.bytes_done - reported >= kProgressStep) {
      progress(done);
      reported = done.bytes_done;
    }
  }
  copier.finish();
  result.file_size = out->publish();
  if (progress) progress(done);
  return result;
}

}  // namespace vhdchain
