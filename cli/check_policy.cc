// Parsing `check`'s policy. The file holds the same rules as the options, one per line, so a host's
// policy can live in /etc and be reviewed like any config:
//
//   # vhdchain check policy
//   warning overcommit=150%
//   critical free=5G
//   ignore capacity.volume_overcommitted /mnt/vms/lab/*
//   severity tree.branches warning
#include "check_policy.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "size_argument.h"
#include "vhdchain/error.h"

namespace vhdchain::cli {
namespace {

[[noreturn]] void bad(const std::string& where, const std::string& text, const std::string& why) {
  throw Error(ErrorCode::invalid_argument, fmt::format("{} \"{}\": {}", where, text, why));
}

double parse_percent(const std::string& where, const std::string& text, const std::string& value) {
  if (value.empty() || value.back() != '%') bad(where, text, "expected a percentage such as 150%");
  size_t used = 0;
  double p = -1;
  try {
    p = std::stod(value.substr(0, value.size() - 1), &used);
  } catch (const std::exception&) {
  }
  if (used != value.size() - 1 || !(p >= 0)) bad(where, text, "expected a percentage such as 150%");
  return p;
}

// overcommit=PCT%, checkpoint-growth=PCT%, free=SIZE at the given level.
void threshold(check::Policy& policy, check::Severity level, const std::string& where, const std::string& text) {
  const size_t eq = text.find('=');
  const std::string name = text.substr(0, eq), value = eq == std::string::npos ? "" : text.substr(eq + 1);
  const bool critical = level == check::Severity::critical;
  if (name == "overcommit") {
    (critical ? policy.overcommit_critical_percent : policy.overcommit_warning_percent) = parse_percent(where, text, value);
  } else if (name == "checkpoint-growth" && !critical) {
    policy.checkpoint_growth_warning_percent = parse_percent(where, text, value);
  } else if (name == "free") {
    (critical ? policy.free_critical_bytes : policy.free_warning_bytes) = parse_size_argument(where, value);
  } else {
    bad(where, text,
        critical ? "expected overcommit=PCT% or free=SIZE" : "expected overcommit=PCT%, checkpoint-growth=PCT% or free=SIZE");
  }
}

std::string known_code(const std::string& where, const std::string& text, const std::string& code) {
  if (code == "*") return code;
  try {
    return std::string(check::finding_kind(code).code);
  } catch (const Error&) {
    bad(where, text, fmt::format("unknown finding code \"{}\" (docs/check.md lists them)", code));
  }
}

check::Severity parse_level(const std::string& where, const std::string& text, const std::string& level) {
  for (check::Severity s : {check::Severity::ok, check::Severity::info, check::Severity::warning, check::Severity::critical})
    if (level == to_string(s)) return s;
  bad(where, text, fmt::format("unknown severity \"{}\" (ok, info, warning or critical)", level));
}

check::SeverityRule ignore_rule(const std::string& where, const std::string& text, const std::string& code,
                                const std::string& glob, std::string origin) {
  return {known_code(where, text, code), glob, std::nullopt, std::move(origin)};
}

check::SeverityRule severity_rule(const std::string& where, const std::string& text, const std::string& code,
                                  const std::string& level, const std::string& glob, std::string origin) {
  return {known_code(where, text, code), glob, parse_level(where, text, level), std::move(origin)};
}

void read_policy_file(const std::string& path, check::Policy& policy) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorCode::invalid_argument, fmt::format("--policy {}: cannot be read", path));
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string where = fmt::format("{}:{}", path, number);
    std::istringstream words(line);
    std::string verb, first, second;
    words >> verb;
    if (verb.empty() || verb[0] == '#') continue;
    words >> first;
    auto rest = [&] {
      std::string glob;
      std::getline(words >> std::ws, glob);
      return glob;
    };
    if (verb == "warning" || verb == "critical") {
      threshold(policy, verb == "warning" ? check::Severity::warning : check::Severity::critical, where, first);
      if (!rest().empty()) bad(where, line, "a threshold takes one NAME=VALUE");
    } else if (verb == "ignore") {
      policy.rules.push_back(ignore_rule(where, line, first, rest(), where));
    } else if (verb == "severity") {
      words >> second;
      policy.rules.push_back(severity_rule(where, line, first, second, rest(), where));
    } else if (verb == "allow-empty") {
      policy.allow_empty = true;
    } else {
      bad(where, line, "expected warning, critical, ignore, severity or allow-empty");
    }
  }
}

}  // namespace

check::Policy build_policy(const PolicyArguments& a) {
  check::Policy policy;
  if (!a.file.empty()) read_policy_file(a.file, policy);
  for (const std::string& t : a.warning) threshold(policy, check::Severity::warning, "--warning", t);
  for (const std::string& t : a.critical) threshold(policy, check::Severity::critical, "--critical", t);
  for (const std::string& t : a.ignore) {
    const size_t colon = t.find(':');
    policy.rules.push_back(ignore_rule("--ignore", t, t.substr(0, colon),
                                       colon == std::string::npos ? "" : t.substr(colon + 1), "--ignore " + t));
  }
  for (const std::string& t : a.severity) {
    const size_t c1 = t.find(':');
    if (c1 == std::string::npos) bad("--severity", t, "expected CODE:LEVEL or CODE:LEVEL:PATHGLOB");
    const size_t c2 = t.find(':', c1 + 1);
    policy.rules.push_back(severity_rule("--severity", t, t.substr(0, c1), t.substr(c1 + 1, c2 - c1 - 1),
                                         c2 == std::string::npos ? "" : t.substr(c2 + 1), "--severity " + t));
  }
  policy.allow_empty = policy.allow_empty || a.allow_empty;
  return policy;
}

nlohmann::ordered_json policy_json(const check::Policy& p) {
  using Json = nlohmann::ordered_json;
  auto number = [](const auto& v) { return v ? Json(*v) : Json(nullptr); };
  Json j;
  j["checkpoint_growth_warning_percent"] = number(p.checkpoint_growth_warning_percent);
  j["overcommit_warning_percent"] = number(p.overcommit_warning_percent);
  j["overcommit_critical_percent"] = number(p.overcommit_critical_percent);
  j["free_warning_bytes"] = number(p.free_warning_bytes);
  j["free_critical_bytes"] = number(p.free_critical_bytes);
  j["allow_empty"] = p.allow_empty;
  Json rules = Json::array();
  for (const check::SeverityRule& r : p.rules) {
    Json rule;
    rule["code"] = r.code;
    rule["path_glob"] = r.path_glob.empty() ? Json(nullptr) : Json(r.path_glob);
    rule["severity"] = r.severity ? Json(std::string(to_string(*r.severity))) : Json("ignore");
    rule["origin"] = r.origin;
    rules.push_back(std::move(rule));
  }
  j["rules"] = std::move(rules);
  return j;
}

}  // namespace vhdchain::cli
