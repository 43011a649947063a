#include "volumes_file.h"

#include <fstream>
#include <iterator>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "vhdchain/error.h"

namespace vhdchain::cli {
namespace {

// A JSON string, or "" for null and absent keys (Win32_Volume's Name is null for unmounted volumes).
std::string text_of(const nlohmann::json& item, const char* key) {
  auto it = item.find(key);
  if (it == item.end() || it->is_null()) return {};
  if (!it->is_string()) throw std::invalid_argument(fmt::format("\"{}\" is not a string", key));
  return it->get<std::string>();
}

hostpath::WindowsVolumeSet from_json(const std::string& text, const std::string& path) {
  try {
    nlohmann::json doc = nlohmann::json::parse(text);
    // ConvertTo-Json writes a lone object, not an array, when there is one volume.
    if (doc.is_object()) doc = nlohmann::json::array({doc});
    if (!doc.is_array()) throw std::invalid_argument("expected an array of {DeviceID, Name} objects");
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const nlohmann::json& item : doc) {
      if (!item.is_object()) throw std::invalid_argument("expected an array of {DeviceID, Name} objects");
      std::string device = text_of(item, "DeviceID");
      if (device.empty()) throw std::invalid_argument("an item has no DeviceID");
      pairs.emplace_back(std::move(device), text_of(item, "Name"));
    }
    return hostpath::WindowsVolumeSet::from_device_names(pairs);
  } catch (const Error& e) {
    throw Error(ErrorCode::invalid_argument, fmt::format("--volumes {}: {}", path, e.what()));
  } catch (const std::exception& e) {
    throw Error(ErrorCode::invalid_argument, fmt::format("--volumes {}: not a Win32_Volume JSON list: {}", path, e.what()));
  }
}

}  // namespace

hostpath::WindowsVolumeSet load_volumes_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::invalid_argument, fmt::format("--volumes {}: cannot be read", path));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string text = hostpath::decode_windows_text(bytes);
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (text[first] == '[' || text[first] == '{')) return from_json(text, path);
  try {
    return hostpath::WindowsVolumeSet::from_mountvol(bytes, path);
  } catch (const Error& e) {
    throw Error(ErrorCode::invalid_argument, fmt::format("--volumes: {}", e.what()));
  }
}

}  // namespace vhdchain::cli
