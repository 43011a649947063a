// Checked arithmetic (src/base/checked_math.h) in the form this compiler builds the library with;
// checked_math_portable_test.cc runs the same cases on the portable form.
#include "base/checked_math.h"

#include <gtest/gtest.h>

#include "unit/base/checked_math_cases.h"

namespace vhdchain {
namespace {

#if defined(__GNUC__) || defined(__clang__)
static_assert(kCheckedMathUsesBuiltins, "GCC and Clang have __builtin_add_overflow: the library should use it");
#endif

TEST(CheckedMath, AddsAndMultipliesExactlyAndRefusesEveryOverflow) {
  test::expect_checked_math_cases(checked_add, checked_mul, align_up);
}

}  // namespace
}  // namespace vhdchain
