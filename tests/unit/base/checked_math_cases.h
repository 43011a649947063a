// The cases both forms of checked arithmetic must pass (checked_math_test.cc for the form the
// compiler picks, checked_math_portable_test.cc for the portable one). The functions come in as
// parameters: each test file sees only its own form, and this header includes neither.
#pragma once

#include <cstdint>
#include <optional>

#include <gtest/gtest.h>

namespace vhdchain::test {

using CheckedOp = std::optional<uint64_t> (*)(uint64_t, uint64_t);

inline void expect_checked_math_cases(CheckedOp add, CheckedOp mul, CheckedOp align) {
  constexpr uint64_t kMax = UINT64_MAX;
  EXPECT_EQ(add(0, 0), 0u);
  EXPECT_EQ(add(2, 3), 5u);
  EXPECT_EQ(add(kMax, 0), kMax);
  EXPECT_EQ(add(0, kMax), kMax);
  EXPECT_EQ(add(kMax - 1, 1), kMax);
  EXPECT_EQ(add(kMax, 1), std::nullopt);
  EXPECT_EQ(add(1, kMax), std::nullopt);
  EXPECT_EQ(add(kMax, kMax), std::nullopt);
  EXPECT_EQ(add(uint64_t{1} << 63, uint64_t{1} << 63), std::nullopt);

  EXPECT_EQ(mul(0, kMax), 0u);
  EXPECT_EQ(mul(kMax, 0), 0u);
  EXPECT_EQ(mul(1, kMax), kMax);
  EXPECT_EQ(mul(6, 7), 42u);
  EXPECT_EQ(mul(uint64_t{1} << 32, (uint64_t{1} << 32) - 1), kMax - ((uint64_t{1} << 32) - 1));
  EXPECT_EQ(mul(uint64_t{1} << 32, uint64_t{1} << 32), std::nullopt);
  EXPECT_EQ(mul(kMax / 3, 3), kMax);  // 2^64 - 1 = 3 * 0x5555555555555555
  EXPECT_EQ(mul(kMax / 3 + 1, 3), std::nullopt);
  EXPECT_EQ(mul(2, uint64_t{1} << 63), std::nullopt);
  EXPECT_EQ(mul(kMax, kMax), std::nullopt);

  // align_up goes through checked_add: the same overflow rule.
  EXPECT_EQ(align(0, 4096), 0u);
  EXPECT_EQ(align(1, 4096), 4096u);
  EXPECT_EQ(align(kMax - 4095, 4096), kMax - 4095);
  EXPECT_EQ(align(kMax - 4094, 4096), std::nullopt);
}

}  // namespace vhdchain::test
