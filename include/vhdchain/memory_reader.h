// A Reader over bytes in memory: for tests, fuzzers and small synthetic images.
#pragma once

#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "vhdchain/error.h"
#include "vhdchain/reader.h"

namespace vhdchain {

class MemoryReader final : public Reader {
 public:
  MemoryReader(std::vector<uint8_t> bytes, std::string name) : bytes_(std::move(bytes)), name_(std::move(name)) {}

  uint64_t size() const override { return bytes_.size(); }
  void read_at(uint64_t offset, std::span<uint8_t> out) const override {
    if (offset > bytes_.size() || out.size() > bytes_.size() - offset)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: read of {} bytes @{:#x} is past the end of the file ({:#x} bytes)", name_,
                              out.size(), offset, bytes_.size()));
    if (!out.empty()) std::memcpy(out.data(), bytes_.data() + offset, out.size());
  }
  const std::string& name() const override { return name_; }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
  std::string name_;
};

}  // namespace vhdchain
