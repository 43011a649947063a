#include "write/payload_copier.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "io/writeback.h"

namespace vhdchain::write {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;
// A few MiB per read and write: large enough that the calls cost little, small enough that the
// buffers stay a fixed, small part of the 128 MiB the merge may use.
constexpr size_t kBufferBytes = 4 * kMiB;
// Enough buffers for the reader to stay ahead while one is being written.
constexpr size_t kBufferCount = 4;
// One clone or kernel copy call at most this long, so a kill test still sees many events and a
// refused call falls back over a bounded range.
constexpr uint64_t kDirectChunkBytes = 32 * kMiB;
// Write-back is started (io::start_writeback) once this much of the target has been written since
// the last start, not after every chunk: a VHD's 2 MiB blocks, each its own chunk between two
// sector bitmaps, made one call per block, a tenth of a 4 GiB merge's time.
constexpr uint64_t kWritebackBytes = 32 * kMiB;
// Smaller pieces (partial blocks) are gathered with their neighbours into one buffer write instead
// of costing a system call each.
constexpr uint64_t kMinDirectBytes = 256 * 1024;

bool continues(const PayloadPiece& a, const PayloadPiece& b) {
  return a.target_offset + a.length == b.target_offset && a.source == b.source &&
         (a.source < 0 || a.source_offset + a.length == b.source_offset);
}

}  // namespace

struct PayloadCopier::Chunk {
  uint64_t target_offset = 0;
  uint64_t length = 0;
  bool direct = false;               // one piece, copied file to file by io::copy_range
  std::vector<PayloadPiece> pieces;  // in target order, together exactly [target_offset, +length)
};

PayloadCopier::PayloadCopier(std::vector<const DiskImage*> sources, File& target, bool system_copy)
    : sources_(std::move(sources)), target_(target) {
  policy_.try_clone = policy_.try_kernel_copy = system_copy;
  for (const DiskImage* s : sources_) source_files_.push_back(dynamic_cast<const File*>(&s->data()));
}

PayloadCopier::~PayloadCopier() = default;

std::vector<PayloadCopier::Chunk> PayloadCopier::plan_chunks(std::vector<PayloadPiece> pieces) const {
  std::sort(pieces.begin(), pieces.end(),
            [](const PayloadPiece& a, const PayloadPiece& b) { return a.target_offset < b.target_offset; });
  std::vector<PayloadPiece> merged;
  for (const PayloadPiece& p : pieces) {
    if (p.length == 0) continue;
    if (!merged.empty() && continues(merged.back(), p))
      merged.back().length += p.length;
    else
      merged.push_back(p);
  }

  const bool system_copy = policy_.try_clone || policy_.try_kernel_copy;
  std::vector<Chunk> chunks;
  for (PayloadPiece p : merged) {
    const bool direct = system_copy && p.source >= 0 && source_files_[static_cast<size_t>(p.source)] != nullptr &&
                        p.length >= kMinDirectBytes;
    while (p.length > 0) {
      Chunk* last = chunks.empty() ? nullptr : &chunks.back();
      const bool joins = !direct && last && !last->direct && last->target_offset + last->length == p.target_offset &&
                         last->length < kBufferBytes;
      if (!joins) {
        chunks.push_back(Chunk{p.target_offset, 0, direct, {}});
        last = &chunks.back();
      }
      const uint64_t room = direct ? kDirectChunkBytes : kBufferBytes - last->length;
      PayloadPiece part = p;
      part.length = std::min(p.length, room);
      last->pieces.push_back(part);
      last->length += part.length;
      p.target_offset += part.length;
      p.length -= part.length;
      if (p.source >= 0) p.source_offset += part.length;
    }
  }
  return chunks;
}

void PayloadCopier::fill(const Chunk& chunk, std::vector<uint8_t>& buffer) const {
  for (const PayloadPiece& p : chunk.pieces) {
    const std::span<uint8_t> out =
        std::span(buffer).subspan(static_cast<size_t>(p.target_offset - chunk.target_offset), static_cast<size_t>(p.length));
    if (p.source < 0)
      std::fill(out.begin(), out.end(), uint8_t{0});
    else
      sources_[static_cast<size_t>(p.source)]->data().read_at(p.source_offset, out);
  }
}

void PayloadCopier::write_direct(const Chunk& chunk) {
  const PayloadPiece& p = chunk.pieces.front();
  if (fallback_.empty()) fallback_.resize(kBufferBytes);
  switch (io::copy_range(*source_files_[static_cast<size_t>(p.source)], p.source_offset, target_, p.target_offset,
                         p.length, fallback_, policy_)) {
    case io::RangeCopyMethod::clone: tally_.cloned += p.length; break;
    case io::RangeCopyMethod::kernel_copy: tally_.kernel_copied += p.length; break;
    case io::RangeCopyMethod::buffer: tally_.buffered += p.length; break;
  }
}

// The hand-off between the reader thread and the writing one: free buffers one way, filled (or
// direct) chunks in order the other, a read error, and the writer's order to stop.
struct PayloadCopier::Handoff {
  struct Ready {
    size_t chunk = 0;
    size_t buffer = 0;  // meaningless for a direct chunk
  };

  explicit Handoff(size_t buffers) {
    for (size_t b = 0; b < buffers; ++b) free_buffers.push_back(b);
  }

  // Reader side. nullopt / false: the writer stopped; the reader returns.
  std::optional<size_t> take_free_buffer() {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return stop || !free_buffers.empty(); });
    if (stop) return std::nullopt;
    const size_t b = free_buffers.front();
    free_buffers.pop_front();
    return b;
  }
  bool publish(Ready r) {
    const std::lock_guard lock(mutex);
    if (stop) return false;
    ready.push_back(r);
    changed.notify_all();
    return true;
  }
  void fail(std::exception_ptr error) {
    const std::lock_guard lock(mutex);
    read_error = std::move(error);
    changed.notify_all();
  }

  // Writer side. next() rethrows the reader's error once nothing read before it is left.
  Ready next() {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return !ready.empty() || read_error; });
    if (ready.empty()) std::rethrow_exception(read_error);
    const Ready r = ready.front();
    ready.pop_front();
    return r;
  }
  void release(size_t buffer) {
    const std::lock_guard lock(mutex);
    free_buffers.push_back(buffer);
    changed.notify_all();
  }
  void stop_reader() {
    {
      const std::lock_guard lock(mutex);
      stop = true;
    }
    changed.notify_all();
  }

 private:
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<size_t> free_buffers;
  std::deque<Ready> ready;
  bool stop = false;
  std::exception_ptr read_error;
};

// Plan the chunks, then read them on a second thread while this one writes them, in order.
void PayloadCopier::copy(std::vector<PayloadPiece> pieces) {
  const std::vector<Chunk> chunks = plan_chunks(std::move(pieces));
  if (chunks.empty()) return;
  if (buffers_.empty()) buffers_.assign(kBufferCount, std::vector<uint8_t>(kBufferBytes));

  Handoff handoff(buffers_.size());
  std::thread reader([&] { read_chunks(chunks, handoff); });
  // However this thread leaves (a write failed, a kill test's hook threw), the reader stops first.
  struct JoinReader {
    Handoff& handoff;
    std::thread& thread;
    ~JoinReader() {
      handoff.stop_reader();
      thread.join();
    }
  } join{handoff, reader};
  write_chunks(chunks, handoff);
}

// The reader thread walks the chunks in order: a buffered chunk takes a free buffer and fills it,
// a direct one passes as is.
void PayloadCopier::read_chunks(const std::vector<Chunk>& chunks, Handoff& handoff) {
  try {
    for (size_t c = 0; c < chunks.size(); ++c) {
      size_t b = 0;
      if (!chunks[c].direct) {
        const std::optional<size_t> free = handoff.take_free_buffer();
        if (!free) return;
        b = *free;
        fill(chunks[c], buffers_[b]);
      }
      if (!handoff.publish({c, b})) return;
    }
  } catch (...) {
    handoff.fail(std::current_exception());
  }
}

// This thread takes the chunks in the reader's order and writes them, starting write-back as the
// written span grows.
void PayloadCopier::write_chunks(const std::vector<Chunk>& chunks, Handoff& handoff) {
  io::WritebackSpan writeback(target_, kWritebackBytes);
  for (size_t done = 0; done < chunks.size(); ++done) {
    const Handoff::Ready next = handoff.next();
    const Chunk& chunk = chunks[next.chunk];
    if (chunk.direct) {
      write_direct(chunk);
      writeback.written(chunk.target_offset, chunk.length);
      continue;
    }
    target_.write_at(chunk.target_offset, std::span(buffers_[next.buffer]).first(static_cast<size_t>(chunk.length)));
    writeback.written(chunk.target_offset, chunk.length);
    tally_.buffered += chunk.length;
    handoff.release(next.buffer);
  }
}

}  // namespace vhdchain::write
