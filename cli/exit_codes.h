// Exit codes: the monitoring-plugin convention (Nagios, Icinga, ...), so `vhdchain` can run as a
// check without a wrapper. CLI11's own codes (100+) never escape: main maps every parse error to 3.
#pragma once

#include <string_view>

#include "vhdchain/error.h"

namespace vhdchain::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitWarning = 1,
  kExitCritical = 2,  // an image is structurally broken, or a parent is missing or does not match
  kExitUnknown = 3,   // bad arguments, or input that could not be read at all: no verdict possible
};

// What a library error means for the exit status.
inline ExitCode exit_code_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::format:
    case ErrorCode::parent_missing:
    case ErrorCode::parent_mismatch:
    case ErrorCode::refused:
      return kExitCritical;
    case ErrorCode::io:
    case ErrorCode::unsupported:
    case ErrorCode::invalid_argument:
    case ErrorCode::locked:
    case ErrorCode::no_space:
      return kExitUnknown;
  }
  return kExitUnknown;
}

// The more severe of two statuses: CRITICAL > WARNING > UNKNOWN > OK (monitoring-plugins'
// max_state_alt), so one broken image among several unreadable ones still reads as CRITICAL.
inline ExitCode worse(ExitCode a, ExitCode b) {
  auto rank = [](ExitCode c) {
    switch (c) {
      case kExitOk: return 0;
      case kExitUnknown: return 1;
      case kExitWarning: return 2;
      case kExitCritical: return 3;
    }
    return 1;
  };
  return rank(a) >= rank(b) ? a : b;
}

// The ErrorCode's name as JSON and messages show it ("parent_missing").
inline std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::io: return "io";
    case ErrorCode::format: return "format";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::parent_missing: return "parent_missing";
    case ErrorCode::parent_mismatch: return "parent_mismatch";
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::locked: return "locked";
    case ErrorCode::no_space: return "no_space";
    case ErrorCode::refused: return "refused";
  }
  return "unknown";
}

}  // namespace vhdchain::cli
