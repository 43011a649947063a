// Exit 3 must say what state the files are in and what to run next (docs/design-writes.md, "When a
// write fails"). Each writer knows that state; this is where the operating system's message gets it.
#pragma once

#include <string>
#include <utility>

#include <fmt/format.h>

#include "vhdchain/error.h"

namespace vhdchain::write {

// Runs `write`; an operating-system failure (ErrorCode::io, no_space) it throws is thrown again with
// the same code and "; <aftermath>" appended. Other errors (refusals, a plan that no longer fits)
// are decided before the first byte and pass unchanged.
template <class Write>
decltype(auto) with_aftermath(const std::string& aftermath, Write&& write) {
  try {
    return std::forward<Write>(write)();
  } catch (const Error& e) {
    if (e.code() != ErrorCode::io && e.code() != ErrorCode::no_space) throw;
    throw Error(e.code(), fmt::format("{}; {}", e.what(), aftermath));
  }
}

}  // namespace vhdchain::write
