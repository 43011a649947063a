// The synthetic images and chains the crosscheck compares readers on.
#pragma once

#include <string>
#include <vector>

#include "support/image_builder.h"

namespace vhdchain::test {

struct CrosscheckCase {
  std::string name;         // also the sub-directory its files go to
  std::string description;  // one line for the manifest and failure messages
  ChainSpec chain;          // a single layer is a chain of one
  bool large = false;       // multi-GiB virtual disk: only with --large
};

std::vector<CrosscheckCase> crosscheck_cases();

}  // namespace vhdchain::test
