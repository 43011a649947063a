// Progress of a long copy (merge, convert, compact) as the user asked for it with --progress:
// "auto" a line on a terminal (progress.h), "json" one JSON object per line on stderr
// (bytes_done, bytes_total, bytes_per_second, eta_seconds: rate and time left over the last
// ten seconds, null until known), "none" nothing.
#pragma once

#include <cstdint>
#include <string>

#include "progress.h"
#include "transfer_rate.h"

namespace vhdchain::cli {

class CopyProgress {
 public:
  CopyProgress(std::string what, uint64_t total, const std::string& mode);
  void update(uint64_t done, uint64_t total);
  void finish() { bar_.finish(); }

 private:
  bool json_;
  Progress bar_;
  TransferRate measured_;
};

}  // namespace vhdchain::cli
