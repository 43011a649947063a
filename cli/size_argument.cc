#include "size_argument.h"

#include <cctype>

#include <fmt/format.h>

#include "base/checked_math.h"
#include "vhdchain/error.h"

namespace vhdchain::cli {

uint64_t parse_size_argument(std::string_view option, std::string_view text) {
  auto fail = [&](std::string_view why) -> uint64_t {
    throw Error(ErrorCode::invalid_argument, fmt::format("{} \"{}\": {}", option, text, why));
  };
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0) return fail("not a size (bytes, or a whole number with K, M, G or T: binary units)");
  std::string unit(text.substr(digits));
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  uint64_t scale = 1;
  if (unit.size() == 3 && unit.substr(1) == "IB") unit.resize(1);
  if (unit == "K") scale = kKiB;
  else if (unit == "M") scale = kMiB;
  else if (unit == "G") scale = kGiB;
  else if (unit == "T") scale = kTiB;
  else if (!unit.empty()) return fail("unknown unit (K, M, G or T: binary units)");
  uint64_t number = 0;
  for (size_t i = 0; i < digits; ++i) {
    std::optional<uint64_t> next = checked_mul(number, 10);
    if (next) next = checked_add(*next, static_cast<uint64_t>(text[i] - '0'));
    if (!next) return fail("too large");
    number = *next;
  }
  std::optional<uint64_t> bytes = checked_mul(number, scale);
  return bytes ? *bytes : fail("too large");
}

}  // namespace vhdchain::cli
