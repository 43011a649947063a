// The portable checked arithmetic (src/base/checked_math.h), the form compilers without
// __builtin_add_overflow / __builtin_mul_overflow (MSVC) get. Forced here on GCC and Clang by
// VHDCHAIN_CHECKED_MATH_PORTABLE, defined before the header's first inclusion in this file.
// checked_math_test.cc runs the same cases on the form this compiler uses.
#define VHDCHAIN_CHECKED_MATH_PORTABLE 1
#include "base/checked_math.h"

#include <gtest/gtest.h>

#include "unit/base/checked_math_cases.h"

namespace vhdchain {
namespace {

static_assert(!kCheckedMathUsesBuiltins, "VHDCHAIN_CHECKED_MATH_PORTABLE must select the portable form");

TEST(CheckedMathPortable, AddsAndMultipliesExactlyAndRefusesEveryOverflow) {
  test::expect_checked_math_cases(checked_add, checked_mul, align_up);
}

}  // namespace
}  // namespace vhdchain
