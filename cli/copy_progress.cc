#include "copy_progress.h"

#include <chrono>
#include <iostream>

#include <nlohmann/json.hpp>

#include "console.h"

namespace vhdchain::cli {

CopyProgress::CopyProgress(std::string what, uint64_t total, const std::string& mode)
    : json_(mode == "json"),
      bar_(std::move(what), total, mode == "auto" && stderr_is_terminal() && console_chatty()),
      measured_(std::chrono::steady_clock::now()) {}

void CopyProgress::update(uint64_t done, uint64_t total) {
  bar_.update(done);
  if (!json_) return;
  measured_.add(std::chrono::steady_clock::now(), done);
  const std::optional<double> left = measured_.seconds_left(total);
  std::cerr << nlohmann::json{{"bytes_done", done},
                              {"bytes_total", total},
                              {"bytes_per_second", measured_.bytes_per_second()},
                              {"eta_seconds", left ? nlohmann::json(*left) : nullptr}}
                   .dump()
            << std::endl;
}

}  // namespace vhdchain::cli
