// run_convert: the copy. For each unit of the destination (a block, or 1 MiB), the source's runs
// say where its bytes are. A unit no layer holds data in is skipped (the destination reads zeros
// there already). Otherwise:
//   - dynamic destination: the units with data are read in pieces of at most 4 MiB (a 256 MiB
//     block never sits in memory whole), the next piece (of this unit or the next) read on another
//     thread while this one is checked and written; a unit is placed (allocated) at its first
//     non-zero piece, and only non-zero pieces are written: new space reads as zeros. A unit of
//     zeros is never stored.
//   - fixed destination: every unit is in place already; the data runs are copied file to file
//     by io::copy_range (a clone where the file systems share extents and the offsets align, else a
//     kernel copy, else through the buffer).
// No write-back hints (io::WritebackSpan, as the payload copier gives): measured on a 4 GiB
// raw -> VHDX convert they made it slower (33 s against 22 s), the page cache's own write-back
// keeping up better (docs/benchmarks.md). The destination is a partial file until
// ConvertOutput::publish renames it (convert_output.h).
#include <algorithm>
#include <array>
#include <future>
#include <memory>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "base/zero_bytes.h"
#include "convert/convert_output.h"
#include "convert/convert_source.h"
#include "io/range_copy.h"
#include "vhdchain/convert.h"
#include "vhdchain/preflight.h"
#include "vhdchain/error.h"

namespace vhdchain {
namespace {

constexpr uint64_t kPieceBytes = uint64_t{4} << 20;
// Progress is reported at most once per this many bytes (and at the end).
constexpr uint64_t kProgressStep = uint64_t{64} << 20;

// One piece of a unit with data: what a dynamic copy reads, checks and, unless zero, writes.
struct Piece {
  uint64_t unit = 0, unit_start = 0, offset = 0, length = 0;
  std::shared_ptr<const std::vector<write::CoveredRun>> runs;  // the unit's
  uint64_t unit_data = 0;  // the first piece of a unit: the unit's data bytes (for progress)
  bool last = false;       // the unit's last piece
};

class Copier {
 public:
  Copier(const convert::ConvertSource& source, convert::ConvertOutput& out, const ConvertPlan& plan, bool system_copy)
      : source_(source), out_(out), plan_(plan) {
    for (std::vector<uint8_t>& b : buffers_) b.resize(static_cast<size_t>(std::min(kPieceBytes, out.unit())));
    policy_.try_clone = policy_.try_kernel_copy = system_copy;
  }

  // Copies every unit with data; `data_done` is called with each unit's data bytes.
  void copy(ConvertResult& result, const std::function<void(uint64_t)>& data_done) {
    if (out_.dynamic())
      copy_unless_zero(result, data_done);
    else
      copy_in_place(result, data_done);
  }

 private:
  // The runs of unit u, or null when no layer holds data in it (with its data bytes).
  std::shared_ptr<const std::vector<write::CoveredRun>> runs_of(uint64_t u, uint64_t& data) const {
    const uint64_t start = u * out_.unit();
    auto runs = std::make_shared<const std::vector<write::CoveredRun>>(
        source_.runs(start, std::min(out_.unit(), plan_.virtual_size - start)));
    data = 0;
    for (const write::CoveredRun& r : *runs)
      if (r.source >= 0 && !r.zero) data += r.length;
    return data == 0 ? nullptr : runs;
  }

  // Fixed: every unit is in place; its data runs are copied file to file.
  void copy_in_place(ConvertResult& result, const std::function<void(uint64_t)>& data_done) {
    for (uint64_t u = 0; u < plan_.blocks; ++u) {
      uint64_t data = 0;
      const auto runs = runs_of(u, data);
      if (!runs) continue;
      const uint64_t at = out_.place(u);
      for (const write::CoveredRun& r : *runs)
        if (r.source >= 0 && !r.zero) copy_run(r, at + (r.offset - u * out_.unit()));
      ++result.blocks_stored;
      data_done(data);
    }
  }

  // The piece after `p` (the next piece of its unit, or the first of the next unit with data).
  std::optional<Piece> next_piece(const std::optional<Piece>& p, uint64_t& next_unit) const {
    const uint64_t piece_bytes = buffers_[0].size();
    if (p && !p->last) {
      Piece n = *p;
      n.offset += p->length;
      n.unit_data = 0;
      const uint64_t unit_end = std::min(n.unit_start + out_.unit(), plan_.virtual_size);
      n.length = std::min(piece_bytes, unit_end - n.offset);
      n.last = n.offset + n.length == unit_end;
      return n;
    }
    for (; next_unit < plan_.blocks; ++next_unit) {
      Piece n;
      n.runs = runs_of(next_unit, n.unit_data);
      if (!n.runs) continue;
      n.unit = next_unit++;
      n.unit_start = n.offset = n.unit * out_.unit();
      const uint64_t unit_end = std::min(n.unit_start + out_.unit(), plan_.virtual_size);
      n.length = std::min(piece_bytes, unit_end - n.offset);
      n.last = n.offset + n.length == unit_end;
      return n;
    }
    return std::nullopt;
  }

  void copy_unless_zero(ConvertResult& result, const std::function<void(uint64_t)>& data_done) {
    uint64_t next_unit = 0;
    std::optional<Piece> piece = next_piece(std::nullopt, next_unit);
    if (!piece) return;
    size_t b = 0;
    auto read = [this](const Piece& p, size_t into) {
      return std::async(std::launch::async, [this, p, into] {
        fill(*p.runs, p.offset, std::span(buffers_[into]).first(static_cast<size_t>(p.length)));
      });
    };
    // However this function leaves, the future's destructor waits for the read in flight first.
    std::future<void> reading = read(*piece, b);
    constexpr uint64_t kNotPlaced = UINT64_MAX;
    uint64_t at = kNotPlaced;  // where the current unit is placed, once it has a non-zero piece
    while (piece) {
      reading.get();
      const std::optional<Piece> next = next_piece(piece, next_unit);
      if (next) reading = read(*next, b ^ 1);
      const std::span<const uint8_t> bytes = std::span(buffers_[b]).first(static_cast<size_t>(piece->length));
      if (!all_zero(bytes)) {
        if (at == kNotPlaced) at = out_.place(piece->unit);
        out_.file().write_at(at + (piece->offset - piece->unit_start), bytes);
      }
      if (piece->last) {
        ++(at != kNotPlaced ? result.blocks_stored : result.blocks_skipped_zero);
        at = kNotPlaced;
      }
      if (piece->unit_data) data_done(piece->unit_data);
      piece = next;
      b ^= 1;
    }
  }

  // Reads [piece, piece + out.size()) from a unit's runs (zeros where they say zeros).
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
  }

  const convert::ConvertSource& source_;
  convert::ConvertOutput& out_;
  const ConvertPlan& plan_;
  std::array<std::vector<uint8_t>, 2> buffers_;  // the piece being written, the one being read
  io::RangeCopyPolicy policy_;
};

}  // namespace

ConvertResult run_convert(const ConvertOptions& options, const ConvertPlan& plan,
                          const std::function<void(const ConvertProgress&)>& progress) {
  if (!plan.refusals.empty())
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: the convert is refused: {}", plan.destination, plan.refusals.front()));
  // The write preflight (vhdchain/preflight.h): every layer of a disk source locked shared and
  // validated as check --deep does, held through the copy. A raw image is no disk to validate.
  WriteLease lease;
  if (plan.source_format) {
    PreflightRequest request;
    request.reads = plan.source_layers;
    request.chain_options = options.chain_options;
    lease = preflight_write(request);
    lease.require_cleared();
  }
  const convert::ConvertSource source = convert::ConvertSource::open(options.source, options.chain_options);
  if (source.virtual_size() != plan.virtual_size || source.layer_paths() != plan.source_layers)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: changed since it was planned; plan again", options.source));

  const std::unique_ptr<convert::ConvertOutput> out = convert::ConvertOutput::create(plan);
  Copier copier(source, *out, plan, options.system_copy);
  ConvertResult result;
  ConvertProgress done{0, plan.bytes_to_read};
  uint64_t reported = 0;
  copier.copy(result, [&](uint64_t data) {
    done.bytes_done += data;
    if (progress && done.bytes_done - reported >= kProgressStep) {
      progress(done);
      reported = done.bytes_done;
    }
  });
  result.file_size = out->publish();
  if (progress) progress(done);
  return result;
}

}  // namespace vhdchain
