// Overflow-checked arithmetic for values read from disk.
//
// Every offset, length and count in a disk image is attacker-controlled. Parsers combine them only
// through these helpers, which return std::nullopt on overflow; the caller then throws a
// FormatError naming the field, so a hostile value becomes a clear error and never a wrapped offset.
#pragma once

#include <cstdint>
#include <optional>

// GCC and Clang check with one instruction (__builtin_*_overflow); other compilers (MSVC) get the
// portable form, which tests the operands first. VHDCHAIN_CHECKED_MATH_PORTABLE=1 forces the
// portable form (tests/unit/base/checked_math_portable_test.cc). The functions live in an inline
// namespace named after the form, so a file built with the macro and one without never define the
// same inline function differently (which would break the one-definition rule and let the linker
// keep either).
#if !defined(VHDCHAIN_CHECKED_MATH_PORTABLE) && defined(__has_builtin)
#if __has_builtin(__builtin_add_overflow) && __has_builtin(__builtin_mul_overflow)
#define VHDCHAIN_CHECKED_MATH_BUILTINS 1
#endif
#elif !defined(VHDCHAIN_CHECKED_MATH_PORTABLE) && defined(__GNUC__) && __GNUC__ >= 5
#define VHDCHAIN_CHECKED_MATH_BUILTINS 1  // GCC 5-9: the builtins without __has_builtin
#endif

namespace vhdchain {

#ifdef VHDCHAIN_CHECKED_MATH_BUILTINS
inline namespace checked_math_builtins {
#else
inline namespace checked_math_portable {
#endif

#ifdef VHDCHAIN_CHECKED_MATH_BUILTINS
constexpr bool kCheckedMathUsesBuiltins = true;
#else
constexpr bool kCheckedMathUsesBuiltins = false;
#endif

inline std::optional<uint64_t> checked_add(uint64_t a, uint64_t b) {
#ifdef VHDCHAIN_CHECKED_MATH_BUILTINS
  uint64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
#else
  // Unsigned addition wraps modulo 2^64: the sum overflowed exactly when it is below an operand.
  const uint64_t r = a + b;
  if (r < a) return std::nullopt;
#endif
  return r;
}

inline std::optional<uint64_t> checked_mul(uint64_t a, uint64_t b) {
#ifdef VHDCHAIN_CHECKED_MATH_BUILTINS
  uint64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
#else
  // a * b fits exactly when b <= UINT64_MAX / a (integer division rounds down).
  if (a != 0 && b > UINT64_MAX / a) return std::nullopt;
  return a * b;
#endif
}

// Rounds up to a multiple of alignment (a power of two); nullopt on overflow.
inline std::optional<uint64_t> align_up(uint64_t value, uint64_t alignment) {
  auto sum = checked_add(value, alignment - 1);
  if (!sum) return std::nullopt;
  return *sum & ~(alignment - 1);
}

}  // inline namespace checked_math_builtins / checked_math_portable

constexpr bool is_power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }
constexpr bool is_aligned(uint64_t v, uint64_t alignment) { return (v & (alignment - 1)) == 0; }
constexpr uint64_t ceil_div(uint64_t a, uint64_t b) { return a / b + (a % b != 0); }

// True when [a, a+alen) and [b, b+blen) share at least one byte (lengths must not overflow).
constexpr bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
  return alen != 0 && blen != 0 && a < b + blen && b < a + alen;
}

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * kKiB;
constexpr uint64_t kGiB = 1024 * kMiB;
constexpr uint64_t kTiB = 1024 * kGiB;

}  // namespace vhdchain
