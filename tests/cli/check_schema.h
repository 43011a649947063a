// Validates `check --json` output against docs/check.schema.json with python3-jsonschema (issue 14:
// every output of the tests is validated, so the schema and the writer cannot drift apart).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vhdchain::test {

// "" when valid (or when python3-jsonschema is missing outside CI: then a note, once, on stderr);
// otherwise the validator's message. Under CI=true or VHDCHAIN_REQUIRE_SHARED=1 a missing
// validator is an error message too.
std::string check_json_schema_errors(const std::string& json_text);

// True under CI=true or VHDCHAIN_REQUIRE_SHARED=1: a missing validator (jsonschema, promtool) fails.
bool ci_requires_tools();

// `vhdchain check --json ARGS...`: expects the exit code and a schema-valid document, returns it.
nlohmann::json run_check_json(std::vector<std::string> args, int expected_exit);

}  // namespace vhdchain::test
