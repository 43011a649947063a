// Where convert writes: the destination, built under its partial name and published whole.
//
// A VHDX or VHD destination starts as what create makes (create_disk on the partial name: the same
// layout, encoders and fixed-disk allocation), then receives the blocks; a raw one is a file of
// the virtual size. Nobody reads the partial file, so a dynamic destination's blocks and BAT are
// written directly, not through a log or journal: a crash leaves only the partial file, which the
// next convert of the same name removes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "vhdchain/convert.h"
#include "vhdchain/file.h"

namespace vhdchain::convert {

class ConvertOutput {
 public:
  // Removes a stale partial file of an earlier convert to the same name, then creates the partial
  // file (a fixed one allocated on its volume).
  static std::unique_ptr<ConvertOutput> create(const ConvertPlan& plan);
  virtual ~ConvertOutput();  // removes the partial file unless published (best effort)

  // The unit of the destination the copy works in: a block, or 1 MiB for raw and fixed VHD.
  uint64_t unit() const { return unit_; }
  // A dynamic destination stores a unit only when it holds a non-zero byte; a fixed one has every
  // unit in place already (allocated, reading as zeros).
  bool dynamic() const { return dynamic_; }
  // The file offset of unit u's first byte: a dynamic destination allocates the unit here, at the
  // end of the file (once per unit).
  virtual uint64_t place(uint64_t u) = 0;
  File& file() { return *file_; }

  // Makes the placed units reachable (BAT, footer), flushes, and renames the file to the
  // destination without replacing anything. Returns the published file's size.
  uint64_t publish();

 protected:
  explicit ConvertOutput(const ConvertPlan& plan);
  virtual void finish() = 0;  // BAT entries, footer, final size

  const ConvertPlan& plan_;
  std::string partial_;
  std::unique_ptr<File> file_;

 private:
  uint64_t unit_;
  bool dynamic_;
  bool published_ = false;
};

// The unit raw and fixed VHD destinations are copied in (a zero unit of a sparse raw file stays a
// hole).
inline constexpr uint64_t kFlatUnit = uint64_t{1} << 20;

// The unit a plan's destination is copied in: its block (VHDX; dynamic VHD), else kFlatUnit.
inline uint64_t unit_of(const ConvertPlan& plan) {
  const bool blocks = plan.to == ConvertFormat::vhdx || (plan.to == ConvertFormat::vhd && plan.type == DiskType::dynamic);
  return blocks ? plan.block_size : kFlatUnit;
}

}  // namespace vhdchain::convert
