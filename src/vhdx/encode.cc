#include "vhdx/encode.h"

#include <set>

#include <fmt/format.h>

#include "base/byte_store.h"
#include "base/crc32c.h"
#include "base/utf16.h"
#include "vhdchain/error.h"
#include "vhdx/layout.h"

namespace vhdchain::vhdx {

std::vector<uint8_t> encode_header(const Header& header) {
  std::vector<uint8_t> out(kHeaderSize, 0);
  std::span<uint8_t> b(out);
  namespace f = header_field;
  store_ascii(b, f::signature, kHeaderSignature);
  store_le64(b, f::sequence_number, header.sequence_number);
  store_guid(b, f::file_write_guid, header.file_write_guid);
  store_guid(b, f::data_write_guid, header.data_write_guid);
  store_guid(b, f::log_guid, header.log_guid);
  store_le16(b, f::log_version, kLogVersion);
  store_le16(b, f::version, kHeaderVersion);
  store_le32(b, f::log_length, header.log_length);
  store_le64(b, f::log_offset, header.log_offset);
  store_le32(b, f::checksum, crc32c(out));  // the field is still zero here
  return out;
}

std::vector<uint8_t> encode_parent_locator(const std::vector<LocatorEntry>& entries) {
  if (entries.size() > 0xFFFF)
    throw Error(ErrorCode::invalid_argument, fmt::format("parent locator: {} entries (at most 65535)", entries.size()));
  struct Encoded {
    std::vector<uint8_t> key, value;
  };
  std::vector<Encoded> encoded;
  std::set<std::string> keys;
  size_t data_size = 0;
  for (const LocatorEntry& e : entries) {
    if (e.key.empty()) throw Error(ErrorCode::invalid_argument, "parent locator: an empty key");
    if (!keys.insert(e.key).second)
      throw Error(ErrorCode::invalid_argument, fmt::format("parent locator: key \"{}\" given twice", e.key));
    Encoded x{utf8_to_utf16(e.key, Endian::little), utf8_to_utf16(e.value, Endian::little)};
    if (x.key.size() > 0xFFFF || x.value.size() > 0xFFFF)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("parent locator: the value of \"{}\" is longer than 65535 bytes in UTF-16", e.key));
    data_size += x.key.size() + x.value.size();
    encoded.push_back(std::move(x));
  }
  const size_t table_end = kLocatorHeaderSize + entries.size() * kLocatorEntrySize;
  std::vector<uint8_t> out(table_end + data_size, 0);
  std::span<uint8_t> b(out);
  store_guid(b, 0, known_guid(kVhdxParentLocatorTypeGuid));
  store_le16(b, 18, static_cast<uint16_t>(entries.size()));
  size_t at = table_end;
  for (size_t i = 0; i < encoded.size(); ++i) {
    const size_t entry = kLocatorHeaderSize + i * kLocatorEntrySize;
    store_le32(b, entry + 0, static_cast<uint32_t>(at));
    store_bytes(b, at, encoded[i].key);
    at += encoded[i].key.size();
    store_le32(b, entry + 4, static_cast<uint32_t>(at));
    store_bytes(b, at, encoded[i].value);
    at += encoded[i].value.size();
    store_le16(b, entry + 8, static_cast<uint16_t>(encoded[i].key.size()));
    store_le16(b, entry + 10, static_cast<uint16_t>(encoded[i].value.size()));
  }
  return out;
}

}  // namespace vhdchain::vhdx
