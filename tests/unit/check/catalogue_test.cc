// The finding catalogue: codes unique, every code documented in docs/check.md, Hyper-V errors named.
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "vhdchain/check.h"
#include "vhdchain/error.h"

namespace vhdchain::check {
namespace {

TEST(CheckCatalogue, CodesAreUniqueAndDocumented) {
  std::ifstream in(std::string(VHDCHAIN_SOURCE_DIR) + "/docs/check.md");
  ASSERT_TRUE(in) << "docs/check.md missing";
  const std::string doc((std::istreambuf_iterator<char>(in)), {});
  std::set<std::string_view> seen;
  for (const FindingKind& k : finding_catalogue()) {
    EXPECT_TRUE(seen.insert(k.code).second) << "duplicate code " << k.code;
    // Each code has its own table row: "| `code` | severity |".
    const std::string row = "| `" + std::string(k.code) + "` | " + std::string(to_string(k.severity)) + " |";
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/check.md has no row " << row;
    EXPECT_EQ(k.hyperv_error.empty(), k.hyperv_error_name.empty()) << k.code;
    if (!k.hyperv_error.empty()) {
      EXPECT_NE(doc.find(std::string(k.hyperv_error)), std::string::npos) << k.code;
    }
  }
  EXPECT_EQ(seen.size(), 37u);
}

TEST(CheckCatalogue, UnknownCodeIsAProgrammingError) {
  EXPECT_THROW(finding_kind("no.such.code"), Error);
}

TEST(CheckCatalogue, StatusOrder) {
  auto f = [](Severity s, bool inconclusive) {
    Finding x;
    x.severity = s;
    x.inconclusive = inconclusive;
    return x;
  };
  EXPECT_EQ(status_of(std::vector<Finding>{}), Status::ok);
  EXPECT_EQ(status_of(std::vector<Finding>{f(Severity::info, false)}), Status::ok);
  EXPECT_EQ(status_of(std::vector<Finding>{f(Severity::warning, false)}), Status::warning);
  EXPECT_EQ(status_of(std::vector<Finding>{f(Severity::warning, false), f(Severity::warning, true)}), Status::unknown);
  EXPECT_EQ(status_of(std::vector<Finding>{f(Severity::critical, false), f(Severity::warning, true)}), Status::critical);
}

}  // namespace
}  // namespace vhdchain::check
